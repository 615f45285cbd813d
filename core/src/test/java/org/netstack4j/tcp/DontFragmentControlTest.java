package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.path.PmtuDiscovery;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * DF on the segments of no connection, as Linux sends them (issue 16): RSTs leave Linux's control
 * socket, which is IP_PMTUDISC_DO (tcp_sk_init), and a SYN cookie's SYN,ACK follows the listener's
 * pmtudisc (ip_build_and_send_pkt), as every SYN,ACK does. The Linux profile (IP_PMTUDISC_WANT)
 * therefore sets DF on both over IPv4; the RFC profile, which sets DF on nothing, on neither.
 */
class DontFragmentControlTest {
    private static final Ipv4Address LOCAL = Ipv4Address.parse("10.0.0.1"), REMOTE = Ipv4Address.parse("10.0.0.2");

    record Sent(TcpRepr tcp, IpAddress dst, int ipFlags) {
        boolean df() { return (ipFlags & TcpOutput.DONT_FRAGMENT) != 0; }
    }

    /** A layer whose output keeps every segment with the IP flags it was sent with. */
    private static TcpLayer layer(TcpConfig cfg, List<Sent> out) {
        TcpOutput o = new TcpOutput() {
            @Override public void send(long now, IpAddress src, IpAddress dst, TcpRepr tcp, byte[] p, int off, int len) {
                send(now, src, dst, tcp, p, off, len, 0);
            }
            @Override public void send(long now, IpAddress src, IpAddress dst, TcpRepr tcp, byte[] p, int off, int len, int ecn) {
                out.add(new Sent(tcp, dst, ecn));
            }
        };
        return new TcpLayer(cfg, o, Tracer.NONE, new Counters(), 7);
    }

    private static TcpRepr syn(int dstPort) {
        return new TcpRepr(50000, dstPort, 1000, 0, TcpRepr.SYN, 65535, 0, List.of(new TcpOption.Mss(1460)));
    }

    private static Sent rstToClosedPort(TcpConfig cfg, IpAddress local, IpAddress remote) {
        List<Sent> out = new ArrayList<>();
        TcpLayer l = layer(cfg, out);
        l.segmentArrives(0, remote, local, syn(81), new byte[0], 0, 0);
        l.endBatch(0);
        assertEquals(1, out.size(), "one segment: " + out);
        assertEquals(TcpRepr.RST | TcpRepr.ACK, out.get(0).tcp().flags());
        return out.get(0);
    }

    @Test void aRstToAClosedPortCarriesDfInTheLinuxProfile() {
        assertEquals(true, rstToClosedPort(TcpConfig.linuxLike(), LOCAL, REMOTE).df(), "Linux's control socket is IP_PMTUDISC_DO");
        assertEquals(false, rstToClosedPort(TcpConfig.defaults(), LOCAL, REMOTE).df(), "the RFC profile sets DF on nothing");
        assertEquals(false, rstToClosedPort(TcpConfig.linuxLike(), Ipv6Address.parse("fd00::1"), Ipv6Address.parse("fd00::2")).df(),
                "IPv6 has no DF");
    }

    /** Also the RST of a connection's abort (Linux tcp_send_active_reset, the socket's own WANT). */
    @Test void anAbortRstCarriesDfInTheLinuxProfile() {
        List<Sent> out = new ArrayList<>();
        TcpLayer l = layer(TcpConfig.linuxLike(), out);
        TcpConnection c = l.connect(0, LOCAL, 40000, REMOTE, 80, null);
        TcpRepr syn = out.getLast().tcp();
        assertEquals(true, out.getLast().df(), "the SYN: " + out.getLast());
        l.segmentArrives(0, REMOTE, LOCAL, new TcpRepr(80, 40000, 5000, syn.seq() + 1, TcpRepr.SYN | TcpRepr.ACK, 65535, 0,
                List.of(new TcpOption.Mss(1460))), new byte[0], 0, 0);
        l.endBatch(0);
        assertEquals(TcpState.ESTABLISHED, c.state());
        c.abort(0);
        assertEquals(TcpRepr.RST, out.getLast().tcp().flags() & TcpRepr.RST);
        assertEquals(true, out.getLast().df(), "the abort RST: " + out.getLast());
    }

    private static Sent cookieSynAck(TcpConfig cfg) {
        List<Sent> out = new ArrayList<>();
        TcpLayer l = layer(cfg.withHardening(Hardening.defaults().withSynCookies(Hardening.SynCookieMode.ALWAYS)), out);
        l.listen(0, LOCAL, 80, 16, x -> { });
        l.segmentArrives(0, REMOTE, LOCAL, syn(80), new byte[0], 0, 0);
        l.endBatch(0);
        assertEquals(1, out.size(), "one segment: " + out);
        assertEquals(TcpRepr.SYN | TcpRepr.ACK, out.get(0).tcp().flags());
        assertEquals(1, l.counters().get("tcp.syncookies.sent"), "a cookie SYN,ACK");
        return out.get(0);
    }

    @Test void aSynCookieSynAckFollowsTheListenersPmtuDiscovery() {
        assertEquals(true, cookieSynAck(TcpConfig.linuxLike()).df(), "IP_PMTUDISC_WANT: DF");
        assertEquals(false, cookieSynAck(TcpConfig.defaults()).df(), "the RFC profile's PROBE: no DF");
        assertEquals(false, cookieSynAck(TcpConfig.linuxLike().withQuirks(q -> q.withPmtuDiscovery(PmtuDiscovery.DONT))).df(),
                "IP_PMTUDISC_DONT: no DF");
    }
}
