package org.netstack4j.packetdrill;

/** One socket of a run's fd table: what the script set on it and the listener or connection behind it. */
final class Sock {
    final int fd;
    boolean nonBlocking, reuseAddr, lingerZero;
    Integer boundPort;
    int backlog;
    TcpStack.Listen listener;
    TcpStack.Conn conn;
    boolean errorReported, shutRd, shutWr;
    /** TCP_INQ: recvmsg reports the bytes left to read in a TCP_CM_INQ control message. */
    boolean inq;
    /** TCP_LINGER2: FIN-WAIT-2 lifetime once closed (null = the stack's). */
    Long linger2Ns;
    /** TCP_USER_TIMEOUT in ms set before the connection existed (null = none). */
    Long userTimeoutMs;
    /** TCP_KEEPINIT in s (FreeBSD: bound on connection establishment; null = none). */
    Long keepInitS;
    /** IP_LOCAL_PORT_RANGE (Linux): the ports connect may choose from; 0 = the system's range. */
    int portRangeMin, portRangeMax;
    /** TCP_CORK (Linux): partial segments wait while it is on. */
    boolean cork;
    /** A blocking write waits for send buffer space: it resumes once the connection is writable. */
    boolean waitingForSpace;
    /** SO_SNDBUF was set on this socket while it had a connection: the connection holds the size. */
    boolean sndBufOnConn;
    /** TCP_FASTOPEN_CONNECT: connect returned at once; the first write opens with a SYN carrying data to this port. */
    Integer deferredConnectPort;
    /** SO_ZEROCOPY: MSG_ZEROCOPY sends are honoured (copied, as Linux does when it cannot pin, and reported). */
    boolean zerocopy;
    long mark; // SO_MARK: kept for getsockopt (no policy routing here, no effect)
    /** Bytes this socket has queued on its connection, all calls together. */
    long bytesQueued;
    /** The socket's error queue: timestamps and MSG_ZEROCOPY completions, in order. */
    final ErrorQueue errors = new ErrorQueue();
    /** SO_OOBINLINE (accepted sockets inherit it, as Linux copies the listener's socket flags). */
    boolean oobInline;
    final TcpStack.SocketOptions opts = new TcpStack.SocketOptions();
    Sock(int fd) { this.fd = fd; }
}
