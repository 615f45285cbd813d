package org.netstack4j.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The TCP header (RFC 9293 3.1). seq, ack and tsVal are raw 32-bit values; window is the
 * raw 16-bit field (unscaled). options keeps wire order, including NOP and EOL, so that
 * emit reproduces the exact layout; emit pads to a multiple of 4 with zero (EOL) bytes.
 * Parse stops at an EOL and records it, so a list whose length is not a multiple of 4
 * comes back from parse(emit(..)) with an {@link TcpOption.EndOfList} appended. Of the four
 * bits beside the data offset, the lowest is AE (Accurate ECN, RFC 9768 3.2.1: bit 7 of the
 * 12-bit flags field, the historic NS bit of RFC 3540), carried as {@link #AE} = 0x100 in
 * {@code flags}; the other three are reserved: parse ignores them and emit writes zeros.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |     |A|C|E|U|A|P|R|S|F|                               |
 * | Offset|Rsrvd|E|W|C|R|C|S|S|Y|I|            Window             |
 * |       |     | |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           [Options]                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public record TcpRepr(int srcPort, int dstPort, int seq, int ack, int flags, int window,
                      int urgentPointer, List<TcpOption> options) {
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int MAX_HEADER_LENGTH = 60;
    public static final int MAX_OPTIONS_LENGTH = 40;
    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10,
        URG = 0x20, ECE = 0x40, CWR = 0x80;
    /** Accurate ECN's AE flag (RFC 9768 3.2.1), the lowest bit of the byte holding the data offset. */
    public static final int AE = 0x100;
    /** The three flags that carry Accurate ECN's ACE counter (RFC 9768 3.2.2.1). */
    public static final int ACE_FLAGS = AE | CWR | ECE;

    static final int SRC_PORT = 0, DST_PORT = 2, SEQ = 4, ACK_NUM = 8, DATA_OFFSET = 12, FLAGS = 13,
            WINDOW = 14, CHECKSUM = 16, URGENT = 18;

    public TcpRepr {
        Bytes.checkRange("srcPort", srcPort, 0, 0xffff);
        Bytes.checkRange("dstPort", dstPort, 0, 0xffff);
        Bytes.checkRange("flags", flags, 0, 0x1ff);
        Bytes.checkRange("window", window, 0, 0xffff);
        Bytes.checkRange("urgentPointer", urgentPointer, 0, 0xffff);
        options = List.copyOf(Objects.requireNonNull(options, "options"));
        int total = 0;
        for (int i = 0; i < options.size(); i++) {
            TcpOption o = options.get(i);
            if (o instanceof TcpOption.EndOfList && i != options.size() - 1)
                throw new IllegalArgumentException("EndOfList must be the last option");
            total += o.length();
        }
        if (total > MAX_OPTIONS_LENGTH)
            throw new IllegalArgumentException("options take " + total + " bytes, at most " + MAX_OPTIONS_LENGTH + " fit");
    }

    public boolean has(int flag) { return (flags & flag) != 0; }

    /** 20 + options rounded up to a multiple of 4. */
    public int headerLength() {
        int total = 0;
        for (TcpOption o : options) total += o.length();
        return MIN_HEADER_LENGTH + ((total + 3) & ~3);
    }

    /** Length in sequence space of a segment with this header and plen payload bytes (SYN and FIN count one). */
    public int sequenceLength(int plen) {
        return plen + (has(SYN) ? 1 : 0) + (has(FIN) ? 1 : 0);
    }

    /** The first option of the given type, or null. */
    public <T extends TcpOption> T option(Class<T> type) {
        for (TcpOption o : options) if (type.isInstance(o)) return type.cast(o);
        return null;
    }

    /** A copy with other flags. */
    public TcpRepr withFlags(int newFlags) {
        return new TcpRepr(srcPort, dstPort, seq, ack, newFlags, window, urgentPointer, options);
    }

    /**
     * Parses and validates the segment at buf[off..off+len) (len = IP payload length): data
     * offset >= 5 and within len, options well-formed, checksum over the pseudo-header when
     * verifyChecksum. The payload is buf[off+headerLength() .. off+len).
     * Malformed offsets are relative to off.
     */
    public static Parsed<TcpRepr> parse(IpAddress src, IpAddress dst, byte[] buf, int off, int len,
                                        boolean verifyChecksum) {
        // One test for the usual good header; the reasons are worked out apart (a small method the
        // JIT inlines into the receive path, so the Parsed wrapper need not be allocated).
        if (!Bytes.inBounds(buf, off, len) || len < MIN_HEADER_LENGTH) return malformed(src, dst, buf, off, len);
        int hl = (Bytes.u8(buf, off + DATA_OFFSET) >>> 4) * 4;
        if (hl < MIN_HEADER_LENGTH || hl > len || verifyChecksum && !checksumValid(src, dst, buf, off, len))
            return malformed(src, dst, buf, off, len);
        List<TcpOption> options;
        if (hl == MIN_HEADER_LENGTH) {
            options = List.of();
        } else if (hl == MIN_HEADER_LENGTH + 12 && Bytes.i32(buf, off + MIN_HEADER_LENGTH) == 0x0101080a) {
            // The usual layout of a segment with timestamps (RFC 7323 Appendix A): NOP, NOP, TS.
            // Same result as parseOptions, built as an immutable list the constructor keeps as is.
            options = List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Timestamps(
                    Bytes.i32(buf, off + MIN_HEADER_LENGTH + 4), Bytes.i32(buf, off + MIN_HEADER_LENGTH + 8)));
        } else {
            options = new ArrayList<>(6);
            Parsed.Malformed<TcpRepr> bad = parseOptions(buf, off, hl, options);
            if (bad != null) return bad;
        }
        return Parsed.ok(new TcpRepr(Bytes.u16(buf, off + SRC_PORT), Bytes.u16(buf, off + DST_PORT),
                Bytes.i32(buf, off + SEQ), Bytes.i32(buf, off + ACK_NUM),
                Bytes.u8(buf, off + FLAGS) | (Bytes.u8(buf, off + DATA_OFFSET) & 1) << 8,
                Bytes.u16(buf, off + WINDOW), Bytes.u16(buf, off + URGENT), options));
    }

    /** Why {@link #parse} refused the fixed header: the first check that fails, in the order of the checks. */
    private static Parsed<TcpRepr> malformed(IpAddress src, IpAddress dst, byte[] buf, int off, int len) {
        if (!Bytes.inBounds(buf, off, len)) return Parsed.malformed("tcp", MalformedKind.BAD_RANGE, "bad buffer range", 0);
        if (len < MIN_HEADER_LENGTH)
            return Parsed.malformed("tcp", MalformedKind.TRUNCATED, "truncated: " + len + " bytes, header needs " + MIN_HEADER_LENGTH, len);
        int dataOffset = Bytes.u8(buf, off + DATA_OFFSET) >>> 4;
        int hl = dataOffset * 4;
        if (dataOffset < 5)
            return Parsed.malformed("tcp", MalformedKind.BAD_HEADER, "data offset " + dataOffset + " (" + hl + " bytes) < 5", DATA_OFFSET);
        if (hl > len)
            return Parsed.malformed("tcp", MalformedKind.TRUNCATED, "data offset " + dataOffset + " (" + hl + " bytes) runs past the "
                    + len + "-byte segment", DATA_OFFSET);
        return Parsed.malformed("tcp", MalformedKind.CHECKSUM, String.format("bad checksum 0x%04x, should be 0x%04x",
                Bytes.u16(buf, off + CHECKSUM), expectedChecksum(src, dst, buf, off, len)), CHECKSUM);
    }

    /** Parses buf[off+20 .. off+hl) into out (kept up to a failure); returns null or why it failed (RFC 9293 3.1, 3.2). */
    static Parsed.Malformed<TcpRepr> parseOptions(byte[] buf, int off, int hl, List<TcpOption> out) {
        int p = MIN_HEADER_LENGTH;
        while (p < hl) {
            int kind = Bytes.u8(buf, off + p);
            if (kind == TcpOption.KIND_EOL) {
                out.add(new TcpOption.EndOfList()); // the rest of the header is padding
                return null;
            }
            if (kind == TcpOption.KIND_NOP) {
                out.add(TcpOption.NOP);
                p++;
                continue;
            }
            if (p + 1 >= hl)
                return new Parsed.Malformed<>("tcp", MalformedKind.BAD_OPTION, "option kind " + kind + " has no length byte before the header end", p);
            int olen = Bytes.u8(buf, off + p + 1);
            if (olen < 2)
                return new Parsed.Malformed<>("tcp", MalformedKind.BAD_OPTION, "option kind " + kind + " has length " + olen + " < 2", p + 1);
            if (p + olen > hl)
                return new Parsed.Malformed<>("tcp", MalformedKind.BAD_OPTION, "option kind " + kind + " length " + olen
                        + " runs past the header end (byte " + hl + ")", p + 1);
            int v = off + p + 2;
            TcpOption o;
            switch (kind) {
                case TcpOption.KIND_MSS -> {
                    if (olen != 4) return badLength("MSS", olen, "4", p);
                    o = new TcpOption.Mss(Bytes.u16(buf, v));
                }
                case TcpOption.KIND_WSCALE -> {
                    if (olen != 3) return badLength("window scale", olen, "3", p);
                    o = new TcpOption.WindowScale(Bytes.u8(buf, v));
                }
                case TcpOption.KIND_SACK_PERMITTED -> {
                    if (olen != 2) return badLength("SACK-permitted", olen, "2", p);
                    o = new TcpOption.SackPermitted();
                }
                case TcpOption.KIND_SACK -> {
                    // RFC 2018 3: length 8*n+2; at most 4 blocks fit in 40 bytes
                    if (olen < 10 || (olen - 2) % 8 != 0) return badLength("SACK", olen, "8*n+2 with n >= 1", p);
                    List<TcpOption.SackBlock> blocks = new ArrayList<>((olen - 2) / 8);
                    for (int q = v; q < off + p + olen; q += 8)
                        blocks.add(new TcpOption.SackBlock(Bytes.i32(buf, q), Bytes.i32(buf, q + 4)));
                    o = new TcpOption.Sack(blocks);
                }
                case TcpOption.KIND_TIMESTAMPS -> {
                    if (olen != 10) return badLength("timestamps", olen, "10", p);
                    o = new TcpOption.Timestamps(Bytes.i32(buf, v), Bytes.i32(buf, v + 4));
                }
                default -> o = new TcpOption.Unknown(kind, java.util.Arrays.copyOfRange(buf, v, off + p + olen));
            }
            out.add(o);
            p += olen;
        }
        return null;
    }

    private static Parsed.Malformed<TcpRepr> badLength(String name, int olen, String want, int p) {
        return new Parsed.Malformed<>("tcp", MalformedKind.BAD_OPTION, name + " option has length " + olen + ", should be " + want, p + 1);
    }

    static boolean checksumValid(IpAddress src, IpAddress dst, byte[] buf, int off, int len) {
        return Checksum.finish(Checksum.sum(Checksum.pseudoHeaderSum(src, dst, Ipv4Repr.PROTO_TCP, len), buf, off, len)) == 0;
    }

    /** The checksum the segment at buf[off..off+len) should carry. */
    static int expectedChecksum(IpAddress src, IpAddress dst, byte[] buf, int off, int len) {
        long s = Checksum.pseudoHeaderSum(src, dst, Ipv4Repr.PROTO_TCP, len);
        s = Checksum.sum(s, buf, off, CHECKSUM);
        return Checksum.finish(Checksum.sum(s, buf, off + CHECKSUM + 2, len - CHECKSUM - 2));
    }

    /**
     * Writes header + payload with a correct checksum at buf[off]; returns headerLength() + plen.
     * The payload may already be in place (payload == buf, poff == off + headerLength());
     * payload may be null when plen is 0.
     */
    public int emit(IpAddress src, IpAddress dst, byte[] buf, int off, byte[] payload, int poff, int plen) {
        int hl = headerLength();
        if (plen > 0) System.arraycopy(payload, poff, buf, off + hl, plen);
        Bytes.put16(buf, off + SRC_PORT, srcPort);
        Bytes.put16(buf, off + DST_PORT, dstPort);
        Bytes.put32(buf, off + SEQ, seq);
        Bytes.put32(buf, off + ACK_NUM, ack);
        Bytes.put8(buf, off + DATA_OFFSET, (hl / 4) << 4 | flags >>> 8);
        Bytes.put8(buf, off + FLAGS, flags & 0xff);
        Bytes.put16(buf, off + WINDOW, window);
        Bytes.put16(buf, off + CHECKSUM, 0);
        Bytes.put16(buf, off + URGENT, urgentPointer);
        int p = off + MIN_HEADER_LENGTH;
        for (TcpOption o : options) p += o.emit(buf, p);
        while (p < off + hl) buf[p++] = 0; // padding: zero bytes (EOL), RFC 9293 3.1
        int len = hl + plen;
        // The fixed header's words are summed from the fields (reading back the bytes just stored
        // one by one would be slower); the options and the payload from the buffer.
        long sum = Checksum.pseudoHeaderSum(src, dst, Ipv4Repr.PROTO_TCP, len)
                + srcPort + dstPort + (seq >>> 16) + (seq & 0xffff) + (ack >>> 16) + (ack & 0xffff)
                + ((hl / 4) << 12 | flags) + window + urgentPointer;
        sum = Checksum.sum(sum, buf, off + MIN_HEADER_LENGTH, len - MIN_HEADER_LENGTH);
        Bytes.put16(buf, off + CHECKSUM, Checksum.finish(sum));
        return len;
    }

    /** tcpdump's flag letters in tcpdump's order (F S R P . U E W), "none" if no flag is set. */
    public static String flagLetters(int flags) {
        if (flags == 0) return "none";
        StringBuilder sb = new StringBuilder(8);
        if ((flags & FIN) != 0) sb.append('F');
        if ((flags & SYN) != 0) sb.append('S');
        if ((flags & RST) != 0) sb.append('R');
        if ((flags & PSH) != 0) sb.append('P');
        if ((flags & ACK) != 0) sb.append('.');
        if ((flags & URG) != 0) sb.append('U');
        if ((flags & ECE) != 0) sb.append('E');
        if ((flags & CWR) != 0) sb.append('W');
        if ((flags & AE) != 0) sb.append('A');
        return sb.toString();
    }

    /**
     * One tcpdump-like line:
     * {@code Flags [S.], seq 1000, ack 2001, win 65535, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7]}.
     */
    @Override public String toString() {
        StringBuilder sb = new StringBuilder(96);
        sb.append("Flags [").append(flagLetters(flags)).append("], seq ").append(Integer.toUnsignedString(seq));
        if (has(ACK)) sb.append(", ack ").append(Integer.toUnsignedString(ack));
        sb.append(", win ").append(window);
        if (has(URG)) sb.append(", urg ").append(urgentPointer);
        if (!options.isEmpty()) {
            sb.append(", options [");
            for (int i = 0; i < options.size(); i++) {
                if (i > 0) sb.append(',');
                sb.append(options.get(i).tcpdump());
            }
            sb.append(']');
        }
        return sb.toString();
    }
}
