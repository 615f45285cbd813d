package org.netstack4j.ip;

import java.util.ArrayDeque;
import java.util.Objects;
import org.netstack4j.path.PmtuDiscovery;
import org.netstack4j.wire.IpAddress;

/**
 * A bound UDP endpoint (RFC 768) of an {@link IpStack}, made by {@link IpStack#udpBind}.
 * Received datagrams wait in a queue of at most {@link #MAX_QUEUED_DATAGRAMS}; more are
 * dropped and counted ("udp.in.drop.rcvbuf_full"), like a full SO_RCVBUF. ICMP errors about
 * datagrams this socket sent are kept (the latest one) for {@link #error()}, like SO_ERROR.
 * Single-threaded: use it on the stack's thread.
 */
public final class UdpSocket {
    public static final int MAX_QUEUED_DATAGRAMS = 64;
    /** 65535 - 20 (IPv4 header) - 8 (UDP header). */
    public static final int MAX_PAYLOAD = 65507;

    private final Udp udp;
    private final IpAddress localAddress;
    private final int localPort;
    private final ArrayDeque<UdpDatagram> queue = new ArrayDeque<>();
    private UdpError error;
    private boolean closed;
    private PmtuDiscovery pmtuDiscovery = PmtuDiscovery.DONT;
    private int ttl = -1;
    private int trafficClass;
    private Runnable onReceive;

    UdpSocket(Udp udp, IpAddress localAddress, int localPort) {
        this.udp = udp;
        this.localAddress = localAddress;
        this.localPort = localPort;
    }

    public IpAddress localAddress() { return localAddress; }

    public int localPort() { return localPort; }

    /**
     * Sends one datagram from this socket's port (source address: the bound one, or chosen by
     * route when bound to ANY). Returns false if it could not be sent (closed, too long, no
     * route, larger than {@link #maxPayload} (EMSGSIZE), DF set and too big; the stack's
     * counters say which); true means handed to the link or queued for ARP, not delivered.
     */
    public boolean sendTo(long now, IpAddress dst, int dstPort, byte[] data, int off, int len) {
        Objects.requireNonNull(dst, "dst");
        Objects.checkFromIndexSize(off, len, data.length);
        if (dstPort <= 0 || dstPort > 65535) throw new IllegalArgumentException("destination port must be 1..65535: " + dstPort);
        if (closed) return false;
        return udp.output(now, this, dst, dstPort, data, off, len);
    }

    /** The oldest received datagram, or null if none. */
    public UdpDatagram receive() { return queue.poll(); }

    /**
     * Calls {@code onReceive} (on the stack's thread) each time a datagram is queued, so a
     * blocking facade can wake its reader instead of polling; null removes it.
     */
    public void setReceiveListener(Runnable onReceive) { this.onReceive = onReceive; }

    /** Datagrams waiting to be received. */
    public int available() { return queue.size(); }

    /** The latest ICMP error about a datagram we sent, cleared by this call; null if none. */
    public UdpError error() {
        UdpError e = error;
        error = null;
        return e;
    }

    /** Sets the DF bit on datagrams sent from now on (too big ones are then not sent): {@link PmtuDiscovery#DO}, else {@link PmtuDiscovery#DONT}. */
    public void setDontFragment(boolean df) { this.pmtuDiscovery = df ? PmtuDiscovery.DO : PmtuDiscovery.DONT; }

    /** Whether datagrams go with DF whatever their size ({@link PmtuDiscovery#DO} or {@link PmtuDiscovery#PROBE}). */
    public boolean dontFragment() { return pmtuDiscovery == PmtuDiscovery.DO || pmtuDiscovery == PmtuDiscovery.PROBE; }

    /**
     * IP_MTU_DISCOVER / IPV6_MTU_DISCOVER for datagrams sent from now on; {@link PmtuDiscovery#DONT}
     * by default (this stack's old behaviour; Linux's sockets start at {@link PmtuDiscovery#WANT}).
     * DO, PROBE and INTERFACE refuse a datagram larger than the MTU ({@link #maxPayload}: EMSGSIZE);
     * DONT, WANT and OMIT fragment it at the source. IPv4 DF as Linux's __ip_make_skb
     * ({@link PmtuDiscovery#datagramDontFragment}); an ICMP fragmentation needed or packet too
     * big about a datagram of this socket lowers the stack's path MTU unless the mode ignores
     * them ({@link PmtuDiscovery#acceptsPathMtu}).
     */
    public void setPmtuDiscovery(PmtuDiscovery mode) { this.pmtuDiscovery = Objects.requireNonNull(mode, "mode"); }

    public PmtuDiscovery pmtuDiscovery() { return pmtuDiscovery; }

    /**
     * IP_MTU (getsockopt, Linux ip_getsockopt): the MTU datagrams to {@code dst} are sized by
     * now, the path's learnt one or the route's interface MTU (the interface's alone under
     * PROBE, INTERFACE and OMIT); 0 if there is no route.
     */
    public int mtu(IpAddress dst) { return udp.mtu(this, Objects.requireNonNull(dst, "dst")); }

    /**
     * The largest payload {@link #sendTo} takes towards {@code dst} now: {@link #MAX_PAYLOAD}, or
     * under a mode that refuses what does not fit ({@link PmtuDiscovery#datagramRefusesTooBig})
     * the {@link #mtu} less the IP and UDP headers. Larger ones fail (sendTo false, counted
     * udp.out.drop.emsgsize), as Linux's sendmsg fails with EMSGSIZE.
     */
    public int maxPayload(IpAddress dst) { return udp.maxPayload(this, Objects.requireNonNull(dst, "dst")); }

    /** TTL for datagrams sent from now on; -1 = the stack default (64). */
    public void setTtl(int ttl) {
        if (ttl < -1 || ttl > 255) throw new IllegalArgumentException("ttl must be -1 or 0..255: " + ttl);
        this.ttl = ttl;
    }

    public int ttl() { return ttl; }

    /**
     * The traffic class byte (IP_TOS: DSCP in the upper six bits, RFC 2474; ECN in the lower
     * two, RFC 3168) of datagrams sent from now on; 0 by default.
     */
    public void setTrafficClass(int trafficClass) {
        if (trafficClass < 0 || trafficClass > 255) throw new IllegalArgumentException("traffic class must be 0..255: " + trafficClass);
        this.trafficClass = trafficClass;
    }

    public int trafficClass() { return trafficClass; }

    /** Unbinds the port and discards what was queued. Idempotent. */
    public void close() {
        if (closed) return;
        closed = true;
        queue.clear();
        onReceive = null;
        udp.unbind(this);
    }

    public boolean isClosed() { return closed; }

    /** From the stack: false if the queue was full (the datagram is dropped). */
    boolean deliver(UdpDatagram d) {
        if (closed || queue.size() >= MAX_QUEUED_DATAGRAMS) return false;
        queue.add(d);
        Runnable r = onReceive;
        if (r != null) r.run();
        return true;
    }

    void setError(UdpError e) { if (!closed) error = e; }

    @Override public String toString() { return "udp " + localAddress + "." + localPort + (closed ? " (closed)" : ""); }
}
