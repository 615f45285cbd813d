package org.netstack4j.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpLayer;
import org.netstack4j.tcp.TcpState;

/**
 * A {@link MeterBinder} for one stack: every counter of its {@link org.netstack4j.trace.Counters}
 * ({@code netstat -s} style: "tcp.retransmits" becomes the function counter
 * {@code netstack4j.tcp.retransmits}), and the gauges {@code netstack4j.tcp.connections}
 * (tag {@code state}: one series per TCP state, RFC 9293 names), {@code netstack4j.tcp.buffer.memory}
 * (bytes in send and receive buffers), {@code netstack4j.tcp.half_open},
 * {@code netstack4j.tcp.time_wait} and {@code netstack4j.tcp.orphans}.
 *
 * <p>Tag cardinality is bounded by construction: the tags are {@code stack} (the name given here)
 * and {@code state} (eleven values); never an address, port or connection. Counter names are the
 * stack's own, a fixed set in its code; those created after binding (a drop counter the first
 * time its drop happens) are registered at the next read.
 *
 * <p>The stack is single-threaded and a registry reads from its own threads, so the binder reads
 * a snapshot taken on the stack's thread: through the {@link EventLoop} ({@link #of(String, TcpLayer, EventLoop)},
 * at most one hop to the loop per {@code maxAge}), or directly when the caller is the stack's
 * thread ({@link #direct(String, TcpLayer)}: the simulator, tests).
 */
public final class NetstackMetrics implements MeterBinder {
    /** How long a snapshot taken through an event loop serves reads: one scrape takes one hop. */
    public static final long DEFAULT_MAX_AGE_NANOS = 1_000_000_000L;

    record Snapshot(Map<String, Long> counters, Map<TcpState, Integer> states, long bufferMemory,
                    int halfOpen, int timeWait, int orphans, long takenAt) {}

    private final String stack;
    private final Supplier<Snapshot> take;
    private final long maxAgeNanos;
    private final Map<MeterRegistry, Set<String>> bound = new IdentityHashMap<>();
    private final CopyOnWriteArrayList<MeterRegistry> registries = new CopyOnWriteArrayList<>();
    private volatile Snapshot last;

    private NetstackMetrics(String stack, Supplier<Snapshot> take, long maxAgeNanos) {
        this.stack = Objects.requireNonNull(stack, "stack");
        this.take = take;
        this.maxAgeNanos = maxAgeNanos;
    }

    /** Reads {@code tcp} (and its stack's counters) on {@code loop}'s thread, a snapshot at most once a second. */
    public static NetstackMetrics of(String stack, TcpLayer tcp, EventLoop loop) {
        return of(stack, tcp, loop, DEFAULT_MAX_AGE_NANOS);
    }

    public static NetstackMetrics of(String stack, TcpLayer tcp, EventLoop loop, long maxAgeNanos) {
        Objects.requireNonNull(loop, "loop");
        return new NetstackMetrics(stack, () -> loop.call(() -> snapshot(tcp)), maxAgeNanos);
    }

    /** Reads {@code tcp} on the calling thread, which must be the stack's (a simulator's, a test's). */
    public static NetstackMetrics direct(String stack, TcpLayer tcp) {
        Objects.requireNonNull(tcp, "tcp");
        return new NetstackMetrics(stack, () -> snapshot(tcp), -1);
    }

    private static Snapshot snapshot(TcpLayer tcp) {
        Map<TcpState, Integer> states = new EnumMap<>(TcpState.class);
        for (TcpState s : TcpState.values()) states.put(s, 0);
        for (TcpConnection c : tcp.connections()) states.merge(c.state(), 1, Integer::sum);
        return new Snapshot(Map.copyOf(tcp.counters().snapshot()), states, tcp.bufferMemory(),
                tcp.halfOpenCount(), tcp.timeWaitCount(), tcp.orphanCount(), System.nanoTime());
    }

    /** The current snapshot; registers meters for counters that appeared since the last one. */
    private Snapshot current() {
        Snapshot s = last;
        if (s == null || maxAgeNanos < 0 || System.nanoTime() - s.takenAt() > maxAgeNanos) {
            s = take.get();
            last = s;
            for (MeterRegistry r : registries) registerCounters(r, s);
        }
        return s;
    }

    @Override public void bindTo(MeterRegistry registry) {
        registries.add(registry);
        Tags tags = Tags.of("stack", stack);
        for (TcpState state : TcpState.values())
            gauge(registry, "netstack4j.tcp.connections", tags.and("state", state.rfcName()), "connections in this TCP state", null,
                    s -> s.states().get(state));
        gauge(registry, "netstack4j.tcp.buffer.memory", tags, "bytes held in TCP send and receive buffers", "bytes", Snapshot::bufferMemory);
        gauge(registry, "netstack4j.tcp.half_open", tags, "connections in SYN-RECEIVED", null, Snapshot::halfOpen);
        gauge(registry, "netstack4j.tcp.time_wait", tags, "connections in TIME-WAIT", null, Snapshot::timeWait);
        gauge(registry, "netstack4j.tcp.orphans", tags, "connections closed by the application, still closing", null, Snapshot::orphans);
        Snapshot s = take.get();
        last = s;
        registerCounters(registry, s);
    }

    private void gauge(MeterRegistry registry, String name, Tags tags, String description, String unit,
                       Function<Snapshot, Number> value) {
        Gauge.builder(name, this, m -> value.apply(m.current()).doubleValue())
                .tags(tags).description(description).baseUnit(unit).strongReference(true).register(registry);
    }

    private void registerCounters(MeterRegistry registry, Snapshot s) {
        synchronized (bound) {
            for (String name : s.counters().keySet()) {
                if (!bound.computeIfAbsent(registry, r -> new HashSet<>()).add(name)) continue;
                FunctionCounter.builder("netstack4j." + name, this, m -> m.current().counters().getOrDefault(name, 0L))
                        .tags("stack", stack).register(registry);
            }
        }
    }
}
