package org.netstack4j.packetdrill;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.netstack4j.packetdrill.Interpreter.Mismatch;
import org.netstack4j.packetdrill.Interpreter.Ret;
import org.netstack4j.tcp.Timestamping;

/**
 * A socket's error queue, as Linux's {@code sk_error_queue}: one queue of extended errors in the
 * order they were raised, read one at a time with {@code recvmsg(..., MSG_ERRQUEUE)}. Two kinds
 * of report are queued:
 * <ul>
 *   <li>SO_TIMESTAMPING transmit timestamps (ee_errno ENOMSG, origin SO_EE_ORIGIN_TIMESTAMPING,
 *       ee_info the SCM_TSTAMP_* kind, ee_data the key), with an SCM_TIMESTAMPING control message
 *       carrying the time; the packet comes with it unless OPT_TSONLY (a zero-length iov then
 *       truncates it: MSG_TRUNC);</li>
 *   <li>MSG_ZEROCOPY completions (origin SO_EE_ORIGIN_ZEROCOPY, ee_info..ee_data the range of send
 *       ids completed). The runner always copies, so the code is SO_EE_CODE_ZEROCOPY_COPIED, what
 *       Linux reports when it copied. A completion extends the queue's last report when that is a
 *       completion ending at the id before (Linux skb_zerocopy_notify_extend).</li>
 * </ul>
 * The interpreter {@linkplain #collect collects} new reports after every event, so a timestamp
 * and a completion raised by the same ACK are queued timestamp first (Linux tcp_ack_tstamp runs
 * before the acknowledged skbs are freed). The script's msghdr is compared with the oldest
 * report; an empty queue answers EAGAIN, as Linux.
 */
final class ErrorQueue {
    static final long MSG_ERRQUEUE = Syscalls.MSG_ERRQUEUE, MSG_TRUNC = 0x20;
    static final long ENOMSG = 42, SO_EE_ORIGIN_TIMESTAMPING = 4;
    /** Linux's sock_extended_err for MSG_ZEROCOPY completions (linux/errqueue.h). */
    static final long SO_EE_ORIGIN_ZEROCOPY = 5, SO_EE_CODE_ZEROCOPY_COPIED = 1;

    /** What the script expects; null members are not checked. */
    record Want(Long timeNs, Map<String, Long> ee, Long msgFlags) {}

    /** One queued report: a sock_extended_err, the timestamp's time (null: none) and whether the packet comes with it. */
    record Report(Long timeNs, long errno, long origin, long code, long info, long data, boolean withPacket) {
        Map<String, Long> fields() {
            return Map.of("ee_errno", errno, "ee_origin", origin, "ee_type", 0L, "ee_code", code, "ee_info", info, "ee_data", data);
        }

        boolean zerocopy() { return origin == SO_EE_ORIGIN_ZEROCOPY; }

        @Override public String toString() {
            return zerocopy() ? "zerocopy completion " + info + ".." + data
                : Timestamping.Kind.values()[(int) info] + " timestamp key " + data + " at " + timeNs / 1000 + " us";
        }
    }

    private final ArrayDeque<Report> queue = new ArrayDeque<>();
    /** The next MSG_ZEROCOPY send's id (Linux counts from 0 per socket). */
    private int zerocopyNextId;
    /** MSG_ZEROCOPY sends not yet completed: {id, the socket's bytes queued after the send}, in id order. */
    private final ArrayDeque<long[]> zerocopyPending = new ArrayDeque<>();

    /** A MSG_ZEROCOPY send queued bytes: it takes the next id, completed once {@code bytesQueued} bytes are acknowledged. */
    void zerocopySent(long bytesQueued) {
        zerocopyPending.addLast(new long[] {zerocopyNextId++, bytesQueued});
    }

