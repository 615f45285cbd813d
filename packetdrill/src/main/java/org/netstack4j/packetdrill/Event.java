package org.netstack4j.packetdrill;

import java.util.List;

/** One timed statement of a script, with the line it starts on. */
public sealed interface Event {
    int line();
    TimeSpec time();

    /**
     * A TCP segment injected ({@code inbound}, written {@code <}) or expected from the stack
     * ({@code >}). seqStart/seqEnd/length as in {@code 1:1001(1000)}; ack/win/urg null when not
     * written; options null when none are written, {@code anyOptions} for {@code <...>};
     * ipInfo is the raw text of {@code (tos ...)}/{@code [ect0]} or null. nplab extensions:
     * {@code seqAny} for {@code ...(len)} (seq not checked), {@code absolute} for {@code a:b(n)!}
     * (seq and ack used as written, no ISN offsets).
     */
    record PacketEvent(int line, TimeSpec time, boolean inbound, String flags, long seqStart, long seqEnd,
                       int length, Long ack, Long win, Long urg, List<OptionSpec> options, boolean anyOptions,
                       String ipInfo, boolean seqAny, boolean absolute) implements Event {
        public boolean hasFlag(char f) { return flags.indexOf(f) >= 0; }

        public String describe() {
            StringBuilder b = new StringBuilder(inbound ? "< " : "> ").append(flags).append(' ');
            if (seqAny) b.append("...(").append(length).append(')');
            else b.append(seqStart).append(':').append(seqEnd).append('(').append(length).append(')').append(absolute ? "!" : "");
            if (ack != null) b.append(" ack ").append(ack);
            if (win != null) b.append(" win ").append(win);
            if (urg != null) b.append(" urg ").append(urg);
            if (anyOptions) b.append(" <...>");
            else if (options != null) b.append(" <").append(String.join(",", options.stream().map(Object::toString).toList())).append('>');
            return b.toString();
        }
    }

    /**
     * {@code name(args) = result [ERRNO (text)]}. result is null only for {@code = ...}.
     */
    record SyscallEvent(int line, TimeSpec time, String name, List<Expr> args, Expr result, String errno)
            implements Event {
        public String describe() {
            return name + "(" + String.join(", ", args.stream().map(Object::toString).toList()) + ") = " + result
                + (errno == null ? "" : " " + errno);
        }
    }

    /**
     * An inbound ICMP message about one of our segments: {@code < icmp unreachable frag_needed
     * mtu 1200 [1:1461(1460)]}. code is null when not written, mtu 0 when absent; the quoted
     * segment's seq range is in script space (ours), seqStart -1 when not written.
     */
    record IcmpEvent(int line, TimeSpec time, String type, String code, int mtu, long seqStart, long seqEnd,
                     int length, String ipInfo) implements Event {}

    /** A backtick shell command. */
    record CommandEvent(int line, TimeSpec time, String command) implements Event {}

    /** A {@code %{ ... }%} block (Python in packetdrill; we evaluate tcpi_* assertions). */
    record CodeEvent(int line, TimeSpec time, String code) implements Event {}
}
