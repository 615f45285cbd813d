package org.netstack4j.trace;

/** What a hub or bridge did: the kinds of {@link TraceEvent.Relay}. */
public enum RelayAction {
    /** A hub sent the frame out of every other port, reading no address. */
    REPEATED,
    /** A bridge sent the frame out of every other port: broadcast, multicast or unknown destination. */
    FLOODED,
    /** A bridge sent the frame out of the one port its destination was learned on. */
    FORWARDED,
    /** A bridge dropped the frame: its destination lives behind the port it came in by. */
    FILTERED,
    /** A bridge learned a new address on a port. */
    LEARNED,
    /** A bridge saw a known address on another port than before (the station moved). */
    MOVED,
    /** A bridge forgot an address: no frame from it within the ageing time. */
    AGED
}
