package org.netstack4j.packetdrill;

import java.util.List;
import java.util.Map;
import org.netstack4j.time.Pollable;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.TcpRepr;

/**
 * What the interpreter needs from a TCP implementation, in socket-ish terms. The adapter
 * over {@code org.netstack4j.tcp.TcpLayer} implements it; tests may use a fake. Keeping the
 * interpreter on this narrow seam means a change of the engine API touches one adapter file.
 */
public interface TcpStack extends Pollable {

    /** Where the stack's segments go (the interpreter queues them for {@code >} lines). */
    @FunctionalInterface
    interface Output {
        /** {@code ecn}: the ECN field of the segment's IP header (RFC 3168 5: 0 Not-ECT ... 3 CE). */
        void send(long now, IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload, int ecn);

        /** A Not-ECT segment. */
        default void send(long now, IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload) {
            send(now, src, dst, tcp, payload, 0);
        }
    }

    /** Creates a fresh stack configured from the settings (profile + sysctl shims). */
    @FunctionalInterface
    interface Factory {
        TcpStack create(StackSettings settings, Output output, long seed);
    }

    /** A call the stack refused, with the errno a kernel would give (EPIPE, ECONNRESET, ...). */
    final class Failure extends Exception {
        private final String errno;
        public Failure(String errno, String message) { super(message); this.errno = errno; }
        public String errno() { return errno; }
    }

    void segmentArrives(long now, IpAddress src, IpAddress dst, TcpRepr seg, byte[] payload);

    /**
     * A segment whose IP header had ECN field {@code ecn} ({@code [ect0]}, {@code [ce]}...). By
     * default the field is dropped, which only a stack without ECN may do.
     */
    default void segmentArrives(long now, IpAddress src, IpAddress dst, TcpRepr seg, byte[] payload, int ecn) {
        segmentArrives(now, src, dst, seg, payload);
    }

    /**
     * An ICMP destination unreachable quoting our segment (src/dst and ports as we sent it,
     * seq its sequence number).
     */
    void icmpUnreachable(long now, IpAddress src, IpAddress dst, int code, int nextHopMtu, int srcPort,
                         int dstPort, int seq);

    /** An ICMPv6 error (destination unreachable, packet too big, time exceeded) quoting our segment. */
    void icmpv6Error(long now, Icmpv6Repr error, IpAddress src, IpAddress dst, int srcPort, int dstPort, int seq);

    /** An ICMP time exceeded quoting our segment (as {@link #icmpUnreachable}). */
    void icmpTimeExceeded(long now, IpAddress src, IpAddress dst, int srcPort, int dstPort, int seq);

    Conn connect(long now, IpAddress local, int localPort, IpAddress remote, int remotePort, SocketOptions opts)
        throws Failure;

    Listen listen(long now, IpAddress local, int port, int backlog, SocketOptions opts) throws Failure;

    /**
     * A Fast Open connect (RFC 7413; Linux sendto with MSG_FASTOPEN, or the first write after
     * TCP_FASTOPEN_CONNECT): the SYN carries up to {@code len} bytes of data when a cookie is
     * cached or none is needed, else it asks for a cookie. {@link Conn#synDataLength()} says
     * how much it took. EOPNOTSUPP when the client bit of tcp_fastopen is off.
     */
    default Conn connectFastOpen(long now, IpAddress local, int localPort, IpAddress remote, int remotePort,
                                 SocketOptions opts, int len) throws Failure {
        throw new Unsupported(0, "TCP Fast Open");
    }

    /** The IP_MTU_DISCOVER of a socket that set none (Linux: IP_PMTUDISC_WANT). */
    default org.netstack4j.path.PmtuDiscovery defaultPmtuDiscovery() { return org.netstack4j.path.PmtuDiscovery.WANT; }

    /** Would a Fast Open connect to {@code remote} carry data (a cookie cached, or none needed)? */
    default boolean fastOpenCarriesData(IpAddress remote, SocketOptions opts) { return false; }

    /**
     * A sysctl changed after the stack was built: what Linux reads afresh for every segment
     * reaches the connections that exist. Returns true when everything changed since the stack
     * was built reaches the connections opened from now on (else the runner's stale-config check
     * refuses a later connect or listen).
     */
    default boolean sysctlChanged(StackSettings settings) { return false; }

    /** The stack's counters by name (netstack4j's names, as {@code Counters.snapshot()}); none if it keeps none. */
    default Map<String, Long> counters() { return Map.of(); }

