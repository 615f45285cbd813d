package org.netstack4j.tcp;

import org.netstack4j.ip.IpProtocolHandler;
import org.netstack4j.ip.IpStack;
import org.netstack4j.time.Pollable;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Parsed;
import org.netstack4j.wire.TcpRepr;

/**
 * Plugs a {@link TcpLayer} into an {@link IpStack}: arriving IP payloads are parsed (checksum
 * verified; malformed ones counted and traced as drops, never thrown), segments leave through
 * {@code TcpRepr.emit} and {@code IpStack.send}, and ICMP errors quoting our segments reach
 * {@link TcpLayer#icmpDestinationUnreachable}. The result is one {@link Pollable} for both.
 */
public final class TcpOverIp implements IpProtocolHandler, Pollable {
    private final IpStack ip;
    private final TcpLayer tcp;
    private final Tracer tracer;
    private final Counters.Counter malformed;

    private TcpOverIp(IpStack ip, TcpConfig config, Tracer tracer, Counters counters, long seed) {
        this.ip = ip;
        this.tracer = tracer == null ? Tracer.NONE : tracer;
        this.tcp = new TcpLayer(config, this::output, this.tracer, counters, seed);
        this.malformed = tcp.counters().counter("tcp.in.malformed");
    }

    /** Creates the TCP layer and registers it with {@code ip} for protocol 6. */
    public static TcpOverIp install(IpStack ip, TcpConfig config, Tracer tracer, Counters counters, long seed) {
        TcpOverIp t = new TcpOverIp(ip, config, tracer, counters, seed);
        ip.setProtocolHandler(Ipv4Repr.PROTO_TCP, t);
        return t;
    }

    public TcpLayer tcp() { return tcp; }
    public IpStack ip() { return ip; }

    private void output(long now, org.netstack4j.wire.Ipv4Address src, org.netstack4j.wire.Ipv4Address dst,
                        TcpRepr seg, byte[] payload, int off, int len) {
        byte[] buf = new byte[seg.headerLength() + len];
        seg.emit(src, dst, buf, 0, payload, off, len);
        ip.send(now, src, dst, Ipv4Repr.PROTO_TCP, -1, buf, 0, buf.length);
    }

    @Override public void receive(long now, Ipv4Repr header, byte[] buf, int off, int len) {
        Parsed<TcpRepr> p = TcpRepr.parse(header.src(), header.dst(), buf, off, len, true);
        if (p instanceof Parsed.Malformed<TcpRepr> m) {
            malformed.increment();
            if (tracer.enabled()) tracer.event(new TraceEvent.Drop(now, "tcp", m.reason(), header.src() + " > " + header.dst()));
            return;
        }
        TcpRepr seg = p.value();
        int h = seg.headerLength();
        tcp.segmentArrives(now, header.src(), header.dst(), seg, buf, off + h, len - h);
    }

    @Override public void icmpError(long now, IcmpRepr error, Ipv4Repr quotedIp, byte[] quoted, int off, int len) {
        if (!(error instanceof IcmpRepr.DestinationUnreachable du) || len < 8) return; // RFC 792: 8 bytes quoted
        int srcPort = (quoted[off] & 0xff) << 8 | (quoted[off + 1] & 0xff);
        int dstPort = (quoted[off + 2] & 0xff) << 8 | (quoted[off + 3] & 0xff);
        int seq = (quoted[off + 4] & 0xff) << 24 | (quoted[off + 5] & 0xff) << 16 | (quoted[off + 6] & 0xff) << 8 | (quoted[off + 7] & 0xff);
        tcp.icmpDestinationUnreachable(now, quotedIp.src(), quotedIp.dst(), du.code(), du.nextHopMtu(), srcPort, dstPort, seq);
    }

    @Override public long pollAt() { return Math.min(ip.pollAt(), tcp.pollAt()); }

    @Override public void poll(long now) {
        if (ip.pollAt() <= now) ip.poll(now);
        if (tcp.pollAt() <= now) tcp.poll(now);
    }
}
