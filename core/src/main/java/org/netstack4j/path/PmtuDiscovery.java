package org.netstack4j.path;

/**
 * Path MTU discovery per socket (RFC 1191, RFC 8201), as Linux's IP_MTU_DISCOVER and
 * IPV6_MTU_DISCOVER take it: the constants in Linux's order, so {@link #ordinal()} is the
 * socket option's value (IP_PMTUDISC_DONT = 0 ... IP_PMTUDISC_OMIT = 5). Linux's sockets start
 * at {@link #WANT} (sysctl ip_no_pmtu_disc = 0).
 *
 * <p>What it means for TCP (Linux ip_dont_fragment, ip_sk_accept_pmtu, tcp_v4_mtu_reduced,
 * tcp_v6_err): DF is set on every IPv4 segment under {@link #DO}, and under {@link #WANT} unless
 * the path's MTU is locked (an ICMP reported one below the floor, net.ipv4.route.min_pmtu); never
 * under the others (PROBE sets DF on datagrams, not on TCP's ip_queue_xmit). A believed
 * "fragmentation needed" or "packet too big" always lowers the stack's {@link PathMtuCache}; it
 * lowers the connection's MSS unless the mode is {@link #INTERFACE} or {@link #OMIT}, or, for
 * IPv4, {@link #DONT}.
 */
public enum PmtuDiscovery {
    /** Never DF; fragment as needed (IP_PMTUDISC_DONT). */
    DONT,
    /** DF unless the path MTU is locked; fragment only then (IP_PMTUDISC_WANT, Linux's default). */
    WANT,
    /** Always DF (IP_PMTUDISC_DO). */
    DO,
    /** Datagrams DF and sized by the interface MTU; TCP as DONT for DF (IP_PMTUDISC_PROBE). */
    PROBE,
    /** Sized by the interface MTU, ICMP path MTUs ignored (IP_PMTUDISC_INTERFACE). */
    INTERFACE,
    /** As INTERFACE, fragmenting datagrams that do not fit (IP_PMTUDISC_OMIT). */
    OMIT;

    /** The mode of a socket option value, or null when out of range (EINVAL). */
    public static PmtuDiscovery ofValue(int v) {
        PmtuDiscovery[] all = values();
        return v >= 0 && v < all.length ? all[v] : null;
    }

    /** Whether a TCP segment to a path whose MTU is {@code locked} (or not) goes with DF (IPv4). */
    public boolean tcpDontFragment(boolean locked) {
        return switch (this) {
            case DO -> true;
            case WANT -> !locked;
            case DONT, PROBE, INTERFACE, OMIT -> false;
        };
    }

    /** Whether a believed ICMP path MTU lowers a TCP connection's MSS in this mode ({@code ipv6}: the connection's family). */
    public boolean tcpAcceptsPathMtu(boolean ipv6) { return acceptsPathMtu(ipv6); }

    /**
     * Whether an ICMP path MTU about what a socket in this mode sent is believed (Linux
     * ip_sk_accept_pmtu / ip6_sk_accept_pmtu; for IPv4 udp_err and tcp_v4_mtu_reduced also
     * skip {@link #DONT}): the same rule for TCP, UDP and ping.
     */
    public boolean acceptsPathMtu(boolean ipv6) {
        return switch (this) {
            case DONT -> ipv6;
            case WANT, DO, PROBE -> true;
            case INTERFACE, OMIT -> false;
        };
    }

    /** Whether a datagram sent in this mode is sized by the learnt path MTU rather than the interface's (Linux ip_sk_use_pmtu). */
    public boolean datagramUsesPathMtu() { return this == DONT || this == WANT || this == DO; }

    /**
     * Whether a datagram larger than the MTU ({@link #datagramUsesPathMtu}) fails with EMSGSIZE
     * rather than being fragmented at the source (Linux !ip_sk_ignore_df / !ip6_sk_ignore_df).
     */
    public boolean datagramRefusesTooBig() { return this == DO || this == PROBE || this == INTERFACE; }

    /**
     * Whether an IPv4 datagram that {@code fits} the MTU goes with DF towards a path whose MTU
     * is {@code locked} (Linux __ip_make_skb: always under DO and PROBE; under WANT when it fits
     * and the path is not locked; larger WANT datagrams are fragmented at the source, without DF).
     */
    public boolean datagramDontFragment(boolean fits, boolean locked) {
        return switch (this) {
            case DO, PROBE -> true;
            case WANT -> fits && !locked;
            case DONT, INTERFACE, OMIT -> false;
        };
    }
}
