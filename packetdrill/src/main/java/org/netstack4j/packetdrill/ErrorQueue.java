package org.netstack4j.packetdrill;

import java.util.HashMap;
import java.util.Map;
import org.netstack4j.packetdrill.Interpreter.Mismatch;
import org.netstack4j.packetdrill.Interpreter.Ret;
import org.netstack4j.tcp.Timestamping;

/**
 * {@code recvmsg(fd, {..., msg_flags=..., msg_control=[SCM_TIMESTAMPING, IP_RECVERR]}, MSG_ERRQUEUE)}:
 * one SO_TIMESTAMPING transmit timestamp taken from the socket's error queue and compared with
 * the script's: the time (script time, within the tolerance), and the extended error (ee_errno
 * ENOMSG, origin SO_EE_ORIGIN_TIMESTAMPING, ee_info the SCM_TSTAMP_* kind, ee_data the key).
 * An empty queue answers EAGAIN, as Linux.
 */
final class ErrorQueue {
    static final long MSG_ERRQUEUE = Syscalls.MSG_ERRQUEUE, MSG_TRUNC = 0x20;
    static final long ENOMSG = 42, SO_EE_ORIGIN_TIMESTAMPING = 4;

    /** What the script expects; null members are not checked. */
    record Want(Long timeNs, Map<String, Long> ee, Long msgFlags) {}

    private ErrorQueue() {}

    /** Whether the msghdr's control messages are a timestamp's (SCM_TIMESTAMPING, or an extended error of origin TIMESTAMPING). */
    static boolean asksForTimestamp(Expr.Struct msg) {
        String text = String.valueOf(field(msg, "msg_control"));
        return text.contains("SCM_TIMESTAMPING") || text.contains("SO_EE_ORIGIN_TIMESTAMPING");
    }

    /** Whether the msghdr expects no control message at all (an EAGAIN, or an empty list). */
    static boolean expectsNothing(Expr.Struct msg) {
        Expr c = field(msg, "msg_control");
        return c == null || c instanceof Expr.Array a && a.items().isEmpty();
    }

    /** The expectations of a timestamp read from the msghdr. */
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
                boolean v6 = level.equals("SOL_IPV6") || level.equals("41");
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
            case "SOL_IP", "0", "SOL_IPV6", "41" -> true;
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

    /** Takes the oldest timestamp and checks it against {@code want}. */
    static Ret take(Interpreter interp, int line, Sock k, Want want) {
        if (k.conn == null) return Ret.err("EAGAIN");
        Timestamping.Event ev = k.conn.pollTimestamp();
        if (ev == null) return Ret.err("EAGAIN");
        if (want.timeNs() != null) {
            long tol = Math.max(interp.toleranceNs, (long) (interp.tolerancePercent / 100.0 * want.timeNs()));
            if (Math.abs(ev.nanos() - want.timeNs()) > tol)
                throw new Mismatch(line, "recvmsg: " + ev.kind() + " timestamp at " + ev.nanos() / 1000 + " us, expected " + want.timeNs() / 1000 + " us");
        }
        if (want.ee() != null) {
            Map<String, Long> got = Map.of("ee_errno", ENOMSG, "ee_origin", SO_EE_ORIGIN_TIMESTAMPING, "ee_type", 0L,
                    "ee_code", 0L, "ee_info", (long) ev.kind().ordinal(), "ee_data", (long) ev.key());
            for (Map.Entry<String, Long> e : want.ee().entrySet()) {
                Long g = got.get(e.getKey());
                if (g == null) throw new Unsupported(line, "sock_extended_err field " + e.getKey());
                if (!g.equals(e.getValue()))
                    throw new Mismatch(line, "recvmsg: " + e.getKey() + " expected " + e.getValue() + ", got " + g + " (" + ev + ")");
            }
        }
        if (want.msgFlags() != null) {
            // the timestamp comes with the packet looped back unless OPT_TSONLY: a zero-length iov truncates it
            long flags = MSG_ERRQUEUE | ((k.conn.timestampingFlags() & Timestamping.OPT_TSONLY) != 0 ? 0 : MSG_TRUNC);
            if (flags != want.msgFlags()) throw new Mismatch(line, "recvmsg: msg_flags expected 0x" + Long.toHexString(want.msgFlags()) + ", got 0x" + Long.toHexString(flags));
        }
        return Ret.ok(0);
    }
}
