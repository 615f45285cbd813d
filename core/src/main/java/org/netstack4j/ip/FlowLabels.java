package org.netstack4j.ip;

import java.util.SplittableRandom;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.SipHash;

/**
 * Flow labels for the IPv6 packets we originate (RFC 6437 3, in the way of Linux's
 * {@code auto_flowlabels=1}): a TCP or UDP flow gets a stable 20-bit label, a keyed hash
 * (SipHash, secret per stack) of its 5-tuple, so routers can spread flows over equal-cost paths
 * (RFC 6438) without looking past the IPv6 header, while an observer learns nothing from the
 * value (RFC 6437 3: labels SHOULD be hard to guess). Every other packet (ICMPv6, Neighbor
 * Discovery, errors) carries 0, "unlabelled" (RFC 6437 2). A label is never 0 once computed.
 */
final class FlowLabels {
    private final SipHash f;
    private boolean enabled = true;
    /** The last 5-tuple labelled and its label: a flow's packets come in bursts. */
    private Ipv6Address lastSrc, lastDst;
    private long lastWord;
    private int lastLabel;

    FlowLabels(long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x6437_6438L);
        this.f = new SipHash(r.nextLong(), r.nextLong());
    }

    void setEnabled(boolean on) { enabled = on; }

    boolean enabled() { return enabled; }

    /**
     * The label for a packet from src to dst whose transport header ({@code nextHeader}) starts at
     * buf[off] with {@code len} bytes: non-zero for TCP and UDP (ports at bytes 0-3), else 0.
     */
    int label(Ipv6Address src, Ipv6Address dst, int nextHeader, byte[] buf, int off, int len) {
        if (!enabled || len < 4 || (nextHeader != Ipv6Repr.NH_TCP && nextHeader != Ipv6Repr.NH_UDP)) return 0;
        long ports = (buf[off] & 0xffL) << 24 | (buf[off + 1] & 0xffL) << 16 | (buf[off + 2] & 0xffL) << 8 | (buf[off + 3] & 0xffL);
        long word = (long) nextHeader << 32 | ports;
        if (word == lastWord && src.equals(lastSrc) && dst.equals(lastDst)) return lastLabel;
        long h = f.hash(src, dst, word);
        int label = (int) (h ^ h >>> 20 ^ h >>> 40) & 0xf_ffff;
        if (label == 0) label = 1; // 0 would say "no label"
        lastSrc = src;
        lastDst = dst;
        lastWord = word;
        lastLabel = label;
        return label;
    }
}
