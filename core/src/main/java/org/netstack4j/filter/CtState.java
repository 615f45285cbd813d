package org.netstack4j.filter;

/** What connection tracking says about one packet; the firewall matches on it ("state new,established"). */
public enum CtState {
    /** Starts a connection, or belongs to one that has not seen a reply yet. */
    NEW,
    /** Belongs to a connection that has seen packets both ways. */
    ESTABLISHED,
    /** An ICMP error about a tracked connection. */
    RELATED,
    /** Fits no connection: out of window, a TCP segment no state accepts, an ICMP error about nothing. */
    INVALID
}
