package org.netstack4j.intercept;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;
import org.netstack4j.host.Host;
import org.netstack4j.ip.EchoReplyListener;
import org.netstack4j.ip.UdpDatagram;
import org.netstack4j.ip.UdpIntercept;
import org.netstack4j.ip.UdpSocket;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.sim.SimLink;
import org.netstack4j.sim.Simulator;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpError;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.tcp.TcpIntercept;
import org.netstack4j.tcp.TcpIntercept.HeldSyn;
import org.netstack4j.tcp.TcpIntercept.Refusal;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;

/**
 * Flow interception in the simulator: a client whose default route points at a gateway host
 * (an IP link, like a TUN) connects to addresses the gateway does not have; the gateway
 * intercepts, sees the original 4-tuple and answers only when it decides.
 */
class InterceptTest {
    static final Ipv4Address CLIENT = Ipv4Address.of(10, 0, 0, 1), GATEWAY = Ipv4Address.of(10, 0, 0, 2);
    static final Ipv4Address FAR = Ipv4Address.of(93, 184, 216, 34), DNS1 = Ipv4Address.of(8, 8, 8, 8), DNS2 = Ipv4Address.of(1, 1, 1, 1);

    final Simulator sim = new Simulator(7);
    final Host client, gateway;
    final List<HeldSyn> held = new ArrayList<>();
    TcpIntercept tcp;

    InterceptTest() {
        SimLink link = sim.link(LinkConfig.builder().medium(Medium.IP).latencyNs(Time.ms(5)).build());
        client = new Host("client", TcpConfig.defaults(), Tracer.NONE, 1).addInterface("tun0", link.a(), null, CLIENT, 24);
        gateway = new Host("gateway", TcpConfig.defaults(), Tracer.NONE, 2).addInterface("tun0", link.b(), null, GATEWAY, 24);
        client.ip().setDefaultGateway(GATEWAY);
        sim.add(client);
        sim.add(gateway);
    }

    void intercept(TcpIntercept.Config cfg) {
        tcp = gateway.intercept("tun0", cfg, (now, syn) -> held.add(syn), null, null);
    }

    /** Records what a connection hears. */
    static final class Ear implements TcpEventListener {
        boolean established, remoteClosed, closed;
        TcpError error;
        final StringBuilder data = new StringBuilder();

        @Override public void onEstablished(TcpConnection c) { established = true; }
        @Override public void onReadable(TcpConnection c) {
            byte[] b = new byte[4096];
            int n;
            while ((n = c.receive(0, b, 0, b.length)) > 0) data.append(new String(b, 0, n, StandardCharsets.US_ASCII));
        }
        @Override public void onRemoteClosed(TcpConnection c) { remoteClosed = true; }
        @Override public void onClosed(TcpConnection c, TcpError e) { closed = true; error = e; }
    }

    TcpConnection connect(IpAddress dst, int port, Ear ear) {
        return client.connect(sim.now(), dst, port, ear);
    }

    long count(Host h, String name) { return h.counters().snapshot().getOrDefault(name, 0L); }

    @Test void anyDestinationIsHeldWithItsOriginalTupleAndTheSynAckWaitsForTheApplication() {
        intercept(TcpIntercept.Config.defaults());
        Ear ce = new Ear();
        TcpConnection c = connect(FAR, 443, ce);
        sim.runUntil(sim.now() + Time.ms(500));
        assertEquals(1, held.size());
        HeldSyn syn = held.getFirst();
        assertEquals(CLIENT, syn.clientAddress());
        assertEquals(c.localPort(), syn.clientPort());
        assertEquals(FAR, syn.originalAddress());
        assertEquals(443, syn.originalPort());
        // nothing answered yet: the client still waits in SYN-SENT
        assertEquals(TcpState.SYN_SENT, c.state());
        assertEquals(0, count(gateway, "tcp.out.segments"));
        assertEquals(1, tcp.pendingCount());

        // the upstream connect succeeded: accept, and only now the SYN,ACK goes out
        Ear ge = new Ear();
        TcpConnection g = syn.accept(sim.now(), ge);
        assertNotNull(g);
        assertEquals(FAR, g.localAddress());
        assertEquals(443, g.localPort());
        sim.runUntil(() -> ce.established && ge.established, Time.s(1));
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(0, tcp.pendingCount());
        assertEquals(1, tcp.flowCount());

        // data both ways, then half-close each way
        byte[] req = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        c.send(sim.now(), req, 0, req.length);
        c.close(sim.now());
        sim.runUntil(() -> ge.remoteClosed, Time.s(1));
        assertEquals("GET / HTTP/1.0\r\n\r\n", ge.data.toString());
        byte[] resp = "HTTP/1.0 200 OK\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII);
        g.send(sim.now(), resp, 0, resp.length);
        g.close(sim.now());
        sim.runUntil(() -> ce.closed && ge.closed, Time.s(200));
        assertEquals("HTTP/1.0 200 OK\r\n\r\nhello", ce.data.toString());
        assertNull(ce.error);
        assertEquals(0, tcp.flowCount(), "a closed flow is no longer counted");
        assertEquals(1, count(gateway, "tcp.intercept.accepted"));
    }

