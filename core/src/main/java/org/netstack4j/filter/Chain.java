package org.netstack4j.filter;

/** Where the IP layer consults the rules (netfilter's filter hooks). */
public enum Chain {
    /** Datagrams addressed to this host. */
    INPUT,
    /** Datagrams this host routes between interfaces. */
    FORWARD,
    /** Datagrams this host sends. */
    OUTPUT
}
