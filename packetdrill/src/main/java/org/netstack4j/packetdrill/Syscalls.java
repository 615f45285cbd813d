package org.netstack4j.packetdrill;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.netstack4j.packetdrill.Event.SyscallEvent;
import org.netstack4j.packetdrill.Interpreter.Call;
import org.netstack4j.packetdrill.Interpreter.Mismatch;
import org.netstack4j.packetdrill.Interpreter.Ret;
import org.netstack4j.tcp.Timestamping;
import org.netstack4j.wire.Ipv4Address;

/**
 * The system calls of a run: socket, bind, listen, accept, connect, read/write and their
 * send/recv/msg forms, close, shutdown, fcntl, ioctl and poll over the script's fd table, each
 * turned into a {@link Interpreter.Call} that may block; and the evaluation of their integer
 * arguments (constants, symbols, htons). Socket options are {@link SocketOptionCalls}.
 */
final class Syscalls {

    private final Interpreter interp;

    Syscalls(Interpreter interp) { this.interp = interp; }

    /**
     * The descriptor for a new socket. packetdrill maps the script's descriptor numbers to the live
     * ones (run_system_call.c: CHECK_FD only checks that both are valid), so the number the script
     * expects names the socket; otherwise the lowest free number from 3, as a kernel would give.
     * A number still naming an open socket names the new one from now on, as packetdrill's
     * newest-first socket list finds it: the old socket stays open, out of the script's reach
     * (the kernel selftests accept a second connection as 4 while the first 4 is never closed).
     */
    int newFd(SyscallEvent s) {
        if (s.result() instanceof Expr.Int i && i.value() >= 3 && i.value() < 65536)
            return (int) i.value(); // a socket it named before lives on in the stack
        int fd = 3;
        while (interp.fds.containsKey(fd)) fd++;
        return fd;
    }

    Sock sock(SyscallEvent s, int argIndex) {
        if (s.args().size() <= argIndex) throw new Mismatch(s.line(), "script error: " + s.name() + " needs a file descriptor");
        long fd = intArg(s, s.args().get(argIndex));
        Sock k = interp.fds.get((int) fd);
        return k;
    }

    /**
     * The fewest arguments the handling of these calls below reads (their C signatures); calls not
     * listed check their own counts. Fewer is a script error, never an index fault (the fuzzer's
     * {@code fcntl(4) = 0}).
     */
    static final java.util.Map<String, Integer> MIN_ARGS = java.util.Map.of("shutdown", 2, "fcntl", 2, "ioctl", 3);