    /** A key for the stack-wide TCP-MD5 table (FreeBSD's security associations, {@code setkey}); an empty key deletes. */
    default void setStackMd5Key(org.netstack4j.tcp.TcpMd5Key key) { throw new Unsupported(0, "a stack-wide TCP-MD5 key (setkey)"); }

    /** Every connection the stack knows, including embryonic and TIME-WAIT ones. */
    List<Conn> connections();

    /** SO_RCVBUF / SO_SNDBUF of a fresh socket. */
    int defaultReceiveBuffer();
    int defaultSendBuffer();

    /** Forgets a connection without sending anything (tcpdrop of a TIME-WAIT connection). */
    void drop(long now, Conn c);

    /** Per-socket options set before connect/listen (nulls = stack default). */
    final class SocketOptions {
        public Integer rcvBuf, sndBuf, maxSeg;
        public boolean noDelay;
        public Integer keepIdleS, keepIntvlS, keepCnt;
        public boolean keepAlive;
        /** TCP_NOOPT (FreeBSD): no TCP options on the handshake. */
        public boolean noOptions;
        /** TCP_DEFER_ACCEPT as SYN,ACK timeouts (Linux converts the seconds given); 0 = off. */
        public int deferAcceptTimeouts;
        /** TCP_FASTOPEN's qlen (0 = off), TCP_FASTOPEN_KEY (null = the stack's), TCP_FASTOPEN_NO_COOKIE, TCP_FASTOPEN_CONNECT. */
        public int fastOpenQlen;
        public byte[] fastOpenKey;
        public boolean fastOpenNoCookie, fastOpenConnect;
        /** TCP_MD5SIG / TCP_MD5SIG_EXT keys set before connect or listen. */
        public java.util.List<org.netstack4j.tcp.TcpMd5Key> md5Keys = new java.util.ArrayList<>();
        /** IP_TOS / IPV6_TCLASS set before connect or listen (the DSCP bits; 0 = none). */
        public int trafficClass;
        /** IP_MTU_DISCOVER / IPV6_MTU_DISCOVER set on the socket, null: the stack's default. */
        public org.netstack4j.path.PmtuDiscovery pmtuDiscovery;
    }

    interface Conn {
        /** The RFC 9293 state name: "SYN-SENT", "TIME-WAIT", "CLOSED". */
        String state();
        int localPort();
        int remotePort();
        /** Bytes accepted into the send buffer (0 when full). */
        int send(long now, byte[] b, int off, int len) throws Failure;
        /** send with MSG_OOB: the last byte queued is urgent. */
        default int sendUrgent(long now, byte[] b, int off, int len) throws Failure { throw new Unsupported(0, "MSG_OOB"); }

        /**
         * recv with MSG_OOB (Linux tcp_recv_urg): the urgent byte (0-255), or -1 EINVAL, -2
         * EAGAIN, -3 end of stream (0), -4 ENOTCONN; {@code peek} leaves it.
         */
        default int receiveUrgent(boolean peek) { throw new Unsupported(0, "recv MSG_OOB"); }
        /** SIOCATMARK. */
        default boolean atMark() { throw new Unsupported(0, "SIOCATMARK"); }
        /** SO_OOBINLINE. */
        default void setOobInline(boolean on) { throw new Unsupported(0, "SO_OOBINLINE"); }
        /** SO_MAX_PACING_RATE (bytes per second, ~0 = none): caps the pacing rate and turns pacing on. */
        default void setMaxPacingRate(long bytesPerSecond) { throw new Unsupported(0, "SO_MAX_PACING_RATE"); }
        /** IP_TOS / IPV6_TCLASS on a connection: the DSCP bits of its later segments. */
        default void setTrafficClass(int tos) { throw new Unsupported(0, "IP_TOS"); }
        /** IP_MTU_DISCOVER / IPV6_MTU_DISCOVER on a connection (DF and ICMP path MTUs from its next segment on). */
        default void setPmtuDiscovery(org.netstack4j.path.PmtuDiscovery mode) { throw new Unsupported(0, "IP_MTU_DISCOVER"); }

        /** MSG_EOR: the bytes queued so far end a record. */
        default void endRecord() { throw new Unsupported(0, "MSG_EOR"); }

