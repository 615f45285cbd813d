package org.netstack4j.ip;

import java.util.Arrays;
import java.util.function.Function;
import org.netstack4j.trace.Counters.Counter;

/** Counters per interface and direction, {@code <prefix>.<name>.in} and {@code .out}, made on first use (forwarding's). */
final class LinkCounters {
    private final Function<String, Counter> named;
    private final String prefix;
    private Counter[] in = new Counter[0], out = new Counter[0];

    LinkCounters(Function<String, Counter> named, String prefix) {
        this.named = named;
        this.prefix = prefix;
    }

    Counter of(Link l, boolean inbound) {
        if (l.index >= in.length) {
            in = Arrays.copyOf(in, l.index + 1);
            out = Arrays.copyOf(out, l.index + 1);
        }
        Counter[] a = inbound ? in : out;
        if (a[l.index] == null) a[l.index] = named.apply(prefix + "." + l.iface.name() + (inbound ? ".in" : ".out"));
        return a[l.index];
    }
}
