package org.netstack4j.ip;

import java.util.SplittableRandom;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.SipHash;

/**
 * IPv4 Identification values per RFC 7739 4.3 ("Hash-Based Fragment Identification"), as
 * RFC 6864 and RFC 7739 ask: never one global counter (which tells an observer how many
 * packets a host sends to everyone, the idle scan), but one counter per bucket of
 * (source, destination, protocol), started at a keyed-hash offset:
 *
 * <pre>
 *   index = G(src, dst, protocol, secret2) mod TABLE_LENGTH
 *   ID    = F(src, dst, protocol, secret1) + counter[index]++
 * </pre>
 *
 * An observer sees IDs increment only with the packets sent to itself (and to the few other
 * destinations sharing its bucket), from a start it cannot predict. The table has a fixed
 * size: memory does not grow with the number of destinations.
 */
final class IpIdGenerator {
    /** Buckets of counters (Linux ip_idents uses 2048 or more; a power of two). */
    static final int TABLE_LENGTH = 2048;

    private final SipHash f;
    private final short[] counters = new short[TABLE_LENGTH];
    /** The last (pair, protocol) hashed and its hash: consecutive datagrams mostly share them. */
    private long lastPair, lastHash;
    private int lastProtocol = -1;

    IpIdGenerator(long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x7739L);
        this.f = new SipHash(r.nextLong(), r.nextLong());
    }

    /** The Identification for the next datagram from src to dst carrying {@code protocol}. */
    int next(Ipv4Address src, Ipv4Address dst, int protocol) {
        long pair = ((long) src.bits() << 32) | (dst.bits() & 0xffffffffL);
        long h;
        if (pair == lastPair && protocol == lastProtocol) {
            h = lastHash; // a burst to one destination: hash once (F and G depend on nothing else)
        } else {
            h = f.hash(pair, protocol);
            lastPair = pair;
            lastProtocol = protocol;
            lastHash = h;
        }
        int index = (int) (h >>> 48) & (TABLE_LENGTH - 1); // G: the top bits
        int offset = (int) h; //                               F: the low bits, independent of G's
        int id = (offset + counters[index]) & 0xffff;
        counters[index]++;
        return id;
    }
}