    @Test void answeringInsideTheCallbackAcceptsAtOnce() {
        List<TcpConnection> accepted = new ArrayList<>();
        tcp = gateway.intercept("tun0", TcpIntercept.Config.defaults(), (now, syn) -> accepted.add(syn.accept(now, null)), null, null);
        Ear ce = new Ear();
        TcpConnection c = connect(Ipv4Address.of(203, 0, 113, 9), 22, ce);
        sim.runUntil(() -> ce.established, Time.s(1));
        assertEquals(1, accepted.size());
        assertEquals(Ipv4Address.of(203, 0, 113, 9), accepted.getFirst().localAddress());
        assertTrue(sim.now() < Time.ms(50), "one round trip, no retransmitted SYN");
        assertEquals(TcpState.ESTABLISHED, c.state());
    }

    @Test void upstreamRefusalBecomesAResetAndTheClientSeesConnectionRefusedAtOnce() {
        intercept(TcpIntercept.Config.defaults());
        Ear ce = new Ear();
        connect(FAR, 81, ce);
        sim.runUntil(() -> !held.isEmpty(), Time.s(1));
        long t0 = sim.now();
        assertTrue(held.getFirst().refuse(sim.now(), Refusal.RESET));
        sim.runUntil(() -> ce.closed, Time.s(1));
        assertEquals(TcpError.CONNECTION_REFUSED, ce.error);
        assertTrue(sim.now() - t0 <= Time.ms(10), "one trip of the link: " + (sim.now() - t0));
        assertFalse(held.getFirst().isPending());
        assertNull(held.getFirst().accept(sim.now(), null), "a refused flow cannot be accepted");
        assertEquals(1, count(gateway, "tcp.intercept.late_answers"));
        assertEquals(1, count(gateway, "tcp.intercept.refused.rst"));
        assertEquals(0, tcp.flowCount());
    }

    @Test void unreachableUpstreamBecomesAnIcmpErrorThatEndsTheClientsConnect() {
        intercept(TcpIntercept.Config.defaults());
        Ear ce = new Ear();
        connect(FAR, 82, ce);
        sim.runUntil(() -> !held.isEmpty(), Time.s(1));
        held.getFirst().refuse(sim.now(), Refusal.PORT_UNREACHABLE);
        sim.runUntil(() -> ce.closed, Time.s(1));
        assertEquals(TcpError.CONNECTION_REFUSED, ce.error, "RFC 1122 4.2.3.9: port unreachable in SYN-SENT aborts");
        assertEquals(1, count(gateway, "tcp.intercept.refused.icmp"));
        assertEquals(0, count(client, "tcp.in.rsts"), "refused by the ICMP error, not a RST");
    }

    @Test void aHeldSynThatIsNeverAnsweredTimesOutWithAResetAndItsRetransmissionsAreAbsorbed() {
        intercept(new TcpIntercept.Config(16, Time.s(5), 100, Refusal.RESET, Refusal.DROP));
        Ear ce = new Ear();
        connect(FAR, 443, ce);
        sim.runUntil(Time.s(5) - Time.ms(1));
        assertEquals(1, held.size(), "the retransmitted SYNs are the same held flow");
        assertTrue(count(gateway, "tcp.intercept.syn_retransmits") >= 2, "SYN retransmitted at 1 s and 3 s");
        assertFalse(ce.closed);
        sim.runUntil(() -> ce.closed, Time.s(1));
        assertEquals(TcpError.CONNECTION_REFUSED, ce.error);
        assertEquals(1, count(gateway, "tcp.intercept.pending_timeouts"));
        assertEquals(0, tcp.pendingCount());
        assertNull(held.getFirst().accept(sim.now(), null), "too late: the flow is gone");
    }