    Call start(SyscallEvent s) {
        String name = s.name();
        List<Expr> a = s.args();
        int line = s.line();
        Integer min = MIN_ARGS.get(name);
        if (min != null && a.size() < min)
            throw new Mismatch(line, "script error: " + name + " takes at least " + min + " arguments, not " + a.size());
        switch (name) {
            case "socket": {
                if (a.size() != 3) throw new Mismatch(line, "script error: socket takes 3 arguments");
                long type = typeOf(line, a.get(1));
                if ((type & 0xf) != 1) throw new Unsupported(line, "socket type " + a.get(1));
                // AF_INET6 too: packetdrill itself turns AF_INET into AF_INET6 for the IPv6 modes
                if (!(a.get(0) instanceof Expr.Ellipsis) && !isSymbol(a.get(0), "AF_INET") && !isSymbol(a.get(0), "PF_INET")
                        && !isSymbol(a.get(0), "AF_INET6") && !isSymbol(a.get(0), "PF_INET6"))
                    throw new Unsupported(line, "socket domain " + a.get(0));
                // a stream socket with another protocol than TCP (0 = the default, TCP)
                if (a.get(2) instanceof Expr.Symbol p && !p.name().equals("IPPROTO_TCP") && !p.name().equals("IPPROTO_IP"))
                    return () -> Ret.err("EPROTONOSUPPORT");
                int fd = newFd(s);
                Sock k = new Sock(fd);
                k.nonBlocking = (type & SOCK_NONBLOCK) != 0;
                interp.fds.put(fd, k);
                interp.underTest = k;
                return () -> Ret.ok(k.fd);
            }
            case "bind": {
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                interp.underTest = k;
                k.boundPort = portOf(line, a.size() > 1 ? a.get(1) : new Expr.Ellipsis(), interp.bindPort);
                return () -> Ret.ok(0);
            }
            case "listen": {
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                interp.underTest = k;
                int backlog = a.size() > 1 ? (int) intArg(s, a.get(1)) : 1;
                int port = k.boundPort == null ? interp.bindPort : k.boundPort;
                try {
                    if (k.listener == null) k.listener = interp.stack.listen(interp.now, Ipv4Address.ANY, port, backlog, k.opts);
                    k.backlog = backlog;
                } catch (TcpStack.Failure f) {
                    return () -> Ret.err(f.errno());
                }
                interp.flowLocalPort = port;
                interp.flowRemotePort = Interpreter.REMOTE_EPHEMERAL_PORT;
                interp.remoteIsnPending = true;
                interp.newPassivePeer = true;
                return () -> Ret.ok(0);
            }
            case "accept": {
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                interp.underTest = k;
                if (k.listener == null) return () -> Ret.err("EINVAL");
                return () -> {
                    TcpStack.Conn c = k.listener.accept();
                    if (c == null) return k.nonBlocking ? Ret.err("EAGAIN") : Ret.BLOCK;
                    int fd = newFd(s);
                    Sock n = new Sock(fd);
                    n.conn = c;
                    n.opts.noDelay = k.opts.noDelay;
                    n.userTimeoutMs = k.userTimeoutMs;
                    n.cork = k.cork;
                    if (n.cork) c.setCork(interp.now, true);
                    if (n.userTimeoutMs != null) c.setUserTimeout(n.userTimeoutMs * 1_000_000L);
                    n.lingerZero = k.lingerZero;
                    n.zerocopy = k.zerocopy; // socket flags are cloned from the listener (Linux sk_clone_lock)
                    n.oobInline = k.oobInline;
                    if (n.oobInline) c.setOobInline(true);
                    n.opts.trafficClass = k.opts.trafficClass; // the connection took the listener's already
                    interp.fds.put(fd, n);
                    interp.underTest = n;
                    return Ret.ok(fd);
                };
            }
            case "connect": {
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                interp.underTest = k;
                if (k.listener != null) return () -> Ret.err("EISCONN");
                if (a.size() > 1 && isSymbol(a.get(1), "AF_UNSPEC")) {
                    // Linux tcp_disconnect: connect to AF_UNSPEC aborts the connection (a RST unless
                    // it was in SYN-SENT, as ABORT does, RFC 9293 3.10.5) and leaves the socket
                    // closed and free to connect again
                    if (k.conn != null && !k.conn.state().equals("CLOSED")) k.conn.abort(interp.now);
                    k.conn = null;
                    k.errorReported = false;
                    k.deferredConnectPort = null;
                    return () -> Ret.ok(0);
                }
                if (k.conn != null) {
                    TcpStack.Conn c = k.conn;
                    return () -> switch (c.state()) {
                        case "SYN-SENT", "SYN-RECEIVED" -> Ret.err("EALREADY");
                        case "CLOSED" -> consumeError(k, "ECONNABORTED");
                        default -> Ret.err("EISCONN");
                    };
                }
                int port = portOf(line, a.size() > 1 ? a.get(1) : new Expr.Ellipsis(), interp.connectPort);
                if (k.opts.fastOpenConnect && k.deferredConnectPort == null) {
                    // TCP_FASTOPEN_CONNECT (Linux tcp_fastopen_defer_connect): with a cookie at hand
                    // connect returns at once and the first write sends the SYN with its data;
                    // without one the SYN goes now and asks for a cookie
                    if (interp.stack.fastOpenCarriesData(interp.remote, k.opts)) {
                        k.deferredConnectPort = port;
                        interp.flowRemotePort = port;
                        return () -> Ret.ok(0);
                    }
                    try {
                        k.conn = interp.stack.connectFastOpen(interp.now, interp.local, k.boundPort == null ? 0 : k.boundPort, interp.remote, port, k.opts, 0);
                    } catch (TcpStack.Failure f) {
                        return () -> Ret.err(f.errno());
                    }
                } else if (k.deferredConnectPort != null) {
                    return () -> Ret.err("EISCONN");
                } else if (k.boundPort == null && k.portRangeMin > 0) {
                    // IP_LOCAL_PORT_RANGE: the first port of the socket's range that is free (or
                    // whose TIME-WAIT connection may be reused); none: EADDRNOTAVAIL
                    for (int p = k.portRangeMin; p <= k.portRangeMax && k.conn == null; p++) {
                        try {
                            k.conn = interp.stack.connect(interp.now, interp.local, p, interp.remote, port, k.opts);
                        } catch (TcpStack.Failure f) {
                            if (!f.errno().equals("EADDRINUSE")) return () -> Ret.err(f.errno());
                        }
                    }
                    if (k.conn == null) return () -> Ret.err("EADDRNOTAVAIL");
                } else {
                    try {
                        k.conn = interp.stack.connect(interp.now, interp.local, k.boundPort == null ? 0 : k.boundPort, interp.remote, port, k.opts);
                    } catch (TcpStack.Failure f) {
                        return () -> Ret.err(f.errno());
                    }
                }
                connected(k, port);
                boolean[] first = {true};
                return () -> {
                    if (k.nonBlocking && first[0]) { first[0] = false; return Ret.err("EINPROGRESS"); }
                    first[0] = false;
                    String st = k.conn.state();
                    if (st.equals("SYN-SENT") || st.equals("SYN-RECEIVED"))
                        return k.nonBlocking ? Ret.err("EALREADY") : Ret.BLOCK;
                    if (k.conn.errno() != null || st.equals("CLOSED")) return consumeError(k, "ECONNREFUSED");
                    return Ret.ok(0);
                };
            }
            case "read", "recv", "recvfrom": {
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                interp.underTest = k;
                int len = a.size() > 2 ? (int) intArg(s, a.get(2)) : 0;
                long flags = name.equals("read") || a.size() < 4 ? 0 : constant(line, a.get(3));
                boolean peek = (flags & MSG_PEEK) != 0;
                boolean dontWait = (flags & msgDontWait()) != 0;
                if ((flags & ~(MSG_PEEK | msgDontWait() | MSG_OOB)) != 0) throw new Unsupported(line, name + " flags " + a.get(3));
                if ((flags & MSG_OOB) != 0) return () -> readUrgent(k, len, peek);
                if (a.size() > 1 && isSymbol(a.get(1), "NULL") && len > 0) {
                    // the kernel faults copying out to a NULL buffer: only when there is something to copy
                    return () -> k.conn != null && k.conn.readable() > 0 ? Ret.err("EFAULT") : read(k, len, peek, dontWait);
                }
                return () -> read(k, len, peek, dontWait);
            }
            case "write", "send", "sendto": {
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                interp.underTest = k;
                int len = a.size() > 2 ? (int) intArg(s, a.get(2)) : 0;
                long flags = name.equals("write") || a.size() < 4 ? 0 : constant(line, a.get(3));
                boolean dontWait = (flags & msgDontWait()) != 0;
                boolean more = (flags & MSG_MORE) != 0;
                long msgFlags = flags & (MSG_EOR | MSG_OOB | MSG_ZEROCOPY);
                boolean fastOpen = (flags & MSG_FASTOPEN) != 0 && k.conn == null && k.listener == null;
                if ((flags & ~(msgDontWait() | MSG_MORE | MSG_FASTOPEN | MSG_EOR | MSG_OOB | MSG_ZEROCOPY)) != 0) throw new Unsupported(line, name + " flags " + a.get(3));
                if (a.size() > 1 && isSymbol(a.get(1), "NULL") && len > 0) return () -> Ret.err("EFAULT"); // copy from NULL faults
                if (fastOpen || (k.deferredConnectPort != null && k.conn == null)) {
                    // RFC 7413 client (Linux tcp_sendmsg_fastopen): connect with the data; the call
                    // returns what the SYN carried, or EINPROGRESS when it only asked for a cookie
                    int port = k.deferredConnectPort != null ? k.deferredConnectPort
                        : portOf(line, a.size() > 4 ? a.get(4) : new Expr.Ellipsis(), interp.connectPort);
                    try {
                        k.conn = interp.stack.connectFastOpen(interp.now, interp.local, k.boundPort == null ? 0 : k.boundPort, interp.remote, port, k.opts, len);
                    } catch (TcpStack.Failure f) {
                        return () -> Ret.err(f.errno());
                    }
                    connected(k, port);
                    int n = k.conn.synDataLength();
                    // the SYN's data is queued like a write's: MSG_ZEROCOPY gives it the next id
                    // (Linux tcp_sendmsg_fastopen; a send that queued nothing takes none)
                    k.bytesQueued += n;
                    if ((msgFlags & MSG_ZEROCOPY) != 0 && k.zerocopy && n > 0) k.errors.zerocopySent(k.bytesQueued);
                    return () -> n > 0 ? Ret.ok(n) : Ret.err("EINPROGRESS");
                }
                int[] done = {0};
                return () -> write(k, len, done, dontWait, more, msgFlags);
            }
            case "sendmsg", "recvmsg": {
                // {msg_name(...)=..., msg_iov(1)=[{..., N}], msg_flags=0}: the iov lengths are all we use.
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                interp.underTest = k;
                if (a.size() != 3 || !(a.get(1) instanceof Expr.Struct msg)) throw new Unsupported(line, name + " arguments");
                int len = 0;
                List<Integer> iovLens = new ArrayList<>();
                Long wantInq = null;
                long flags0 = constant(line, a.get(2));
                if (name.equals("recvmsg") && (flags0 & MSG_ERRQUEUE) != 0) {
                    // the socket's one error queue (SO_TIMESTAMPING reports, MSG_ZEROCOPY completions)
                    ErrorQueue.Want want = ErrorQueue.want(this, line, msg, interp.ipv6);
                    return () -> {
                        k.errors.collect(k.conn, interp.now);
                        return k.errors.take(interp, line, want);
                    };
                }
                for (Expr.Field f : msg.fields()) {
                    switch (String.valueOf(f.name())) {
                        case "msg_control" -> wantInq = inqControl(line, name, f.value());
                        case "msg_iov" -> {
                            if (!(f.value() instanceof Expr.Array iovs)) throw new Unsupported(line, "msg_iov " + f.value());
                            for (Expr iov : iovs.items()) {
                                if (!(iov instanceof Expr.Struct st) || st.fields().size() != 2)
                                    throw new Unsupported(line, "iovec " + iov);
                                int l = (int) constant(line, st.fields().get(1).value());
                                len += l;
                                iovLens.add(l);
                            }
                        }
                        case "msg_name", "msg_flags" -> { }
                        default -> throw new Unsupported(line, name + " field " + f.name());
                    }
                }
                long flags = constant(line, a.get(2));
                boolean peek = (flags & MSG_PEEK) != 0;
                boolean dontWait = (flags & msgDontWait()) != 0;
                boolean more = name.equals("sendmsg") && (flags & MSG_MORE) != 0;
                long msgFlags = name.equals("sendmsg") ? flags & (MSG_EOR | MSG_OOB | MSG_ZEROCOPY) : 0;
                if ((flags & ~(MSG_PEEK | msgDontWait() | (name.equals("sendmsg") ? MSG_MORE | MSG_EOR | MSG_OOB | MSG_ZEROCOPY : 0))) != 0)
                    throw new Unsupported(line, name + " flags " + a.get(2));
                int total = len;
                if (name.equals("recvmsg") && wantInq != null) {
                    long want = wantInq;
                    return () -> {
                        Ret r = read(k, total, peek, dontWait);
                        if (r == Ret.BLOCK || r.errno() != null) return r;
                        if (!k.inq) throw new Mismatch(line, "recvmsg: TCP_CM_INQ expected but TCP_INQ is off");
                        long got = inqHint(k);
                        if (got != want) throw new Mismatch(line, "recvmsg: TCP_CM_INQ expected " + want + ", got " + got);
                        return r;
                    };
                }
                if (name.equals("recvmsg")) return () -> read(k, total, peek, dontWait);
                if (peek) throw new Unsupported(line, "sendmsg MSG_PEEK");
                int[] done = {0};
                int[] skbEnds = (msgFlags & MSG_ZEROCOPY) != 0 ? zerocopySkbEnds(iovLens) : null;
                return () -> write(k, total, done, dontWait, more, msgFlags, k.zerocopy ? skbEnds : null);
            }
            case "close": {
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                interp.fds.remove(k.fd);
                if (k.listener != null) k.listener.close(interp.now);
                if (k.conn != null) {
                    // RFC 2525 2.17 / RFC 9293 3.10.4: closing with unread data resets the connection.
                    if (k.lingerZero || k.conn.readable() > 0) k.conn.abort(interp.now);
                    else {
                        k.conn.close(interp.now);
                        // an orphan: FIN-WAIT-2 ends after TCP_LINGER2 or the sysctl (both kernels: 60 s)
                        k.conn.orphaned(interp.now, k.linger2Ns != null ? k.linger2Ns : interp.settings.finWait2TimeoutNs);
                    }
                }
                return () -> Ret.ok(0);
            }
            case "shutdown": {
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                interp.underTest = k;
                long how = constant(line, a.get(1));
                if (k.conn == null) return () -> Ret.err("ENOTCONN");
                if (how == 0 || how == 2) k.shutRd = true;
                if ((how == 1 || how == 2) && !k.shutWr) {
                    k.shutWr = true;
                    k.conn.close(interp.now);
                }
                return () -> Ret.ok(0);
            }
            case "fcntl": {
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                interp.underTest = k;
                long cmd = constant(line, a.get(1));
                if (cmd == F_GETFL) return () -> Ret.ok(O_RDWR | (k.nonBlocking ? interp.profile.oNonblock() : 0));
                if (cmd == F_SETFL) {
                    if (a.size() < 3) throw new Mismatch(line, "script error: fcntl F_SETFL takes 3 arguments");
                    long fl = constant(line, a.get(2));
                    k.nonBlocking = (fl & interp.profile.oNonblock()) != 0;
                    return () -> Ret.ok(0);
                }
                throw new Unsupported(line, "fcntl " + a.get(1));
            }
            case "poll": return poll(s);
            case "setsockopt": return interp.sockopts.setsockopt(s);
            case "getsockopt": return interp.sockopts.getsockopt(s);
            case "ioctl": {
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                interp.underTest = k;
                if (isSymbol(a.get(1), "SIOCATMARK")) {
                    long want = arrayValue(s, a.get(2));
                    if (k.conn == null) return () -> Ret.err("EINVAL");
                    long got = k.conn.atMark() ? 1 : 0;
                    if (got != want) throw new Mismatch(line, "ioctl(SIOCATMARK): expected [" + want + "], got [" + got + "]");
                    return () -> Ret.ok(0);
                }
                if (!isSymbol(a.get(1), "SIOCINQ") && !isSymbol(a.get(1), "FIONREAD"))
                    throw new Unsupported(line, "ioctl " + a.get(1));
                long want = arrayValue(s, a.get(2));
                long got = k.conn == null ? 0 : k.conn.readable();
                if (got != want) throw new Mismatch(line, "ioctl(" + a.get(1) + "): expected [" + want + "], got [" + got + "]");
                return () -> Ret.ok(0);
            }
            default:
                throw new Unsupported(line, "system call " + name);
        }
    }

