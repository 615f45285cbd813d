package org.netstack4j.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.netstack4j.tcp.TcpState;
import org.netstack4j.tcp.TcpTimer;
import org.netstack4j.trace.TimerAction;
import org.netstack4j.wire.TcpRepr;

/**
 * One thing that happened in a lab run, seen from above both hosts. Times are nanoseconds
 * of the (virtual) clock; {@link #tUs()} is what the JSON form shows.
 */
public sealed interface LabEvent {
    long timeNs();

    String host();

    default long tUs() { return Math.floorDiv(timeNs(), 1_000L); }

    /**
     * A segment sent by {@code from}. seq/ack are raw unsigned 32-bit values; ack is null when
     * the ACK flag is unset. {@code arrivalNs} is when the peer received it, -1 when it never did
     * ({@code dropped}). {@code options} is a tcpdump-like summary ("" when none); {@code tcp}
     * is the header as traced, or null for hand-built runs. {@code frame} is the Ethernet frame
     * the link carried (what the HTML page decodes), or null when the run kept no frames.
     */
    record Segment(long timeNs, String from, String to, List<String> flags, long seq, Long ack, int len,
                   int win, boolean dropped, long arrivalNs, String options, TcpRepr tcp, byte[] frame) implements LabEvent {
        public Segment {
            Objects.requireNonNull(from);
            Objects.requireNonNull(to);
            flags = List.copyOf(flags);
            options = options == null ? "" : options;
            frame = frame == null ? null : frame.clone();
        }

        /** A segment without its frame. */
        public Segment(long timeNs, String from, String to, List<String> flags, long seq, Long ack, int len,
                       int win, boolean dropped, long arrivalNs, String options, TcpRepr tcp) {
            this(timeNs, from, to, flags, seq, ack, len, win, dropped, arrivalNs, options, tcp, null);
        }

        @Override public byte[] frame() { return frame == null ? null : frame.clone(); }

        /** The same segment carrying frame. */
        public Segment withFrame(byte[] frame) {
            return new Segment(timeNs, from, to, flags, seq, ack, len, win, dropped, arrivalNs, options, tcp, frame);
        }

        @Override public String host() { return from; }

        public boolean has(String flag) { return flags.contains(flag); }

        /** Sequence space this segment occupies: payload plus one for SYN and one for FIN (RFC 9293 3.4). */
        public long seqSpace() { return len + (has("SYN") ? 1 : 0) + (has("FIN") ? 1 : 0); }

        /** The flags as the notes and the JSON spell them: "SYN,ACK". */
        public String flagText() { return flags.isEmpty() ? "none" : String.join(",", flags); }
    }

    /** A state change of {@code host}; the JSON and the ladders show the constants' names (SYN_SENT, TIME_WAIT, ...). */
    record State(long timeNs, String host, TcpState from, TcpState to, String cause) implements LabEvent {
        public State {
            Objects.requireNonNull(from);
            Objects.requireNonNull(to);
        }
    }

    /** A timer of {@code host} set, fired or cancelled; deadlineNs is meaningful for SET. */
    record Timer(long timeNs, String host, TcpTimer name, TimerAction action, long deadlineNs) implements LabEvent {
        public Timer {
            Objects.requireNonNull(name);
            Objects.requireNonNull(action);
        }
    }

    /** A remark (drops, layer notes) in English and in Chinese. */
    record Note(long timeNs, String host, String text, String zh) implements LabEvent {
        public Note {
            Objects.requireNonNull(text);
            zh = zh == null ? text : zh;
        }

        /** A remark with no Chinese form of its own (hand-built runs). */
        public Note(long timeNs, String host, String text) { this(timeNs, host, text, text); }

        public String text(Lang lang) { return lang.pick(text, zh); }
    }

    /**
     * An explanation tied to the notes' questions, in both languages; key names the moment,
     * trigger is the event that showed it (null if none).
     */
    record Explanation(long timeNs, String host, String key, String en, String zh, LabEvent trigger)
            implements LabEvent {
        public String text(Lang lang) { return lang.pick(en, zh); }
    }

    /** Flag names in the fixed order SYN, FIN, RST, PSH, ACK, URG (then ECE, CWR if set). */
    static List<String> flagNames(int flags) {
        List<String> out = new ArrayList<>(4);
        if ((flags & TcpRepr.SYN) != 0) out.add("SYN");
        if ((flags & TcpRepr.FIN) != 0) out.add("FIN");
        if ((flags & TcpRepr.RST) != 0) out.add("RST");
        if ((flags & TcpRepr.PSH) != 0) out.add("PSH");
        if ((flags & TcpRepr.ACK) != 0) out.add("ACK");
        if ((flags & TcpRepr.URG) != 0) out.add("URG");
        if ((flags & TcpRepr.ECE) != 0) out.add("ECE");
        if ((flags & TcpRepr.CWR) != 0) out.add("CWR");
        return out;
    }
}
