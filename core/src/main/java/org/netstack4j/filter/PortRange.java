package org.netstack4j.filter;

/** Ports lo..hi inclusive ("80" is 80-80). */
public record PortRange(int lo, int hi) {
    public PortRange {
        if (lo < 0 || hi > 0xffff || lo > hi) throw new IllegalArgumentException("bad port range " + lo + "-" + hi);
    }

    public boolean contains(int port) { return port >= lo && port <= hi; }

    /** How many ports. */
    public int size() { return hi - lo + 1; }

    /**
     * Slice {@code i} of {@code n}: the range cut into n contiguous, disjoint parts that cover it,
     * their sizes differing by at most one (e.g. one per queue of a multi-queue router, so the
     * queues never hand out the same port).
     */
    public PortRange slice(int i, int n) {
        if (n < 1 || i < 0 || i >= n) throw new IllegalArgumentException("slice " + i + " of " + n);
        if (size() < n) throw new IllegalArgumentException("the range " + this + " is smaller than " + n + " slices");
        return new PortRange(lo + (int) ((long) size() * i / n), lo + (int) ((long) size() * (i + 1) / n) - 1);
    }

    /** Which of {@link #slice n slices} holds {@code port}, or -1 if the range does not. */
    public int sliceOf(int port, int n) {
        if (!contains(port)) return -1;
        // slice i starts at offset floor(size*i/n): the last start at or below the offset is the owner
        return (int) (((long) (port - lo + 1) * n - 1) / size());
    }

    @Override public String toString() { return lo == hi ? Integer.toString(lo) : lo + "-" + hi; }
}
