package org.netstack4j.ip;

import org.netstack4j.trace.DropReason;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.Parsed;

/**
 * ICMPv6 (RFC 4443): the echo responder, ping6's requests, errors we send (RFC 4443 2.4 (e):
 * never about an error or a redirect, a multicast or link-layer multicast packet but for packet
 * too big and parameter problem code 2, or a source that is not one node; rate limited by a
 * token bucket, 2.4 (f)), errors we receive (packet too big lowers the path MTU, RFC 8201, and
 * goes to the transport with the unreachables), and Neighbor Discovery handed to {@link Ndp}.
 */
final class Icmpv6 {
    private final IpStack stack;
    private final Ipv6Counters c;
    private final IpTrace trace;
    private Ipv6 ipv6;
    private Ndp ndp;
    private Udp udp;
    private final ErrorRateLimit rateLimit = new ErrorRateLimit();
    private final EchoIds echoIds = new EchoIds();

    Icmpv6(IpStack stack, Ipv6Counters c, IpTrace trace) {
        this.stack = stack;
        this.c = c;
        this.trace = trace;
    }

    void wire(Ipv6 ipv6, Ndp ndp, Udp udp) {
        this.ipv6 = ipv6;
        this.ndp = ndp;
        this.udp = udp;
    }

    /** An ICMPv6 message at buf[off .. off+len) of the packet buf[pktOff .. pktOff+pktLen); l6 null: our loopback. */
    void input(long now, Ipv6Link l6, Ipv6Repr ip, byte[] buf, int pktOff, int pktLen, int off, int len, boolean linkMulticast) {
        c.icmpInMsgs.increment();
        Icmpv6Repr msg;
        switch (Icmpv6Repr.parse(ip.src(), ip.dst(), buf, off, len)) {
            case Parsed.Malformed<Icmpv6Repr> m -> {
                c.icmpInErrors.increment();
                trace.drop(now, "icmpv6", DropReason.of(m.kind()), m.reason(), ip.toString());
                return;
            }
            case Parsed.Ok<Icmpv6Repr> ok -> msg = ok.value();
        }
        switch (msg) {
            case Icmpv6Repr.EchoRequest e -> {
                c.icmpInEchos.increment();
                // RFC 4443 4.2: the reply goes to the request's source, from the unicast address it
                // was sent to (for a multicast request, one of the interface's)
                Ipv6Address from = ip.dst().isMulticast() ? ipv6.sourceFor(l6, ip.src()) : ip.dst();
                if (from == null || ip.src().isUnspecified()) return;
                c.icmpOutEchoReplies.increment();
                send(now, from, ip.src(), -1, new Icmpv6Repr.EchoReply(e.identifier(), e.sequence(), e.data()));
            }
            case Icmpv6Repr.EchoReply e -> {
                c.icmpInEchoReplies.increment();
                EchoReplyListener l = stack.echoListener();
                if (l != null) l.onEchoReply6(now, ip.src(), e.identifier(), e.sequence(), ip.hopLimit(), e.data());
            }
            case Icmpv6Repr.DestinationUnreachable d -> { c.icmpInDestUnreachs.increment(); errorInput(now, ip.src(), msg, d.data()); }
            case Icmpv6Repr.PacketTooBig p -> { c.icmpInPktTooBigs.increment(); errorInput(now, ip.src(), msg, p.data()); }
            case Icmpv6Repr.TimeExceeded t -> { c.icmpInTimeExcds.increment(); errorInput(now, ip.src(), msg, t.data()); }
            case Icmpv6Repr.ParameterProblem p -> { c.icmpInParmProblems.increment(); errorInput(now, ip.src(), msg, p.data()); }
            case Icmpv6Repr.RouterSolicitation r -> ndp.input(now, l6, ip, msg); // hosts ignore them (RFC 4861 6.2.6)
            case Icmpv6Repr.RouterAdvertisement r -> ndp.input(now, l6, ip, msg);
            case Icmpv6Repr.NeighborSolicitation n -> ndp.input(now, l6, ip, msg);
            case Icmpv6Repr.NeighborAdvertisement n -> ndp.input(now, l6, ip, msg);
            case Icmpv6Repr.Redirect r -> ndp.input(now, l6, ip, msg);
            case Icmpv6Repr.Other o -> {
                // RFC 4443 2.4 (b): an unknown informational message is discarded silently; an
                // unknown error goes to the upper layer, which has nothing to do with it
                c.icmpInOther.increment();
                trace.drop(now, "icmpv6", DropReason.UNSUPPORTED, "ICMPv6 type " + o.type() + " code " + o.code(), ip.toString());
            }
        }
    }

