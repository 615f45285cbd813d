package org.netstack4j.filter;

/** Ports lo..hi inclusive ("80" is 80-80). */
public record PortRange(int lo, int hi) {
    public PortRange {
        if (lo < 0 || hi > 0xffff || lo > hi) throw new IllegalArgumentException("bad port range " + lo + "-" + hi);
    }

    public boolean contains(int port) { return port >= lo && port <= hi; }

    @Override public String toString() { return lo == hi ? Integer.toString(lo) : lo + "-" + hi; }
}