        /** send with MSG_MORE: a partial tail waits for more (Linux). */
        default int send(long now, byte[] b, int off, int len, boolean more) throws Failure {
            if (more) throw new Unsupported(0, "MSG_MORE");
            return send(now, b, off, len);
        }
        /** SO_TIMESTAMPING: Linux's SOF_TIMESTAMPING_* bits (an IllegalArgumentException is EINVAL). */
        default void setTimestamping(int flags) { throw new Unsupported(0, "SO_TIMESTAMPING"); }
        /** The flags SO_TIMESTAMPING set (0 when off). */
        default int timestampingFlags() { return 0; }
        /** The oldest transmit timestamp of the error queue, or null. */
        default org.netstack4j.tcp.Timestamping.Event pollTimestamp() { return null; }
        /** TCP_CORK on or off. */
        default void setCork(long now, boolean on) { throw new Unsupported(0, "TCP_CORK"); }
        /** Sends what cork or MSG_MORE hold back (setting TCP_NODELAY does this on Linux). */
        default void push(long now) {}
        /** Bytes read, 0 when nothing yet, -1 at end of stream. */
        int receive(long now, byte[] b, int off, int len);
        int readable();
        /** Free space in the send buffer (0 once the send side is closed). */
        int writable();
        /** The FIN of the peer has been received (a read with nothing buffered returns 0). */
        boolean remoteClosed();
        void close(long now);
        void abort(long now);
        /** The error that ended the connection as an errno name (ECONNRESET, ECONNREFUSED, ETIMEDOUT), or null. */
        String errno();
        /** tcpi_* values (tcpi_state as a state name in {@link #state()}; numbers for the rest). */
        Map<String, Long> tcpInfo();
        /** tcpi_* values at {@code now} (fields that count time since an event need it). */
        default Map<String, Long> tcpInfo(long now) { return tcpInfo(); }
        int receiveBufferSize();
        int sendBufferSize();
        /** SO_SNDBUF on an open connection. */
        default void setSendBufferSize(int bytes) { throw new Unsupported(0, "SO_SNDBUF on an open connection"); }
        /** SO_RCVBUF on an open connection; false where the engine cannot change it. */
        default boolean setReceiveBufferSize(int bytes) { return false; }
        /** TCP_USER_TIMEOUT (RFC 9293 3.10.8) on an open connection; 0 = off. */
        default void setUserTimeout(long ns) { throw new Unsupported(0, "TCP_USER_TIMEOUT"); }
        /** TCP_KEEPINIT (FreeBSD): connection establishment bounded to ns from now. */
        default void setConnectTimeout(long now, long ns) { throw new Unsupported(0, "TCP_KEEPINIT"); }
        void setNoDelay(boolean on);
        /** The socket was closed: the connection is an orphan whose FIN-WAIT-2 lasts at most this long (0 = forever). */
        default void orphaned(long now, long finWait2TimeoutNs) {}
        /** Bytes of data our SYN carried (Fast Open). */
        default int synDataLength() { return 0; }
        /** A Fast Open child may be written to before its handshake completes (Linux). */
        default boolean sendsBeforeEstablished() { return false; }
    }

    interface Listen {
        /** A connection ready to be accepted, or null. */
        Conn accept();
        /** Connections ready to be accepted. */
        int pending();
        void close(long now);
        int receiveBufferSize();
        /** TCP_DEFER_ACCEPT on a listening socket (see SocketOptions.deferAcceptTimeouts). */
        default void setDeferAccept(int synAckTimeouts) { throw new Unsupported(0, "TCP_DEFER_ACCEPT"); }
        /** TCP_FASTOPEN, TCP_FASTOPEN_KEY (16 or 32 bytes) and TCP_FASTOPEN_NO_COOKIE on a listening socket. */
        default void setFastOpen(int qlen) { throw new Unsupported(0, "TCP_FASTOPEN"); }
        default void setFastOpenKey(byte[] key) { throw new Unsupported(0, "TCP_FASTOPEN_KEY"); }
        default void setFastOpenNoCookie(boolean on) { throw new Unsupported(0, "TCP_FASTOPEN_NO_COOKIE"); }
        /** TCP_MD5SIG on a listening socket (an empty key deletes). */
        default void setMd5Key(org.netstack4j.tcp.TcpMd5Key key) { throw new Unsupported(0, "TCP_MD5SIG"); }
        /** IP_TOS / IPV6_TCLASS on a listening socket (its SYN,ACKs and later children). */
        default void setTrafficClass(int tos) { throw new Unsupported(0, "IP_TOS"); }
    }
}