    Ret consumeError(Sock k, String dflt) {
        String e = k.conn.errno();
        if (k.errorReported) return Ret.err(e == null ? dflt : e);
        k.errorReported = true;
        return Ret.err(e == null ? dflt : e);
    }

    /**
     * Linux's TCP_CM_INQ value after a read (tcp_inq_hint): the bytes still to read, or 1 when
     * none are left and the peer has closed, so that the reader knows to read again for EOF.
     */
    static long inqHint(Sock k) {
        if (k.conn == null) return 0;
        int left = k.conn.readable();
        return left == 0 && (k.conn.remoteClosed() || k.conn.state().equals("CLOSED")) ? 1 : left;
    }

    /** msg_control=[{cmsg_level=SOL_TCP, cmsg_type=TCP_CM_INQ, cmsg_data=N}]: the N expected. */
    Long inqControl(int line, String call, Expr e) {
        if (!(e instanceof Expr.Array arr) || arr.items().size() != 1 || !(arr.items().getFirst() instanceof Expr.Struct c))
            throw new Unsupported(line, call + " msg_control " + e);
        String type = null;
        Long data = null;
        for (Expr.Field f : c.fields()) {
            switch (String.valueOf(f.name())) {
                case "cmsg_level" -> { if (!isSymbol(f.value(), "SOL_TCP") && !isSymbol(f.value(), "IPPROTO_TCP")) throw new Unsupported(line, "cmsg_level " + f.value()); }
                case "cmsg_type" -> type = f.value() instanceof Expr.Symbol sy ? sy.name() : String.valueOf(f.value());
                case "cmsg_data" -> data = constant(line, f.value());
                default -> throw new Unsupported(line, "cmsg field " + f.name());
            }
        }
        if (!"TCP_CM_INQ".equals(type) || data == null || !call.equals("recvmsg")) throw new Unsupported(line, call + " control message " + type);
        return data;
    }

