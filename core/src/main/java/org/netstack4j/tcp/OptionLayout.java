package org.netstack4j.tcp;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.netstack4j.wire.TcpOption;

/**
 * How options are laid out on SYN and SYN-ACK segments, as data: an ordered list of
 * {@link Slot}s, each an option kind with the alignment its start must have. Any order and
 * padding is legal (RFC 9293 3.2); stacks differ, and peers' test suites compare bytes.
 * Options that are not sent (disabled, or on a SYN-ACK not offered by the peer) take no
 * space and no padding, so the padding of the others follows from what is actually sent:
 * Linux sends {@code mss,sackOK,TS,nop,wscale} but {@code mss,nop,nop,sackOK,nop,wscale}
 * without timestamps; FreeBSD {@code mss,nop,wscale,sackOK,TS} but
 * {@code mss,nop,wscale,nop,nop,TS} without SACK. A list whose length is not a multiple of 4
 * is padded with EOL bytes by the segment encoder (FreeBSD's {@code mss,sackOK,eol,eol}).
 */
public record OptionLayout(List<Slot> syn, List<Slot> synAck) {
    public OptionLayout {
        syn = List.copyOf(syn);
        synAck = List.copyOf(synAck);
    }

    /**
     * One option kind. NOPs are inserted before it until its start offset (in the option
     * area) is {@code remainder} modulo {@code modulus}. With {@code packWithNext}, when the
     * option of the next slot is sent too, this option is placed directly before it and the
     * padding goes in front of both, chosen so that the next option is aligned (Linux writes
     * SACK-permitted into the two padding bytes in front of the timestamps).
     */
    public record Slot(int kind, int modulus, int remainder, boolean packWithNext) {
        public Slot {
            if (modulus < 1 || modulus > 4 || remainder < 0 || remainder >= modulus)
                throw new IllegalArgumentException("alignment " + remainder + " mod " + modulus);
        }

        public static Slot of(int kind, int modulus, int remainder) { return new Slot(kind, modulus, remainder, false); }
    }

    /**
     * Linux (tcp_options_write): MSS; SACK-permitted and timestamps each after NOP,NOP, except
     * that SACK-permitted takes the NOPs' place when both are sent; NOP, window scale.
     */
    public static OptionLayout linuxLike() {
        List<Slot> l = List.of(
                Slot.of(TcpOption.KIND_MSS, 4, 0),
                new Slot(TcpOption.KIND_SACK_PERMITTED, 4, 2, true),
                Slot.of(TcpOption.KIND_TIMESTAMPS, 4, 2),
                Slot.of(TcpOption.KIND_WSCALE, 4, 1));
        return new OptionLayout(l, l);
    }

    /**
     * FreeBSD (tcp_addoptions): MSS; window scale at an odd offset; SACK-permitted at an even
     * offset; timestamps at 2 mod 4; EOL padding at the end.
     */
    public static OptionLayout freebsdLike() {
        List<Slot> l = List.of(
                Slot.of(TcpOption.KIND_MSS, 4, 0),
                Slot.of(TcpOption.KIND_WSCALE, 2, 1),
                Slot.of(TcpOption.KIND_SACK_PERMITTED, 2, 0),
                Slot.of(TcpOption.KIND_TIMESTAMPS, 4, 2));
        return new OptionLayout(l, l);
    }

    /**
     * The options of a SYN ({@code synAck=false}) or SYN-ACK in this layout, with NOP padding.
     * {@code optionFor} gives the option to send for a kind, or null when it is not sent.
     */
    public List<TcpOption> arrange(boolean synAck, IntFunction<TcpOption> optionFor) {
        List<Slot> slots = synAck ? this.synAck : this.syn;
        TcpOption[] opt = new TcpOption[slots.size()];
        for (int i = 0; i < opt.length; i++) opt[i] = optionFor.apply(slots.get(i).kind());
        List<TcpOption> out = new ArrayList<>(8);
        int offset = 0;
        int i = 0;
        while (i < opt.length) {
            if (opt[i] == null) { i++; continue; }
            // a run of packed options: i..j, each packed with the next one, all sent
            int j = i;
            int prefix = 0;
            while (j + 1 < opt.length && slots.get(j).packWithNext() && opt[j + 1] != null) {
                prefix += opt[j].length();
                j++;
            }
            Slot last = slots.get(j);
            while ((offset + prefix) % last.modulus() != last.remainder()) {
                out.add(new TcpOption.Nop());
                offset++;
            }
            for (int k = i; k <= j; k++) {
                out.add(opt[k]);
                offset += opt[k].length();
            }
            i = j + 1;
        }
        return out;
    }
}