    /**
     * An ICMPv6 error from {@code reporter} quoting a packet we sent ({@code quote} begins with
     * its IPv6 header): packet too big updates the path MTU; the transport that sent the
     * quoted packet hears of it (RFC 4443 2.4 (d)).
     */
    private void errorInput(long now, Ipv6Address reporter, Icmpv6Repr error, byte[] quote) {
        if (quote.length < Ipv6Repr.HEADER_LENGTH || (quote[0] & 0xf0) != 0x60) {
            c.icmpInErrors.increment();
            trace.drop(now, "icmpv6", DropReason.BAD_HEADER, "error quotes no IPv6 header", error.toString());
            return;
        }
        Ipv6Address qsrc = Ipv6Address.read(quote, 8), qdst = Ipv6Address.read(quote, 24);
        int nh = quote[6] & 0xff;
        if (!ipv6.isLocal(qsrc)) {
            c.icmpInErrors.increment();
            trace.drop(now, "icmpv6", DropReason.NOT_FOR_US, "error about a packet we did not send", error + " about " + qsrc + " > " + qdst);
            return;
        }
        // RFC 8201 4: a packet too big lowers the path MTU whatever the quoted protocol, once
        // believed (RFC 5927): UDP and ping6 check it below, TCP against its sequence space
        // (IcmpErrors); a protocol with nothing to check it against is believed as before
        long tooBig = error instanceof Icmpv6Repr.PacketTooBig p ? p.mtu() : -1;
        if (trace.enabled()) trace.note(now, "icmpv6", error + " from " + reporter + " about " + qsrc + " > " + qdst + " " + Ipv6Repr.nextHeaderName(nh));
        int qoff = Ipv6Repr.HEADER_LENGTH, qlen = quote.length - qoff;
        switch (nh) {
            case Ipv6Repr.NH_UDP -> {
                if (qlen < 4) return;
                int sport = (quote[qoff] & 0xff) << 8 | (quote[qoff + 1] & 0xff);
                int dport = (quote[qoff + 2] & 0xff) << 8 | (quote[qoff + 3] & 0xff);
                if (tooBig >= 0) { // Linux udpv6_err: a socket of ours, not IPV6_PMTUDISC_INTERFACE or OMIT
                    UdpSocket s = udp.socket(qsrc, sport);
                    learnPathMtu(now, qdst, tooBig, s != null && s.pmtuDiscovery().acceptsPathMtu(true), "no UDP socket of ours sent it");
                }
                udp.error(now, qsrc, sport, new UdpError(now, reporter, qdst, dport, error.type(), error.code(), error.toString()));
            }
            case Ipv6Repr.NH_ICMPV6 -> {
                boolean echo = qlen >= 8 && (quote[qoff] & 0xff) == Icmpv6Repr.TYPE_ECHO_REQUEST;
                int id = echo ? (quote[qoff + 4] & 0xff) << 8 | (quote[qoff + 5] & 0xff) : -1;
                if (tooBig >= 0) learnPathMtu(now, qdst, tooBig, echo && echoIds.contains(id), "not about an echo request of ours");
                EchoReplyListener l = stack.echoListener();
                if (l != null && echo) {
                    int seq = (quote[qoff + 6] & 0xff) << 8 | (quote[qoff + 7] & 0xff);
                    l.onEcho6Error(now, reporter, error, id, seq);
                }
            }
            case Ipv6Repr.NH_TCP -> {
                IpProtocolHandler h = stack.handler(nh);
                if (h != null) h.icmpv6Error(now, error, qsrc, qdst, quote, qoff, qlen);
            }
            default -> {
                if (tooBig >= 0) ipv6.packetTooBig(now, qdst, tooBig);
                IpProtocolHandler h = stack.handler(nh);
                if (h != null) h.icmpv6Error(now, error, qsrc, qdst, quote, qoff, qlen);
            }
        }
    }

    /** A packet too big towards {@code dst}: lowers the path MTU when {@code believed}, else counted and traced with {@code why}. */
    private void learnPathMtu(long now, Ipv6Address dst, long reported, boolean believed, String why) {
        if (believed) ipv6.packetTooBig(now, dst, reported);
        else {
            c.named("icmpv6.in.pmtu.unverified").increment();
            trace.drop(now, "icmpv6", DropReason.POLICY, "packet too big not believed (RFC 5927): " + why, "to " + dst);
        }
    }

    /** ping6: an echo request; replies go to the {@link EchoReplyListener}. hopLimit -1: 64. */
    void ping(long now, Ipv6Address dst, int id, int seq, byte[] data, int hopLimit) {
        c.icmpOutEchos.increment();
        echoIds.sent(id);
        send(now, Ipv6Address.ANY, dst, hopLimit, new Icmpv6Repr.EchoRequest(id & 0xffff, seq & 0xffff, data == null ? new byte[0] : data));
    }

