package org.netstack4j.ip;

import org.netstack4j.trace.DropReason;

import java.util.Arrays;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Parsed;

/**
 * ICMP for IPv4 (RFC 792, RFC 1122 3.2.2): the echo responder, ping's requests, errors we
 * send (rate limited, never about errors, broadcasts or later fragments) and errors we receive,
 * passed to the transport that sent the quoted datagram; a fragmentation needed about UDP or
 * ping lowers the stack's path MTU here once believed (RFC 1191, RFC 5927), TCP's in TCP.
 */
final class Icmp {
    /** RFC 1812 4.3.2.3: an ICMP error quotes as much as fits in 576 bytes. */
    static final int MAX_QUOTE = 576 - Ipv4Repr.MIN_HEADER_LENGTH - 8;

    private final IpStack stack;
    private final IpCounters c;
    private final IpTrace trace;
    private Udp udp;
    private final ErrorRateLimit rateLimit = new ErrorRateLimit();
    private final EchoIds echoIds = new EchoIds();

    Icmp(IpStack stack, IpCounters c, IpTrace trace) {
        this.stack = stack;
        this.c = c;
        this.trace = trace;
    }

    void wire(Udp udp) { this.udp = udp; }

    void input(long now, Ipv4Repr ip, byte[] buf, int off, int len, boolean broadcast) {
        c.icmpInMsgs.increment();
        IcmpRepr msg;
        switch (IcmpRepr.parse(buf, off, len)) {
            case Parsed.Malformed<IcmpRepr> m -> {
                c.icmpInErrors.increment();
                if (m.kind() == org.netstack4j.wire.MalformedKind.CHECKSUM) c.icmpInDropBadChecksum.increment();
                trace.drop(now, "icmp", DropReason.of(m.kind()), m.reason(), ip);
                return;
            }
            case Parsed.Ok<IcmpRepr> ok -> msg = ok.value();
        }
        switch (msg) {
            case IcmpRepr.EchoRequest e -> {
                c.icmpInEcho.increment();
                if (broadcast) {
                    // RFC 1122 3.2.2.6 allows ignoring broadcast echo; Linux does by default (smurf).
                    c.icmpInDropBroadcastEcho.increment();
                    trace.drop(now, "icmp", DropReason.POLICY, "echo request to a broadcast address ignored", ip);
                    return;
                }
                c.icmpOutEchoReps.increment();
                send(now, ip.dst(), ip.src(), -1, new IcmpRepr.EchoReply(e.identifier(), e.sequence(), e.data()));
            }
            case IcmpRepr.EchoReply r -> {
                c.icmpInEchoReps.increment();
                EchoReplyListener l = stack.echoListener();
                if (l != null) l.onEchoReply(now, ip.src(), r.identifier(), r.sequence(), ip.ttl(), r.data());
            }
            case IcmpRepr.DestinationUnreachable d -> {
                c.icmpInDestUnreachs.increment();
                errorInput(now, ip.src(), d, d.data());
            }
            case IcmpRepr.TimeExceeded t -> {
                c.icmpInTimeExcds.increment();
                errorInput(now, ip.src(), t, t.data());
            }
            case IcmpRepr.Other o -> c.icmpInOther.increment();
        }
    }

