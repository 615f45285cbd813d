package org.netstack4j.ip;

import org.netstack4j.filter.Chain;
import org.netstack4j.filter.Netfilter;
import org.netstack4j.trace.Counters.Counter;
import org.netstack4j.trace.DropReason;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.Parsed;

/**
 * Where the IP layer calls a {@link Netfilter} ({@link IpStack#setNetfilter}), in netfilter's
 * order: pre-routing on every received datagram before the route decision (fragments are
 * reassembled first: the hooks see whole datagrams, as with Linux's nf_defrag), INPUT before
 * local delivery, FORWARD on forwarded datagrams, OUTPUT on our own, post-routing on everything
 * sent, for both families (IPv6: {@link Ipv6#input}, {@link Forwarding6}, fragments gathered by
 * {@link Defrag6}; Neighbor Discovery skips INPUT as ARP does, {@link Ipv6#neighborDiscovery}). A drop is
 * counted (ipv4.filtered.&lt;hook&gt; or ipv6.filtered.&lt;hook&gt;) and traced as {@link DropReason#FILTERED};
 * a reject sends the netfilter's answer, which passes no hook itself.
 */
final class Hooks {
    enum Hook { PREROUTING, INPUT, FORWARD, OUTPUT, POSTROUTING }

    final Netfilter nf;
    private final IpStack stack;
    private final IpTrace trace;
    private final Counter[] filtered = new Counter[Hook.values().length], filtered6 = new Counter[Hook.values().length];
    private final Counter rejects;

    Hooks(Netfilter nf, IpStack stack, IpCounters c, IpTrace trace) {
        this.nf = nf;
        this.stack = stack;
        this.trace = trace;
        for (Hook h : Hook.values()) {
            filtered[h.ordinal()] = c.named("ipv4.filtered." + h.name().toLowerCase(java.util.Locale.ROOT));
            filtered6[h.ordinal()] = c.named("ipv6.filtered." + h.name().toLowerCase(java.util.Locale.ROOT));
        }
        rejects = c.named("ipv4.filtered.rejects_sent");
    }

    /** True when the datagram at buf[off..off+len) goes on (possibly rewritten in place). */
    boolean pass(long now, Hook hook, Link in, Link out, byte[] buf, int off, int len) {
        String inName = in == null ? "" : in.iface.name();
        String outName = out == null ? "" : out.iface.name();
        Netfilter.Outcome o = switch (hook) {
            case PREROUTING -> nf.preRouting(buf, off, len, inName, now);
            case INPUT -> nf.filter(Chain.INPUT, buf, off, len, inName, "", now);
            case FORWARD -> nf.filter(Chain.FORWARD, buf, off, len, inName, outName, now);
            case OUTPUT -> nf.filter(Chain.OUTPUT, buf, off, len, "", outName, now);
            case POSTROUTING -> nf.postRouting(buf, off, len, outName, now);
        };
        switch (o) {
            case Netfilter.Outcome.Pass p -> { return true; }
            case Netfilter.Outcome.Drop d -> {
                counter(hook, buf, off, len).increment();
                if (trace.enabled()) trace.drop(now, "netfilter", DropReason.FILTERED, hook + ": " + d.reason(), summary(buf, off, len));
                return false;
            }
            case Netfilter.Outcome.Reject r -> {
                counter(hook, buf, off, len).increment();
                if (trace.enabled()) trace.drop(now, "netfilter", DropReason.FILTERED, hook + ": rejected", summary(buf, off, len));
                if (stack.sendRaw(now, r.answer())) rejects.increment();
                return false;
            }
        }
    }

    private static boolean v6(byte[] buf, int off, int len) { return len > 0 && (buf[off] & 0xf0) == 0x60; }

    private Counter counter(Hook hook, byte[] buf, int off, int len) {
        return (v6(buf, off, len) ? filtered6 : filtered)[hook.ordinal()];
    }

    private static String summary(byte[] buf, int off, int len) {
        if (v6(buf, off, len))
            return Ipv6Repr.parse(buf, off, len) instanceof Parsed.Ok<Ipv6Repr> ok ? ok.value().toString() : len + " bytes";
        return Ipv4Repr.parse(buf, off, len) instanceof Parsed.Ok<Ipv4Repr> ok ? IpTrace.summary(ok.value()) : len + " bytes";
    }
}