    @Test void theClientsResetForgetsTheHeldSyn() {
        intercept(TcpIntercept.Config.defaults());
        Ear ce = new Ear();
        TcpConnection c = connect(FAR, 443, ce);
        sim.runUntil(() -> !held.isEmpty(), Time.s(1));
        c.abort(sim.now()); // a RST from SYN-SENT? RFC 9293: ABORT in SYN-SENT sends nothing
        sim.runUntil(sim.now() + Time.ms(100));
        // whether or not a RST went out, the held SYN times out and nothing stays
        sim.runUntil(sim.now() + Time.s(31));
        assertEquals(0, tcp.pendingCount());
        assertEquals(0, tcp.flowCount());
    }

    @Test void limitsOnHeldSynsAndFlowsAreEnforcedAndCounted() {
        intercept(new TcpIntercept.Config(2, Time.s(30), 3, Refusal.RESET, Refusal.RESET));
        Ear[] ears = new Ear[4];
        for (int i = 0; i < 3; i++) connect(FAR, 1000 + i, ears[i] = new Ear());
        sim.runUntil(sim.now() + Time.ms(100));
        assertEquals(2, held.size());
        assertEquals(1, count(gateway, "tcp.intercept.limit.pending"));
        assertTrue(ears[2].closed, "over the held-SYN limit: refused with RST (onLimit)");
        assertEquals(TcpError.CONNECTION_REFUSED, ears[2].error);
        for (HeldSyn h : held) assertNotNull(h.accept(sim.now(), null));
        sim.runUntil(sim.now() + Time.ms(100));
        assertEquals(2, tcp.flowCount());
        connect(FAR, 2000, ears[3] = new Ear());
        sim.runUntil(sim.now() + Time.ms(100));
        assertEquals(3, tcp.flowCount(), "held + live");
        TcpConnection extra = connect(FAR, 2001, new Ear());
        sim.runUntil(sim.now() + Time.ms(100));
        assertEquals(1, count(gateway, "tcp.intercept.limit.flows"));
        assertEquals(TcpState.CLOSED, extra.state());
        assertEquals(3, tcp.flowCount());
    }

    @Test void echoRequestsToAnyDestinationAreAnsweredFromThatDestination() {
        intercept(TcpIntercept.Config.defaults());
        List<Ipv4Address> from = new ArrayList<>();
        client.ip().setEchoReplyListener((EchoReplyListener) (now, f, id, seq, ttl, data) -> from.add(f));
        client.ip().ping(sim.now(), Ipv4Address.of(9, 9, 9, 9), 1, 1, new byte[8], -1);
        sim.runUntil(() -> !from.isEmpty(), Time.s(1));
        assertEquals(List.of(Ipv4Address.of(9, 9, 9, 9)), from);
    }

    @Test void withoutInterceptionOtherDestinationsAreNotForUs() {
        Ear ce = new Ear();
        connect(FAR, 443, ce);
        sim.runUntil(sim.now() + Time.ms(500));
        assertEquals(0, count(gateway, "tcp.in.segments"));
        assertTrue(count(gateway, "ipv4.in.drop.not_for_us") >= 1);
    }

    // ---------------------------------------------------------------- UDP

    static final class UdpEar implements UdpIntercept.Handler {
        final List<UdpIntercept.Session> sessions = new ArrayList<>();
        final List<String> datagrams = new ArrayList<>();
        final List<String> closed = new ArrayList<>();

        @Override public void onSession(long now, UdpIntercept.Session s) { sessions.add(s); }
        @Override public void onDatagram(long now, UdpIntercept.Session s, IpAddress dst, int dstPort, byte[] data) {
            datagrams.add(s.clientPort() + ">" + dst + ":" + dstPort + " " + new String(data, StandardCharsets.US_ASCII));
        }
        @Override public void onClosed(long now, UdpIntercept.Session s, String reason) { closed.add(reason); }
    }

