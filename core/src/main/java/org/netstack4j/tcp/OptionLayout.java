package org.netstack4j.tcp;

import java.util.List;
import org.netstack4j.wire.TcpOption;

/**
 * The order (and NOP padding) of options on SYN and SYN-ACK segments, as data. Kinds are
 * {@link TcpOption#KIND_MSS} etc.; {@link TcpOption#KIND_NOP} entries are emitted as written.
 * Options that are disabled (or, on a SYN-ACK, that the peer did not offer) are skipped together
 * with the NOPs that immediately precede them, so padding stays aligned.
 */
public record OptionLayout(List<Integer> syn, List<Integer> synAck) {
    public OptionLayout {
        syn = List.copyOf(syn);
        synAck = List.copyOf(synAck);
    }

    /** Linux: MSS, SACK-permitted, timestamps, NOP, window scale (20 bytes). */
    public static OptionLayout linuxLike() {
        List<Integer> l = List.of(TcpOption.KIND_MSS, TcpOption.KIND_SACK_PERMITTED, TcpOption.KIND_TIMESTAMPS,
                TcpOption.KIND_NOP, TcpOption.KIND_WSCALE);
        return new OptionLayout(l, l);
    }

    /** FreeBSD: MSS, NOP, window scale, SACK-permitted, timestamps. */
    public static OptionLayout freebsdLike() {
        List<Integer> l = List.of(TcpOption.KIND_MSS, TcpOption.KIND_NOP, TcpOption.KIND_WSCALE,
                TcpOption.KIND_SACK_PERMITTED, TcpOption.KIND_TIMESTAMPS);
        return new OptionLayout(l, l);
    }
}
