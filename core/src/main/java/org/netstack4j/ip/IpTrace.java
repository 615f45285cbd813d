package org.netstack4j.ip;

import org.netstack4j.trace.DropReason;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Repr;

/** The IP layer's trace output (drops and notes), shared by its protocol classes. */
final class IpTrace {
    private final Tracer tracer;

    IpTrace(Tracer tracer) { this.tracer = tracer; }

    boolean enabled() { return tracer.enabled(); }

    void drop(long now, String layer, DropReason kind, String reason, String summary) {
        if (tracer.enabled()) tracer.event(new TraceEvent.Drop(now, layer, kind, reason, summary));
    }

    void drop(long now, String layer, DropReason kind, String reason, Ipv4Repr ip) {
        if (tracer.enabled()) tracer.event(new TraceEvent.Drop(now, layer, kind, reason, summary(ip)));
    }

    void dropOut(long now, String layer, DropReason kind, String reason, IpAddress src, IpAddress dst, int protocol, int len) {
        if (tracer.enabled())
            tracer.event(new TraceEvent.Drop(now, layer, kind, reason, "out " + src + " > " + dst + " proto " + protocol
                    + " length " + len));
    }

    void note(long now, String layer, String text) {
        if (tracer.enabled()) tracer.event(new TraceEvent.Note(now, layer, text));
    }

    /** One tcpdump-like line about an IPv4 header. */
    static String summary(Ipv4Repr ip) {
        StringBuilder sb = new StringBuilder();
        sb.append(ip.src()).append(" > ").append(ip.dst()).append(": proto ").append(ip.protocol())
                .append(", id ").append(ip.identification()).append(", ttl ").append(ip.ttl())
                .append(", length ").append(ip.totalLength());
        if (ip.moreFragments() || ip.fragmentOffset() != 0)
            sb.append(", frag ").append(ip.fragmentOffset()).append(ip.moreFragments() ? "+" : "");
        if (ip.dontFragment()) sb.append(", DF");
        return sb.toString();
    }
}