    Ret read(Sock k, int len, boolean peek, boolean dontWait) {
        if (k.conn == null) return Ret.err("ENOTCONN");
        if (len == 0) return Ret.ok(0);
        TcpStack.Conn c = k.conn;
        int avail = c.readable();
        if (avail > 0) {
            if (peek) return Ret.ok(Math.min(len, avail));
            byte[] buf = new byte[Math.max(len, 1)];
            int n = c.receive(interp.now, buf, 0, len);
            if (n > 0) return Ret.ok(n);
        }
        if (c.errno() != null && !k.errorReported) {
            k.errorReported = true;
            return Ret.err(c.errno());
        }
        if (c.remoteClosed() || k.shutRd) return Ret.ok(0);
        if (!peek && c.receive(interp.now, new byte[1], 0, 0) < 0) return Ret.ok(0);
        String st = c.state();
        if (st.equals("CLOSED") || st.equals("TIME-WAIT")) return Ret.ok(0);
        return k.nonBlocking || dontWait ? Ret.err("EAGAIN") : Ret.BLOCK;
    }

    /** recv(MSG_OOB) (Linux tcp_recv_urg): one byte, never blocking. */
    Ret readUrgent(Sock k, int len, boolean peek) {
        if (k.conn == null) return Ret.err("EINVAL");
        int r = k.conn.receiveUrgent(peek);
        return switch (r) {
            case -1 -> Ret.err("EINVAL");
            case -2 -> Ret.err("EAGAIN");
            case -3 -> Ret.ok(0);
            case -4 -> Ret.err("ENOTCONN");
            default -> Ret.ok(len > 0 ? 1 : 0);
        };
    }