    /**
     * Moves what {@code conn} has raised since the last call into the queue: its transmit
     * timestamps, then the MSG_ZEROCOPY sends now wholly acknowledged (all of them once the
     * socket has no connection).
     */
    void collect(TcpStack.Conn conn, long now) {
        if (conn != null) {
            boolean withPacket = (conn.timestampingFlags() & Timestamping.OPT_TSONLY) == 0;
            for (Timestamping.Event ev; (ev = conn.pollTimestamp()) != null; )
                queue.addLast(new Report(ev.nanos(), ENOMSG, SO_EE_ORIGIN_TIMESTAMPING, 0, ev.kind().ordinal(), ev.key(), withPacket));
        }
        if (zerocopyPending.isEmpty()) return;
        long acked = conn == null ? Long.MAX_VALUE : conn.tcpInfo(now).getOrDefault("tcpi_bytes_acked", 0L);
        while (!zerocopyPending.isEmpty() && zerocopyPending.peekFirst()[1] <= acked) {
            long id = zerocopyPending.pollFirst()[0];
            Report last = queue.peekLast();
            if (last != null && last.zerocopy() && last.data() == id - 1) {
                queue.pollLast();
                queue.addLast(new Report(null, 0, SO_EE_ORIGIN_ZEROCOPY, SO_EE_CODE_ZEROCOPY_COPIED, last.info(), id, false));
            } else {
                queue.addLast(new Report(null, 0, SO_EE_ORIGIN_ZEROCOPY, SO_EE_CODE_ZEROCOPY_COPIED, id, id, false));
            }
        }
    }

    /** Whether the msghdr expects no control message at all (an EAGAIN, or an empty list). */
    static boolean expectsNothing(Expr.Struct msg) {
        Expr c = field(msg, "msg_control");
        return c == null || c instanceof Expr.Array a && a.items().isEmpty();
    }

    /** What the script expects of the report read, from its msghdr. */
    static Want want(Syscalls sys, int line, Expr.Struct msg, boolean ipv6) {
        Expr control = field(msg, "msg_control");
        return expectsNothing(msg) ? new Want(null, null, null) : parse(sys, line, control, field(msg, "msg_flags"), ipv6);
    }

    private static Expr field(Expr.Struct msg, String name) {
        for (Expr.Field f : msg.fields()) if (name.equals(f.name())) return f.value();
        return null;
    }

    static Want parse(Syscalls sys, int line, Expr control, Expr msgFlags, boolean ipv6) {
        if (!(control instanceof Expr.Array cmsgs)) throw new Unsupported(line, "MSG_ERRQUEUE msg_control " + control);
        Long time = null;
        Map<String, Long> ee = null;
        for (Expr cm : cmsgs.items()) {
            if (!(cm instanceof Expr.Struct st)) throw new Unsupported(line, "cmsg " + cm);
            String level = null, type = null;
            Expr data = null;
            for (Expr.Field f : st.fields()) {
                switch (String.valueOf(f.name())) {
                    case "cmsg_level" -> level = String.valueOf(f.value());
                    case "cmsg_type" -> type = String.valueOf(f.value());
                    case "cmsg_data" -> data = f.value();
                    case "cmsg_len" -> { }
                    default -> throw new Unsupported(line, "cmsg field " + f.name());
                }
            }
            if (!(data instanceof Expr.Struct ds)) throw new Unsupported(line, "cmsg_data " + data);
            if (("SOL_SOCKET".equals(level) || "1".equals(level)) && ("SCM_TIMESTAMPING".equals(type) || "37".equals(type))) {
                long sec = 0, nsec = 0;
                for (Expr.Field f : ds.fields()) {
                    switch (String.valueOf(f.name())) {
                        case "scm_sec" -> sec = sys.constant(line, f.value());
                        case "scm_nsec" -> nsec = sys.constant(line, f.value());
                        default -> throw new Unsupported(line, "scm_timestamping field " + f.name());
                    }
                }
                time = sec * 1_000_000_000L + nsec;
            } else if (isRecvErr(level, type)) {
                // Linux reports IPv4 errors with SOL_IP/IP_RECVERR and IPv6 ones with SOL_IPV6/IPV6_RECVERR
                boolean v6 = level.equals("SOL_IPV6") || level.equals("IPPROTO_IPV6") || level.equals("41");
                if (v6 != ipv6) throw new Mismatch(line, "recvmsg: the error comes with " + (ipv6 ? "SOL_IPV6" : "SOL_IP") + ", not " + level);
                ee = new HashMap<>();
                for (Expr.Field f : ds.fields()) ee.put(String.valueOf(f.name()), value(sys, line, f.value()));
            } else {
                throw new Unsupported(line, "MSG_ERRQUEUE control message " + level + "/" + type);
            }
        }
        return new Want(time, ee, msgFlags == null ? null : value(sys, line, msgFlags));
    }