    /**
     * An ICMP error from {@code reporter} quoting one of our datagrams (RFC 1122 3.2.2.1:
     * pass it to the transport, which uses the quoted ports to find the connection).
     */
    private void errorInput(long now, Ipv4Address reporter, IcmpRepr error, byte[] quote) {
        Ipv4Repr q = parseQuoted(quote);
        if (q == null) {
            c.icmpInErrors.increment();
            trace.drop(now, "icmp", DropReason.TRUNCATED, "quoted datagram too short or not IPv4", "from " + reporter);
            return;
        }
        if (!stack.isLocalAddress(q.src())) {
            c.icmpInDropNotOurs.increment();
            trace.drop(now, "icmp", DropReason.NOT_FOR_US, "error about a datagram we did not send", "from " + reporter + " about " + q.src());
            return;
        }
        int qoff = q.headerLength();
        int qlen = quote.length - qoff;
        if (trace.enabled()) trace.note(now, "icmp", describe(error) + " from " + reporter + " about " + q.src() + " > "
                + q.dst() + " proto " + q.protocol());
        // RFC 1191: a fragmentation needed lowers the path MTU whatever the quoted protocol, once
        // believed (RFC 5927): UDP and ping check it below, TCP against its sequence space (IcmpErrors)
        int nextHopMtu = error instanceof IcmpRepr.DestinationUnreachable d && d.code() == IcmpRepr.CODE_FRAGMENTATION_NEEDED
                ? d.nextHopMtu() : -1;
        switch (q.protocol()) {
            case Ipv4Repr.PROTO_UDP -> {
                if (qlen < 4) return;
                int sport = (quote[qoff] & 0xff) << 8 | (quote[qoff + 1] & 0xff);
                int dport = (quote[qoff + 2] & 0xff) << 8 | (quote[qoff + 3] & 0xff);
                // Linux udp_err: only for a socket of ours on the quoted source port, in a mode that
                // takes path MTUs (not IP_PMTUDISC_DONT, INTERFACE or OMIT)
                if (nextHopMtu >= 0) {
                    UdpSocket s = udp.socket(q.src(), sport);
                    learnPathMtu(now, q.dst(), nextHopMtu, s != null && s.pmtuDiscovery().acceptsPathMtu(false), "no UDP socket of ours sent it");
                }
                udp.error(now, q.src(), sport, new UdpError(now, reporter, q.dst(), dport, type(error), code(error), describe(error)));
            }
            case Ipv4Repr.PROTO_ICMP -> {
                // Errors about our echo requests go to ping (RFC 1122 3.2.2: never answered).
                boolean echo = qlen >= 8 && (quote[qoff] & 0xff) == IcmpRepr.TYPE_ECHO_REQUEST;
                int id = echo ? (quote[qoff + 4] & 0xff) << 8 | (quote[qoff + 5] & 0xff) : -1;
                if (nextHopMtu >= 0) learnPathMtu(now, q.dst(), nextHopMtu, echo && echoIds.contains(id), "not about an echo request of ours");
                EchoReplyListener l = stack.echoListener();
                if (l != null && echo) {
                    int seq = (quote[qoff + 6] & 0xff) << 8 | (quote[qoff + 7] & 0xff);
                    l.onEchoError(now, reporter, error, id, seq);
                }
            }
            default -> {
                IpProtocolHandler h = stack.handler(q.protocol());
                if (h != null) h.icmpError(now, error, q, quote, qoff, qlen);
            }
        }
    }

    /**
     * A fragmentation needed reporting {@code reported} towards {@code dst}: lowers the stack's
     * path MTU cache (floored as Linux, {@link org.netstack4j.path.PathMtuCache#learn}) when
     * {@code believed}; otherwise counted (icmp.in.pmtu.unverified) and traced with {@code why}.
     */
    private void learnPathMtu(long now, Ipv4Address dst, int reported, boolean believed, String why) {
        if (!believed) {
            c.named("icmp.in.pmtu.unverified").increment();
            trace.drop(now, "icmp", DropReason.POLICY, "fragmentation needed not believed (RFC 5927): " + why, "to " + dst);
            return;
        }
        if (stack.pathMtus().learn(now, dst, reported, stack.mtuFor(dst))) {
            c.named("ipv4.pmtu.updates").increment();
            if (trace.enabled()) trace.note(now, "icmp", "path MTU to " + dst + " now " + stack.pathMtus().mtu(now, dst));
        }
    }

    /** ARP gave up on the next hop of a packet we sent (frame[off] is its IPv4 header): a host unreachable made up locally. */
    void localHostUnreachable(long now, Link link, byte[] frame, int off) {
        if (!(Ipv4Repr.parse(frame, off, frame.length - off) instanceof Parsed.Ok<Ipv4Repr> ok)) return;
        Ipv4Repr ip = ok.value();
        if (!stack.isLocalAddress(ip.src())) {
            // a datagram we were forwarding (RFC 1812 5.2.7.1): the host unreachable goes to its source
            int poff = off + ip.headerLength();
            sendError(now, ip, frame, poff, Math.max(0, Math.min(ip.payloadLength(), frame.length - poff)), false,
                    IcmpRepr.TYPE_DEST_UNREACHABLE, IcmpRepr.CODE_HOST_UNREACHABLE);
            return;
        }
        if (ip.fragmentOffset() != 0 || isIcmpError(ip, frame, off + ip.headerLength())) return;
        byte[] quote = Arrays.copyOfRange(frame, off, off + Math.min(ip.totalLength(), MAX_QUOTE));
        errorInput(now, link.iface.address(),
                new IcmpRepr.DestinationUnreachable(IcmpRepr.CODE_HOST_UNREACHABLE, 0, quote), quote);
    }