    Ret write(Sock k, int len, int[] done, boolean dontWait, boolean more) { return write(k, len, done, dontWait, more, 0); }

    /**
     * {@code msgFlags}: MSG_EOR, the message ends a record once all of it is queued; MSG_OOB,
     * its last byte is urgent (Linux).
     */
    Ret write(Sock k, int len, int[] done, boolean dontWait, boolean more, long msgFlags) {
        return write(k, len, done, dontWait, more, msgFlags, null);
    }

    /** Linux's MAX_SKB_FRAGS (CONFIG_MAX_SKB_FRAGS, 17 by default). */
    static final int MAX_SKB_FRAGS = 17;

    /**
     * A MSG_ZEROCOPY send on an SO_ZEROCOPY socket pins the caller's pages: each iovec element
     * becomes page fragments of its own (one per 4 KB page it spans; the runner's buffers are
     * page-aligned), and an skb that has MAX_SKB_FRAGS of them is full, pushed (tcp_mark_push) and
     * followed by a new one (tcp_sendmsg_locked, skb_zerocopy_iter_stream). Returns the byte
     * offsets where such an skb ends before the send's end, or null when none does.
     */
    static int[] zerocopySkbEnds(List<Integer> iovLens) {
        List<Integer> ends = new ArrayList<>();
        int frags = 0, off = 0;
        for (int l : iovLens) {
            for (int left = l; left > 0; ) {
                int piece = Math.min(left, 4096);
                if (frags == MAX_SKB_FRAGS) {
                    ends.add(off);
                    frags = 0;
                }
                frags++;
                off += piece;
                left -= piece;
            }
        }
        return ends.isEmpty() ? null : ends.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {@code skbEnds}: where a zerocopy send's skbs end ({@link #zerocopySkbEnds}), else null. */
    Ret write(Sock k, int len, int[] done, boolean dontWait, boolean more, long msgFlags, int[] skbEnds) {
        int before = done[0];
        Ret r = writeSome(k, len, done, dontWait, more, msgFlags, skbEnds);
        k.bytesQueued += done[0] - before;
        // MSG_ZEROCOPY on an SO_ZEROCOPY socket: a send that queued bytes gets the next id, reported
        // on the error queue once all its bytes are acknowledged (Linux: when its skbs are freed)
        if ((msgFlags & MSG_ZEROCOPY) != 0 && k.zerocopy && r != Ret.BLOCK && r.errno() == null && done[0] > 0)
            k.errors.zerocopySent(k.bytesQueued);
        return r;
    }

    private Ret writeSome(Sock k, int len, int[] done, boolean dontWait, boolean more, long msgFlags, int[] skbEnds) {
        boolean eor = (msgFlags & MSG_EOR) != 0, oob = (msgFlags & MSG_OOB) != 0;
        // never connected: Linux says EPIPE (sk_stream_wait_connect), FreeBSD ENOTCONN (sosend)
        if (k.conn == null) return Ret.err(interp.profile == Profile.LINUX ? "EPIPE" : "ENOTCONN");
        TcpStack.Conn c = k.conn;
        if (c.errno() != null && !k.errorReported) {
            k.errorReported = true;
            return Ret.err(c.errno());
        }
        if (k.shutWr) return Ret.err("EPIPE");
        String st = c.state();
        if (st.equals("CLOSED")) return Ret.err("EPIPE"); // the error, if any, was already reported
        if ((st.equals("SYN-SENT") || st.equals("SYN-RECEIVED")) && !c.sendsBeforeEstablished()) {
            if (k.nonBlocking || dontWait) return Ret.err("EAGAIN");
            return Ret.BLOCK;
        }
        // a write that blocked sleeps until the socket is writable again (Linux sk_stream_wait_memory,
        // woken by sk_stream_write_space), not on every ACK that frees some space
        if (k.waitingForSpace && c.writable() <= 0 && (st.equals("ESTABLISHED") || st.equals("CLOSE-WAIT"))) return Ret.BLOCK;
        k.waitingForSpace = false;
        while (done[0] < len) {
            int n, end = len;
            if (skbEnds != null) for (int e : skbEnds) if (e > done[0]) { end = e; break; }
            try {
                n = oob ? c.sendUrgent(interp.now, new byte[len - done[0]], 0, len - done[0])
                    : c.send(interp.now, new byte[end - done[0]], 0, end - done[0], more);
            } catch (TcpStack.Failure f) {
                if (done[0] > 0) return Ret.ok(done[0]);
                return Ret.err(f.errno());
            }
            if (n <= 0) break;
            done[0] += n;
            if (eor && done[0] == len) c.endRecord();
            else if (done[0] == end && end < len) c.endRecord(); // a full zerocopy skb: nothing joins it
        }
        if (done[0] == len) return Ret.ok(len);
        if (k.nonBlocking || dontWait) return done[0] > 0 ? Ret.ok(done[0]) : Ret.err("EAGAIN");
        k.waitingForSpace = true;
        return Ret.BLOCK;
    }

    static final long POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20,
        POLLRDNORM = 0x40, POLLWRNORM = 0x100, POLLRDHUP = 0x2000;

    /** poll([{fd=.., events=.., revents=..}, ...], n, timeout_ms): revents are checked when it returns. */
    Call poll(SyscallEvent s) {
        int line = s.line();
        List<Expr> a = s.args();
        if (a.size() != 3 || !(a.get(0) instanceof Expr.Array arr)) throw new Unsupported(line, "poll arguments " + a);
        List<long[]> want = new ArrayList<>(); // fd, events, revents (-1 = not written)
        for (Expr e : arr.items()) {
            if (!(e instanceof Expr.Struct st)) throw new Unsupported(line, "pollfd " + e);
            long fd = -1, events = 0, revents = -1;
            for (Expr.Field f : st.fields()) {
                switch (String.valueOf(f.name())) {
                    case "fd" -> fd = constant(line, f.value());
                    case "events" -> events = constant(line, f.value());
                    case "revents" -> revents = constant(line, f.value());
                    default -> throw new Unsupported(line, "pollfd field " + f.name());
                }
            }
            want.add(new long[] {fd, events, revents});
        }
        long timeoutMs = constant(line, a.get(2));
        long deadline = timeoutMs < 0 ? Long.MAX_VALUE : interp.now + timeoutMs * 1_000_000L;
        if (timeoutMs > 0) interp.pendingWakeAt = deadline;
        return () -> {
            int ready = 0;
            long[] got = new long[want.size()];
            for (int i = 0; i < want.size(); i++) {
                got[i] = revents(interp.fds.get((int) want.get(i)[0]), want.get(i)[1]);
                if (got[i] != 0) ready++;
            }
            if (ready == 0 && interp.now < deadline) return Ret.BLOCK;
            for (int i = 0; i < want.size(); i++) {
                long w = want.get(i)[2];
                if (w >= 0 && w != got[i])
                    throw new Mismatch(line, "poll: fd " + want.get(i)[0] + " revents expected 0x" + Long.toHexString(w)
                        + ", got 0x" + Long.toHexString(got[i]));
            }
            return Ret.ok(ready);
        };
    }

    long revents(Sock k, long events) {
        if (k == null) return POLLNVAL;
        boolean in = false, out = false, err = false, hup = false, rdhup = false;
        if (k.listener != null) {
            in = k.listener.pending() > 0;
        } else if (k.conn != null) {
            TcpStack.Conn c = k.conn;
            String st = c.state();
            err = c.errno() != null && !k.errorReported;
            rdhup = c.remoteClosed();
            hup = st.equals("CLOSED") || (rdhup && k.shutWr);
            in = c.readable() > 0 || rdhup || err || st.equals("CLOSED") || k.shutRd;
            // A write that would fail at once (closed, reset, shut down) does not block: POLLOUT, as Linux says.
            out = st.equals("CLOSED") || k.shutWr
                || (!st.equals("SYN-SENT") && !st.equals("SYN-RECEIVED") && c.writable() > 0);
        } else {
            hup = true;
            out = true;
        }
        long r = 0;
        if (in) r |= events & (POLLIN | POLLRDNORM);
        if (out) r |= events & (POLLOUT | POLLWRNORM);
        if (rdhup) r |= events & POLLRDHUP;
        if (err) r |= POLLERR;
        if (hup) r |= POLLHUP;
        return r;
    }

    static final long MSG_MORE = 0x8000, MSG_FASTOPEN = 0x20000000, MSG_EOR = 0x80, MSG_OOB = 0x1, MSG_ZEROCOPY = 0x4000000,
        MSG_ERRQUEUE = 0x2000;

    /** A connection was opened on {@code k}: the socket's options that apply to it, and the script's flow ports. */
    private void connected(Sock k, int port) {
        if (k.userTimeoutMs != null) k.conn.setUserTimeout(k.userTimeoutMs * 1_000_000L);
        if (k.cork) k.conn.setCork(interp.now, true);
        if (k.keepInitS != null) k.conn.setConnectTimeout(interp.now, k.keepInitS * 1_000_000_000L);
        if (k.oobInline) k.conn.setOobInline(true);
        interp.flowLocalPort = k.conn.localPort();
        interp.flowRemotePort = port;
        interp.remoteIsnPending = true;
    }
    static final long SOCK_NONBLOCK = 0x800, F_GETFL = 3, F_SETFL = 4, O_RDWR = 2, MSG_PEEK = 2;

    long msgDontWait() { return interp.profile == Profile.FREEBSD ? 0x80 : 0x40; }

    long typeOf(int line, Expr e) {
        return constant(line, e);
    }

    static boolean isSymbol(Expr e, String name) { return e instanceof Expr.Symbol s && s.name().equals(name); }

    long intArg(SyscallEvent s, Expr e) {
        return constant(s.line(), e);
    }

    long arrayValue(SyscallEvent s, Expr e) {
        if (e instanceof Expr.Array arr && arr.items().size() == 1) return constant(s.line(), arr.items().getFirst());
        return constant(s.line(), e);
    }

    int portOf(int line, Expr e, int dflt) {
        if (e instanceof Expr.Ellipsis) return dflt;
        if (e instanceof Expr.Struct st) {
            for (Expr.Field f : st.fields()) {
                if ("sin_port".equals(f.name())) return (int) constant(line, f.value());
                if ("sin_addr".equals(f.name()) || "sin6_addr".equals(f.name()))
                    throw new Unsupported(line, "explicit socket address");
            }
            return dflt;
        }
        throw new Unsupported(line, "socket address " + e);
    }

    /** The value of an integer expression: numbers, | of symbols, htons(n). */
    long constant(int line, Expr e) {
        return switch (e) {
            case Expr.Int i -> i.value();
            case Expr.Or o -> constant(line, o.left()) | constant(line, o.right());
            case Expr.Call c when (c.name().equals("htons") || c.name().equals("htonl")) && c.args().size() == 1 ->
                constant(line, c.args().getFirst());
            case Expr.Symbol sym -> symbol(line, sym.name());
            case Expr.Array arr when arr.items().size() == 1 -> constant(line, arr.items().getFirst());
            default -> throw new Unsupported(line, "argument " + e);
        };
    }

    long symbol(int line, String n) {
        return switch (n) {
            case "AF_INET", "PF_INET" -> 2;
            case "AF_INET6", "PF_INET6" -> 10;
            case "SOCK_STREAM" -> 1;
            case "SOCK_NONBLOCK" -> SOCK_NONBLOCK;
            case "IPPROTO_TCP", "SOL_TCP" -> 6;
            case "SOL_SOCKET" -> 1;
            case "O_RDWR" -> O_RDWR;
            case "O_NONBLOCK" -> interp.profile.oNonblock();
            case "F_GETFL" -> F_GETFL;
            case "F_SETFL" -> F_SETFL;
            case "SHUT_RD" -> 0;
            case "SHUT_WR" -> 1;
            case "SHUT_RDWR" -> 2;
            case "MSG_PEEK" -> MSG_PEEK;
            case "MSG_ZEROCOPY" -> MSG_ZEROCOPY;
            case "MSG_ERRQUEUE" -> MSG_ERRQUEUE;
            case "MSG_FASTOPEN" -> MSG_FASTOPEN;
            case "MSG_OOB" -> MSG_OOB;
            case "MSG_TRUNC" -> ErrorQueue.MSG_TRUNC;
            case "SOF_TIMESTAMPING_TX_HARDWARE" -> Timestamping.TX_HARDWARE;
            case "SOF_TIMESTAMPING_TX_SOFTWARE" -> Timestamping.TX_SOFTWARE;
            case "SOF_TIMESTAMPING_RX_HARDWARE" -> Timestamping.RX_HARDWARE;
            case "SOF_TIMESTAMPING_RX_SOFTWARE" -> Timestamping.RX_SOFTWARE;
            case "SOF_TIMESTAMPING_SOFTWARE" -> Timestamping.SOFTWARE;
            case "SOF_TIMESTAMPING_RAW_HARDWARE" -> Timestamping.RAW_HARDWARE;
            case "SOF_TIMESTAMPING_OPT_ID" -> Timestamping.OPT_ID;
            case "SOF_TIMESTAMPING_TX_SCHED" -> Timestamping.TX_SCHED;
            case "SOF_TIMESTAMPING_TX_ACK" -> Timestamping.TX_ACK;
            case "SOF_TIMESTAMPING_OPT_CMSG" -> Timestamping.OPT_CMSG;
            case "SOF_TIMESTAMPING_OPT_TSONLY" -> Timestamping.OPT_TSONLY;
            case "SOF_TIMESTAMPING_OPT_STATS" -> Timestamping.OPT_STATS;
            case "SOF_TIMESTAMPING_OPT_PKTINFO" -> Timestamping.OPT_PKTINFO;
            case "SOF_TIMESTAMPING_OPT_TX_SWHW" -> Timestamping.OPT_TX_SWHW;
            case "SOF_TIMESTAMPING_OPT_ID_TCP" -> Timestamping.OPT_ID_TCP;
            case "IP_PMTUDISC_DONT", "IPV6_PMTUDISC_DONT" -> 0;
            case "IP_PMTUDISC_WANT", "IPV6_PMTUDISC_WANT" -> 1;
            case "IP_PMTUDISC_DO", "IPV6_PMTUDISC_DO" -> 2;
            case "IP_PMTUDISC_PROBE", "IPV6_PMTUDISC_PROBE" -> 3;
            case "IP_PMTUDISC_INTERFACE", "IPV6_PMTUDISC_INTERFACE" -> 4;
            case "IP_PMTUDISC_OMIT", "IPV6_PMTUDISC_OMIT" -> 5;
            case "TCP_MD5SIG_FLAG_PREFIX" -> 1;
            case "TCP_MD5SIG_FLAG_IFINDEX" -> 2;
            case "MSG_EOR" -> {
                if (interp.profile == Profile.FREEBSD) throw new Unsupported(0, "MSG_EOR (FreeBSD's TCP has no records)");
                yield MSG_EOR;
            }
            case "MSG_DONTWAIT" -> msgDontWait();
            case "MSG_MORE" -> {
                if (interp.profile == Profile.FREEBSD) throw new Unsupported(0, "MSG_MORE (not in FreeBSD)");
                yield MSG_MORE;
            }
            case "POLLIN" -> POLLIN;
            case "POLLOUT" -> POLLOUT;
            case "POLLERR" -> POLLERR;
            case "POLLHUP" -> POLLHUP;
            case "POLLNVAL" -> POLLNVAL;
            case "POLLRDNORM" -> POLLRDNORM;
            case "POLLWRNORM" -> POLLWRNORM;
            case "POLLRDHUP" -> POLLRDHUP;
            default -> throw new Unsupported(line, "constant " + n);
        };
    }
}