    private static boolean isRecvErr(String level, String type) {
        boolean lv = switch (level == null ? "" : level) {
            case "SOL_IP", "IPPROTO_IP", "0", "SOL_IPV6", "IPPROTO_IPV6", "41" -> true;
            default -> false;
        };
        boolean ty = switch (type == null ? "" : type) {
            case "IP_RECVERR", "11", "IPV6_RECVERR", "25" -> true;
            default -> false;
        };
        return lv && ty;
    }

    /** A number or one of the symbols this kind of message uses. */
    private static long value(Syscalls sys, int line, Expr e) {
        return switch (e) {
            case Expr.Symbol s -> switch (s.name()) {
                case "ENOMSG" -> ENOMSG;
                case "SO_EE_ORIGIN_TIMESTAMPING" -> SO_EE_ORIGIN_TIMESTAMPING;
                case "SO_EE_ORIGIN_ZEROCOPY" -> SO_EE_ORIGIN_ZEROCOPY;
                case "SO_EE_CODE_ZEROCOPY_COPIED" -> SO_EE_CODE_ZEROCOPY_COPIED;
                case "SCM_TSTAMP_SND" -> Timestamping.Kind.SND.ordinal();
                case "SCM_TSTAMP_SCHED" -> Timestamping.Kind.SCHED.ordinal();
                case "SCM_TSTAMP_ACK" -> Timestamping.Kind.ACK.ordinal();
                case "MSG_ERRQUEUE" -> MSG_ERRQUEUE;
                case "MSG_TRUNC" -> MSG_TRUNC;
                default -> sys.constant(line, e);
            };
            case Expr.Or o -> value(sys, line, o.left()) | value(sys, line, o.right());
            default -> sys.constant(line, e);
        };
    }

    /** Takes the oldest report and checks it against {@code want}. */
    Ret take(Interpreter interp, int line, Want want) {
        Report r = queue.pollFirst();
        if (r == null) return Ret.err("EAGAIN");
        if (want.timeNs() == null && want.ee() == null && want.msgFlags() == null)
            throw new Mismatch(line, "recvmsg MSG_ERRQUEUE: a " + r + " is queued, the script expects no control message");
        if (want.timeNs() != null) {
            if (r.timeNs() == null) throw new Mismatch(line, "recvmsg: SCM_TIMESTAMPING expected, the queue holds a " + r);
            long tol = Math.max(interp.toleranceNs, (long) (interp.tolerancePercent / 100.0 * want.timeNs()));
            if (Math.abs(r.timeNs() - want.timeNs()) > tol)
                throw new Mismatch(line, "recvmsg: " + r + ", expected a timestamp at " + want.timeNs() / 1000 + " us");
        }
        if (want.ee() != null) {
            Map<String, Long> got = r.fields();
            for (Map.Entry<String, Long> e : want.ee().entrySet()) {
                Long g = got.get(e.getKey());
                if (g == null) throw new Unsupported(line, "sock_extended_err field " + e.getKey());
                if (!g.equals(e.getValue()))
                    throw new Mismatch(line, "recvmsg: " + e.getKey() + " expected " + e.getValue() + ", got " + g + " (" + r + ")");
            }
        }
        if (want.msgFlags() != null) {
            // a report that comes with its packet: a zero-length iov truncates it
            long flags = MSG_ERRQUEUE | (r.withPacket() ? MSG_TRUNC : 0);
            if (flags != want.msgFlags()) throw new Mismatch(line, "recvmsg: msg_flags expected 0x" + Long.toHexString(want.msgFlags()) + ", got 0x" + Long.toHexString(flags));
        }
        return Ret.ok(0);
    }
}