    /**
     * The quoted IPv4 header of an ICMP error, read leniently: the quote is cut short, so its
     * total length and checksum cannot be checked. Null if it is not an IPv4 header.
     */
    static Ipv4Repr parseQuoted(byte[] q) {
        if (q == null || q.length < Ipv4Repr.MIN_HEADER_LENGTH) return null;
        int vihl = q[0] & 0xff;
        int hl = (vihl & 0x0f) * 4;
        if ((vihl >>> 4) != 4 || hl < Ipv4Repr.MIN_HEADER_LENGTH || hl > q.length) return null;
        int total = (q[2] & 0xff) << 8 | (q[3] & 0xff);
        int flags = (q[6] & 0xff) << 8 | (q[7] & 0xff);
        return new Ipv4Repr(q[1] & 0xff, (q[4] & 0xff) << 8 | (q[5] & 0xff), (flags & 0x4000) != 0,
                (flags & 0x2000) != 0, (flags & 0x1fff) * 8, q[8] & 0xff, q[9] & 0xff,
                Ipv4Address.read(q, 12), Ipv4Address.read(q, 16), Arrays.copyOfRange(q, 20, hl),
                Math.max(0, total - hl));
    }

    /** An echo request (ping); replies go to the {@link EchoReplyListener}. ttl -1: 64. */
    void ping(long now, Ipv4Address dst, int id, int seq, byte[] data, int ttl, boolean dontFragment) {
        c.icmpOutEcho.increment();
        echoIds.sent(id);
        Ipv4Address src = stack.sourceAddressFor(dst);
        send(now, src == null ? Ipv4Address.ANY : src, dst, ttl, dontFragment,
                new IcmpRepr.EchoRequest(id & 0xffff, seq & 0xffff, data == null ? new byte[0] : data));
    }

    private boolean send(long now, Ipv4Address src, Ipv4Address dst, int ttl, IcmpRepr msg) {
        return send(now, src, dst, ttl, false, msg);
    }

    private boolean send(long now, Ipv4Address src, Ipv4Address dst, int ttl, boolean dontFragment, IcmpRepr msg) {
        byte[] b = new byte[msg.length()];
        msg.emit(b, 0);
        c.icmpOutMsgs.increment();
        return stack.send(now, src, dst, Ipv4Repr.PROTO_ICMP, ttl, dontFragment, b, 0, b.length);
    }

    /**
     * Sends an ICMP error about the datagram {@code ip} whose payload is buf[off..off+len),
     * unless RFC 1122 3.2.2 forbids it: not about an ICMP error, a broadcast or multicast, a
     * non-first fragment, or a source that is not a single host; and within the rate limit.
     * {@code type} is destination unreachable or time exceeded.
     */
    void sendError(long now, Ipv4Repr ip, byte[] buf, int off, int len, boolean broadcast, int type, int code) {
        sendError(now, ip, buf, off, len, broadcast, type, code, 0);
    }

    /**
     * A Parameter Problem (RFC 792: type 12, code 0, the pointer octet names the fault in the
     * quoted header) about {@code ip}, under the same rules as {@link #sendError}.
     */
    void sendParameterProblem(long now, Ipv4Repr ip, byte[] buf, int off, int len, boolean broadcast, int pointer) {
        sendError(now, ip, buf, off, len, broadcast, TYPE_PARAMETER_PROBLEM, 0, pointer);
    }

    /** RFC 792 Parameter Problem (carried as {@link IcmpRepr.Other}: the pointer is the first octet after the checksum). */
    static final int TYPE_PARAMETER_PROBLEM = 12;

