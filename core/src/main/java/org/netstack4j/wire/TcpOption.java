package org.netstack4j.wire;

import java.util.List;

/** TCP options (RFC 9293 3.2, RFC 7323, RFC 2018). The list order on the wire is kept. */
public sealed interface TcpOption {
    int KIND_EOL = 0, KIND_NOP = 1, KIND_MSS = 2, KIND_WSCALE = 3, KIND_SACK_PERMITTED = 4,
        KIND_SACK = 5, KIND_TIMESTAMPS = 8;

    record EndOfList() implements TcpOption {}
    record Nop() implements TcpOption {}
    record Mss(int mss) implements TcpOption {}
    record WindowScale(int shift) implements TcpOption {}
    record SackPermitted() implements TcpOption {}
    /** A SACK block: [left, right) in sequence space, raw 32-bit values. */
    record SackBlock(int left, int right) {}
    record Sack(List<SackBlock> blocks) implements TcpOption {}
    record Timestamps(int tsVal, int tsEcr) implements TcpOption {}
    /** An option of an unknown kind, skipped by its length and kept for display. */
    record Unknown(int kind, byte[] data) implements TcpOption {}

    /** Bytes this option occupies on the wire. */
    default int length() { throw new UnsupportedOperationException("TODO(wire)"); }
}