    @Test void udpToAnyDestinationIsOneSessionPerClientEndpointAndRepliesComeFromTheServer() {
        UdpEar ear = new UdpEar();
        gateway.intercept("tun0", TcpIntercept.Config.defaults(), (now, syn) -> {}, new UdpIntercept.Config(8, Time.s(120)), ear);
        UdpSocket s = client.ip().udpBind(Ipv4Address.ANY, 5353);
        s.sendTo(sim.now(), DNS1, 53, "q1".getBytes(StandardCharsets.US_ASCII), 0, 2);
        s.sendTo(sim.now(), DNS2, 53, "q2".getBytes(StandardCharsets.US_ASCII), 0, 2);
        sim.runUntil(() -> ear.datagrams.size() == 2, Time.s(1));
        assertEquals(1, ear.sessions.size(), "endpoint-independent mapping: one session for both servers (RFC 4787 REQ-1)");
        assertEquals(List.of("5353>8.8.8.8:53 q1", "5353>1.1.1.1:53 q2"), ear.datagrams);
        UdpIntercept.Session session = ear.sessions.getFirst();
        assertEquals(CLIENT, session.clientAddress());
        assertTrue(session.send(sim.now(), DNS2, 53, "a2".getBytes(StandardCharsets.US_ASCII), 0, 2));
        sim.runUntil(() -> s.available() > 0, Time.s(1));
        UdpDatagram d = s.receive();
        assertEquals(DNS2, d.src());
        assertEquals(53, d.srcPort());
        assertArrayEquals("a2".getBytes(StandardCharsets.US_ASCII), d.data());
    }

    @Test void udpSessionsEndAfterTheirIdleTimeoutAndAreBounded() {
        UdpEar ear = new UdpEar();
        gateway.intercept("tun0", TcpIntercept.Config.defaults(), (now, syn) -> {}, new UdpIntercept.Config(2, Time.s(120)), ear);
        UdpSocket[] socks = new UdpSocket[3];
        for (int i = 0; i < 3; i++) {
            socks[i] = client.ip().udpBind(Ipv4Address.ANY, 6000 + i);
            socks[i].sendTo(sim.now(), DNS1, 53, new byte[] {1}, 0, 1);
        }
        sim.runUntil(sim.now() + Time.ms(100));
        long t0 = sim.now();
        assertEquals(2, ear.sessions.size());
        assertEquals(1, gateway.counters().snapshot().get("udp.intercept.drop.session_limit"));
        // the first session stays busy, the second goes quiet
        sim.runUntil(t0 + Time.s(100));
        socks[0].sendTo(sim.now(), DNS1, 53, new byte[] {2}, 0, 1);
        long quietSince = ear.sessions.get(1).lastActive();
        sim.runUntil(quietSince + Time.s(120) - 1);
        assertEquals(List.of(), ear.closed);
        sim.runUntil(quietSince + Time.s(120));
        assertEquals(List.of("idle timeout"), ear.closed, "RFC 4787 REQ-5: not before two minutes of silence");
        assertTrue(ear.sessions.get(1).isClosed());
        assertFalse(ear.sessions.get(0).isClosed());
        sim.runUntil(t0 + Time.s(300));
        assertEquals(2, ear.closed.size());
        assertEquals(0, gateway.ip().udpIntercept().sessionCount());
        assertEquals(Time.NEVER, gateway.ip().udpIntercept().nextDeadline(), "nothing left to time out");
    }

    // ---------------------------------------------------------------- IPv6

    @Test void ipv6FlowsAreInterceptedToo() {
        client.ip().setIpv6DadTransmits(0);
        gateway.ip().setIpv6DadTransmits(0);
        client.addIpv6Address("tun0", Ipv6Address.parse("fd00::1"), 64);
        gateway.addIpv6Address("tun0", Ipv6Address.parse("fd00::2"), 64);
        intercept(TcpIntercept.Config.defaults());
        Ipv6Address far = Ipv6Address.parse("fd00::99");
        Ear ce = new Ear();
        TcpConnection c = connect(far, 443, ce);
        sim.runUntil(() -> !held.isEmpty(), Time.s(2));
        assertEquals(1, held.size(), "the SYN to " + far + " was held");
        assertEquals(far, held.getFirst().originalAddress());
        TcpConnection g = held.getFirst().accept(sim.now(), null);
        assertEquals(far, g.localAddress());
        sim.runUntil(() -> ce.established, Time.s(2));
        assertEquals(TcpState.ESTABLISHED, c.state());
    }
}