    /**
     * {@link #sendError} with the next-hop MTU of a "fragmentation needed" (RFC 1191 4), or the
     * pointer of a parameter problem.
     */
    void sendError(long now, Ipv4Repr ip, byte[] buf, int off, int len, boolean broadcast, int type, int code,
                   int nextHopMtu) {
        if (broadcast || ip.dst().isMulticast() || ip.fragmentOffset() != 0) return;
        Ipv4Address s = ip.src();
        if (s.isUnspecified() || s.isBroadcast() || s.isMulticast() || stack.isDirectedBroadcast(s)) return;
        if (ip.protocol() == Ipv4Repr.PROTO_ICMP && isIcmpError(ip, buf, off)) return;
        if (!rateLimit.allows(now)) {
            c.icmpOutRateLimited.increment();
            return;
        }
        // The quote: the header as received (re-emitted; for a reassembled datagram, the whole
        // one) and as much payload as fits in 576 bytes (RFC 1812 4.3.2.3; RFC 792 asks 8).
        int hl = ip.headerLength();
        int qdata = Math.max(0, Math.min(len, MAX_QUOTE - hl));
        byte[] quote = new byte[hl + qdata];
        ip.emit(quote, 0);
        System.arraycopy(buf, off, quote, hl, qdata);
        IcmpRepr msg;
        if (type == IcmpRepr.TYPE_TIME_EXCEEDED) {
            c.icmpOutTimeExcds.increment();
            msg = new IcmpRepr.TimeExceeded(code, quote);
        } else if (type == TYPE_PARAMETER_PROBLEM) {
            c.named("icmp.out.parm_probs").increment();
            byte[] rest = new byte[4 + quote.length];
            rest[0] = (byte) nextHopMtu; // the pointer; three unused octets follow
            System.arraycopy(quote, 0, rest, 4, quote.length);
            msg = new IcmpRepr.Other(TYPE_PARAMETER_PROBLEM, code, rest);
        } else {
            c.icmpOutDestUnreachs.increment();
            msg = new IcmpRepr.DestinationUnreachable(code, nextHopMtu, quote);
        }
        Ipv4Address from = stack.isLocalAddress(ip.dst()) ? ip.dst() : Ipv4Address.ANY;
        if (trace.enabled()) trace.note(now, "icmp", "sending " + describe(msg) + " to " + s + " about " + IpTrace.summary(ip));
        send(now, from, s, -1, msg);
    }

    /**
     * True if the ICMP message at buf[off] is an error or of unknown type (as Linux does, only
     * known query types may be answered with an error).
     */
    private static boolean isIcmpError(Ipv4Repr ip, byte[] buf, int off) {
        if (ip.protocol() != Ipv4Repr.PROTO_ICMP) return false;
        if (ip.payloadLength() < 1 || off >= buf.length) return true;
        return switch (buf[off] & 0xff) {
            case 0, 8, 9, 10, 13, 14, 15, 16, 17, 18 -> false;
            default -> true;
        };
    }

    static int type(IcmpRepr m) {
        return switch (m) {
            case IcmpRepr.EchoRequest e -> IcmpRepr.TYPE_ECHO_REQUEST;
            case IcmpRepr.EchoReply e -> IcmpRepr.TYPE_ECHO_REPLY;
            case IcmpRepr.DestinationUnreachable d -> IcmpRepr.TYPE_DEST_UNREACHABLE;
            case IcmpRepr.TimeExceeded t -> IcmpRepr.TYPE_TIME_EXCEEDED;
            case IcmpRepr.Other o -> o.type();
        };
    }

    static int code(IcmpRepr m) {
        return switch (m) {
            case IcmpRepr.EchoRequest e -> 0;
            case IcmpRepr.EchoReply e -> 0;
            case IcmpRepr.DestinationUnreachable d -> d.code();
            case IcmpRepr.TimeExceeded t -> t.code();
            case IcmpRepr.Other o -> o.code();
        };
    }

    /** RFC 792 wording of an ICMP message. */
    static String describe(IcmpRepr m) {
        return switch (m) {
            case IcmpRepr.EchoRequest e -> "echo request";
            case IcmpRepr.EchoReply e -> "echo reply";
            case IcmpRepr.DestinationUnreachable d -> switch (d.code()) {
                case IcmpRepr.CODE_NET_UNREACHABLE -> "net unreachable";
                case IcmpRepr.CODE_HOST_UNREACHABLE -> "host unreachable";
                case IcmpRepr.CODE_PROTOCOL_UNREACHABLE -> "protocol unreachable";
                case IcmpRepr.CODE_PORT_UNREACHABLE -> "port unreachable";
                case IcmpRepr.CODE_FRAGMENTATION_NEEDED -> "fragmentation needed and DF set";
                case 5 -> "source route failed";
                default -> "destination unreachable (code " + d.code() + ")";
            };
            case IcmpRepr.TimeExceeded t -> t.code() == IcmpRepr.CODE_REASSEMBLY_TIME_EXCEEDED
                    ? "fragment reassembly time exceeded" : "time to live exceeded in transit";
            case IcmpRepr.Other o -> "ICMP type " + o.type() + " code " + o.code();
        };
    }
}
