package org.netstack4j.wire;

import java.util.List;

/**
 * A reusable, mutable header for the segments a connection sends most: no options, or NOP, NOP,
 * Timestamps (the layout of RFC 7323 Appendix A), urgent pointer 0. {@link #emit} writes the
 * same bytes as {@link TcpRepr#emit} of {@link #toRepr()} without building the record and its
 * option list for every segment. Owned by one single-threaded layer and overwritten by the next
 * segment: a receiver that keeps the header must keep {@link #toRepr()}.
 */
public final class TcpEncoder {
    private static final int TS_LENGTH = 12; // NOP, NOP, kind 8, length 10, TSval, TSecr
    private static final int TS_WORD = 0x0101080a;

    private int srcPort, dstPort, seq, ack, flags, window;
    private boolean timestamps;
    private int tsVal, tsEcr;

    /** Sets every field; returns this. Ranges as in {@link TcpRepr}. */
    public TcpEncoder set(int srcPort, int dstPort, int seq, int ack, int flags, int window,
                          boolean timestamps, int tsVal, int tsEcr) {
        Bytes.checkRange("srcPort", srcPort, 0, 0xffff);
        Bytes.checkRange("dstPort", dstPort, 0, 0xffff);
        Bytes.checkRange("flags", flags, 0, 0x1ff);
        Bytes.checkRange("window", window, 0, 0xffff);
        this.srcPort = srcPort;
        this.dstPort = dstPort;
        this.seq = seq;
        this.ack = ack;
        this.flags = flags;
        this.window = window;
        this.timestamps = timestamps;
        this.tsVal = timestamps ? tsVal : 0;
        this.tsEcr = timestamps ? tsEcr : 0;
        return this;
    }

    public int flags() { return flags; }
    public boolean has(int flag) { return (flags & flag) != 0; }
    public int headerLength() { return TcpRepr.MIN_HEADER_LENGTH + (timestamps ? TS_LENGTH : 0); }

    /** The same header as a record (for tracing and for outputs that want one). */
    public TcpRepr toRepr() {
        List<TcpOption> options = timestamps
                ? List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Timestamps(tsVal, tsEcr)) : List.of();
        return new TcpRepr(srcPort, dstPort, seq, ack, flags, window, 0, options);
    }

    /** As {@link TcpRepr#emit}: header + payload with a correct checksum at buf[off]; returns the length. */
    public int emit(IpAddress src, IpAddress dst, byte[] buf, int off, byte[] payload, int poff, int plen) {
        int hl = headerLength();
        if (plen > 0) System.arraycopy(payload, poff, buf, off + hl, plen);
        Bytes.put16(buf, off + TcpRepr.SRC_PORT, srcPort);
        Bytes.put16(buf, off + TcpRepr.DST_PORT, dstPort);
        Bytes.put32(buf, off + TcpRepr.SEQ, seq);
        Bytes.put32(buf, off + TcpRepr.ACK_NUM, ack);
        Bytes.put8(buf, off + TcpRepr.DATA_OFFSET, (hl / 4) << 4 | flags >>> 8);
        Bytes.put8(buf, off + TcpRepr.FLAGS, flags & 0xff);
        Bytes.put16(buf, off + TcpRepr.WINDOW, window);
        Bytes.put16(buf, off + TcpRepr.CHECKSUM, 0);
        Bytes.put16(buf, off + TcpRepr.URGENT, 0);
        int len = hl + plen;
        // every header word from the fields; only the payload is read (RFC 9293 3.1 checksum)
        long sum = Checksum.pseudoHeaderSum(src, dst, Ipv4Repr.PROTO_TCP, len)
                + srcPort + dstPort + (seq >>> 16) + (seq & 0xffff) + (ack >>> 16) + (ack & 0xffff)
                + ((hl / 4) << 12 | flags) + window;
        if (timestamps) {
            int p = off + TcpRepr.MIN_HEADER_LENGTH;
            Bytes.put32(buf, p, TS_WORD);
            Bytes.put32(buf, p + 4, tsVal);
            Bytes.put32(buf, p + 8, tsEcr);
            sum += (TS_WORD >>> 16) + (TS_WORD & 0xffff) + (tsVal >>> 16) + (tsVal & 0xffff)
                    + (tsEcr >>> 16) + (tsEcr & 0xffff);
        }
        if (plen > 0) sum = Checksum.sum(sum, buf, off + hl, plen);
        Bytes.put16(buf, off + TcpRepr.CHECKSUM, Checksum.finish(sum));
        return len;
    }

    /**
     * As {@link #emit}, for a super-segment a device cuts (TSO): the checksum field holds only
     * the folded pseudo-header sum over the whole TCP length, not complemented (CHECKSUM_PARTIAL,
     * virtio NEEDS_CSUM: the device adds the rest per segment), so no byte of the payload is summed here.
     */
    public int emitPartial(IpAddress src, IpAddress dst, byte[] buf, int off, byte[] payload, int poff, int plen) {
        int len = emit(src, dst, buf, off, payload, poff, 0);
        if (plen > 0) System.arraycopy(payload, poff, buf, off + len, plen);
        int partial = ~Checksum.finish(Checksum.pseudoHeaderSum(src, dst, Ipv4Repr.PROTO_TCP, len + plen)) & 0xffff;
        Bytes.put16(buf, off + TcpRepr.CHECKSUM, partial);
        return len + plen;
    }

    @Override public String toString() { return toRepr().toString(); }
}
