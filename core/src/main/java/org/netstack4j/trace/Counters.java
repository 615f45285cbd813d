package org.netstack4j.trace;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Named counters like {@code netstat -s}: "ipv4.in.receives", "ipv4.in.drop.bad_checksum",
 * "tcp.out.segments". Layers look a counter up once ({@link #counter}) and keep it.
 */
public final class Counters {
    /** One counter; single-threaded like the stack that owns it. */
    public static final class Counter {
        private long value;
        public void increment() { value++; }
        public void add(long n) { value += n; }
        public long get() { return value; }
    }

    // Looked up by name on some hot paths: a hash map; snapshot() sorts.
    private final Map<String, Counter> counters = new HashMap<>();

    public Counter counter(String name) { return counters.computeIfAbsent(name, k -> new Counter()); }

    public long get(String name) {
        Counter c = counters.get(name);
        return c == null ? 0 : c.get();
    }

    /**
     * Sets every counter to 0 (layers keep their {@link Counter}s): what was counted before, e.g.
     * a start-up warm-up's traffic, is left out of what a later {@link #snapshot} reports.
     */
    public void reset() {
        counters.values().forEach(c -> c.value = 0);
    }

    /** Non-zero counters by name, sorted. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> { if (v.get() != 0) out.put(k, v.get()); });
        return out;
    }
}
