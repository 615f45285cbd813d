package org.netstack4j.filter;

/** Which way a packet travels relative to the packet that created its connection. */
public enum Direction {
    /** The same way as the first packet (the initiator's side sends). */
    ORIGINAL,
    /** Back towards the initiator. */
    REPLY;

    public Direction opposite() { return this == ORIGINAL ? REPLY : ORIGINAL; }
}