    boolean send(long now, Ipv6Address src, Ipv6Address dst, int hopLimit, Icmpv6Repr msg) {
        // the checksum covers the source: select it first (output then finds the same route)
        Ipv6Address s = src.isUnspecified() ? ipv6.sourceAddressFor(dst) : src;
        c.icmpOutMsgs.increment();
        if (s == null) return ipv6.output(now, src, dst, Ipv6Repr.NH_ICMPV6, 0, hopLimit, null, 0, msg.length(), (buf, at) -> {});
        return ipv6.output(now, s, dst, Ipv6Repr.NH_ICMPV6, 0, hopLimit, null, 0, msg.length(), (buf, at) -> msg.emit(s, dst, buf, at));
    }

    /** ND messages keep the source they are given, :: included (DAD, RFC 4862 5.4.2), and hop limit 255. */
    boolean sendNd(long now, Ipv6Link l6, Ipv6Address src, Ipv6Address dst, Icmpv6Repr msg) {
        c.icmpOutMsgs.increment();
        return ipv6.outputOn(now, l6, src, dst, Ipv6Repr.NH_ICMPV6, 255, msg.length(), (buf, at) -> msg.emit(src, dst, buf, at));
    }

    /**
     * Sends {@code error} (its data is replaced by the quote) about the packet
     * buf[pktOff .. pktOff+pktLen), unless RFC 4443 2.4 (e) forbids it or the rate limit is hit.
     */
    void sendError(long now, Ipv6Repr ip, byte[] buf, int pktOff, int pktLen, boolean linkMulticast, Icmpv6Repr error) {
        sendError(now, ip, buf, pktOff, pktLen, linkMulticast, error, Ipv6Address.ANY);
    }

    /** {@code source}: the error's source address when not ANY (a router's link-local address on the incoming link). */
    void sendError(long now, Ipv6Repr ip, byte[] buf, int pktOff, int pktLen, boolean linkMulticast, Icmpv6Repr error,
                   Ipv6Address source) {
        // (e.1) never about an ICMPv6 error or a redirect
        if (ip.nextHeader() == Ipv6Repr.NH_ICMPV6 && pktLen > Ipv6Repr.HEADER_LENGTH) {
            int t = buf[pktOff + Ipv6Repr.HEADER_LENGTH] & 0xff;
            if (t < 128 || t == Icmpv6Repr.TYPE_REDIRECT) return;
        }
        // (e.2, e.3) not to multicast nor link-layer multicast, except packet too big and parameter problem code 2
        boolean exempt = error instanceof Icmpv6Repr.PacketTooBig
                || error instanceof Icmpv6Repr.ParameterProblem pp && pp.code() == 2;
        if ((ip.dst().isMulticast() || linkMulticast) && !exempt) return;
        // (e.6) the source must identify a single node
        if (ip.src().isUnspecified() || ip.src().isMulticast()) return;
        if (!rateLimit.allows(now)) {
            c.icmpOutRateLimited.increment();
            trace.drop(now, "icmpv6", DropReason.POLICY, "ICMPv6 error rate limited (RFC 4443 2.4 (f))", ip.toString());
            return;
        }
        byte[] quote = Icmpv6Repr.quote(buf, pktOff, pktLen);
        Icmpv6Repr msg = switch (error) {
            case Icmpv6Repr.DestinationUnreachable d -> { c.icmpOutDestUnreachs.increment(); yield new Icmpv6Repr.DestinationUnreachable(d.code(), quote); }
            case Icmpv6Repr.ParameterProblem p -> { c.icmpOutParmProblems.increment(); yield new Icmpv6Repr.ParameterProblem(p.code(), p.pointer(), quote); }
            case Icmpv6Repr.TimeExceeded t -> { c.icmpOutTimeExcds.increment(); yield new Icmpv6Repr.TimeExceeded(t.code(), quote); }
            case Icmpv6Repr.PacketTooBig p -> new Icmpv6Repr.PacketTooBig(p.mtu(), quote);
            default -> throw new IllegalArgumentException("not an ICMPv6 error: " + error);
        };
        Ipv6Address from = !source.isUnspecified() ? source : ipv6.isLocal(ip.dst()) ? ip.dst() : Ipv6Address.ANY;
        if (trace.enabled()) trace.note(now, "icmpv6", "sending " + msg + " to " + ip.src() + " about " + ip);
        send(now, from, ip.src(), -1, msg);
    }
}
