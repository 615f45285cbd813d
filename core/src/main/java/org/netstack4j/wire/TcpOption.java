package org.netstack4j.wire;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * TCP options (RFC 9293 3.2, RFC 7323, RFC 2018). The list order on the wire is kept.
 * Each option but EOL and NOP is kind, length (of the whole option), value.
 */
public sealed interface TcpOption {
    int KIND_EOL = 0, KIND_NOP = 1, KIND_MSS = 2, KIND_WSCALE = 3, KIND_SACK_PERMITTED = 4,
        KIND_SACK = 5, KIND_TIMESTAMPS = 8;
    /** RFC 2018: a SACK option carries 1 to 4 blocks (at most 40 bytes of options). */
    int MAX_SACK_BLOCKS = 4;
    /** A shared NOP (the record has no state; equal to every {@code new Nop()}). */
    Nop NOP = new Nop();

    record EndOfList() implements TcpOption {}
    record Nop() implements TcpOption {}
    record Mss(int mss) implements TcpOption {
        public Mss { Bytes.checkRange("mss", mss, 0, 0xffff); }
    }
    /** shift is the raw byte; RFC 7323 2.3 says a receiver treats values above 14 as 14. */
    record WindowScale(int shift) implements TcpOption {
        public WindowScale { Bytes.checkRange("window scale shift", shift, 0, 0xff); }
    }
    record SackPermitted() implements TcpOption {}
    /** A SACK block: [left, right) in sequence space, raw 32-bit values. */
    record SackBlock(int left, int right) {
        @Override public String toString() {
            return Integer.toUnsignedString(left) + ":" + Integer.toUnsignedString(right);
        }
    }
    record Sack(List<SackBlock> blocks) implements TcpOption {
        public Sack {
            blocks = List.copyOf(blocks);
            if (blocks.isEmpty() || blocks.size() > MAX_SACK_BLOCKS)
                throw new IllegalArgumentException("SACK needs 1 to 4 blocks, got " + blocks.size());
        }
    }
    record Timestamps(int tsVal, int tsEcr) implements TcpOption {}
    /**
     * An option of an unknown kind, skipped by its length and kept for display. data is the
     * value after the kind and length bytes (not copied: treat as immutable).
     */
    record Unknown(int kind, byte[] data) implements TcpOption {
        public Unknown {
            Bytes.checkRange("kind", kind, 0, 0xff);
            if (kind == KIND_EOL || kind == KIND_NOP || kind == KIND_MSS || kind == KIND_WSCALE
                    || kind == KIND_SACK_PERMITTED || kind == KIND_SACK || kind == KIND_TIMESTAMPS)
                throw new IllegalArgumentException("kind " + kind + " is a known option; use its record");
            Objects.requireNonNull(data, "data");
            if (data.length > 253) throw new IllegalArgumentException("option data too long: " + data.length);
        }
        @Override public boolean equals(Object o) {
            return o instanceof Unknown u && kind == u.kind && Arrays.equals(data, u.data);
        }
        @Override public int hashCode() { return 31 * kind + Arrays.hashCode(data); }
        @Override public String toString() { return "Unknown[kind=" + kind + ", data=" + Bytes.hex(data) + "]"; }
    }

    /** Bytes this option occupies on the wire. */
    default int length() {
        return switch (this) {
            case EndOfList e -> 1;
            case Nop n -> 1;
            case Mss m -> 4;
            case WindowScale w -> 3;
            case SackPermitted s -> 2;
            case Sack s -> 2 + 8 * s.blocks().size();
            case Timestamps t -> 10;
            case Unknown u -> 2 + u.data().length;
        };
    }

    /** The option kind byte. */
    default int kind() {
        return switch (this) {
            case EndOfList e -> KIND_EOL;
            case Nop n -> KIND_NOP;
            case Mss m -> KIND_MSS;
            case WindowScale w -> KIND_WSCALE;
            case SackPermitted s -> KIND_SACK_PERMITTED;
            case Sack s -> KIND_SACK;
            case Timestamps t -> KIND_TIMESTAMPS;
            case Unknown u -> u.kind();
        };
    }

    /** Writes the option at buf[off]; returns length(). */
    default int emit(byte[] buf, int off) {
        int len = length();
        Bytes.put8(buf, off, kind());
        if (len > 1) Bytes.put8(buf, off + 1, len);
        switch (this) {
            case EndOfList e -> { }
            case Nop n -> { }
            case Mss m -> Bytes.put16(buf, off + 2, m.mss());
            case WindowScale w -> Bytes.put8(buf, off + 2, w.shift());
            case SackPermitted s -> { }
            case Sack s -> {
                int p = off + 2;
                for (SackBlock b : s.blocks()) {
                    Bytes.put32(buf, p, b.left());
                    Bytes.put32(buf, p + 4, b.right());
                    p += 8;
                }
            }
            case Timestamps t -> { Bytes.put32(buf, off + 2, t.tsVal()); Bytes.put32(buf, off + 6, t.tsEcr()); }
            case Unknown u -> System.arraycopy(u.data(), 0, buf, off + 2, u.data().length);
        }
        return len;
    }

    /** tcpdump's spelling: "mss 1460", "sackOK", "TS val 1 ecr 0", "nop", "wscale 7", "sack 1 {a:b}", "eol". */
    default String tcpdump() {
        return switch (this) {
            case EndOfList e -> "eol";
            case Nop n -> "nop";
            case Mss m -> "mss " + m.mss();
            case WindowScale w -> "wscale " + w.shift();
            case SackPermitted s -> "sackOK";
            case Sack s -> {
                StringBuilder sb = new StringBuilder("sack ").append(s.blocks().size()).append(' ');
                for (SackBlock b : s.blocks()) sb.append('{').append(b).append('}');
                yield sb.toString();
            }
            case Timestamps t -> "TS val " + Integer.toUnsignedString(t.tsVal()) + " ecr " + Integer.toUnsignedString(t.tsEcr());
            case Unknown u -> "opt-" + u.kind() + (u.data().length > 0 ? ":" + Bytes.hex(u.data()) : "");
        };
    }

    /** Long description for the dissector: "MSS: 1460", "Window scale: 7 (multiply by 128)", ... */
    default String describe() {
        return switch (this) {
            case EndOfList e -> "End of option list";
            case Nop n -> "NOP";
            case Mss m -> "MSS: " + m.mss();
            case WindowScale w -> "Window scale: " + w.shift() + (w.shift() > 14 ? " (above 14: used as 14, RFC 7323 2.3, " : " (")
                    + "multiply by " + (1L << Math.min(w.shift(), 14)) + ")";
            case SackPermitted s -> "SACK permitted";
            case Sack s -> {
                StringBuilder sb = new StringBuilder("SACK:");
                for (SackBlock b : s.blocks()) sb.append(' ').append(b.toString().replace(':', '-'));
                yield sb.toString();
            }
            case Timestamps t -> "Timestamps: TSval " + Integer.toUnsignedString(t.tsVal())
                    + ", TSecr " + Integer.toUnsignedString(t.tsEcr());
            case Unknown u -> "Unknown option kind " + u.kind() + " (length " + u.length() + ")";
        };
    }
}
