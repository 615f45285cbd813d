package org.netstack4j.tcp;

import java.util.SplittableRandom;
import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.SipHash;

/**
 * SYN cookies (RFC 4987 3.6), in Linux's form (net/ipv4/syncookies.c). A listener whose SYN
 * queue is full answers a SYN with a SYN,ACK whose ISS encodes what it would have kept:
 *
 * <pre>
 *   cookie = H1(4-tuple) + SEG.SEQ + (count &lt;&lt; 24) + ((H2(4-tuple, count) + mssIndex) mod 2^24)
 * </pre>
 *
 * where H1 and H2 are SipHash-2-4 with a secret drawn from the layer's seed and {@code count} a
 * coarse clock ticking every {@link #PERIOD_NS}. The ACK completing the handshake
 * (SEG.ACK = cookie + 1, SEG.SEQ = the SYN's + 1) is checked by undoing the sum: the top byte
 * gives the count, valid for {@link #MAX_AGE} ticks (one to two minutes), and the low 24 bits
 * minus H2 must be an index into {@link #MSS_TABLE}. A guess succeeds with probability about
 * 4 / 2^24 per try.
 *
 * <p>The SYN's other options are not in the sequence number: when the peer sent timestamps,
 * they ride in the low {@link #TS_BITS} bits of our TSval (Linux cookie_init_timestamp): the
 * peer's window shift (4 bits, 0xf = none), SACK-permitted, and ECN (RFC 3168, agreed). The
 * peer echoes the TSval in the ACK's TSecr. Without timestamps the connection gets the MSS
 * only (Linux clears the other options).
 */
final class SynCookies {
    /** The MSS values a cookie can carry, in two bits (Linux msstab for IPv4). */
    static final int[] MSS_TABLE = {536, 1300, 1440, 1460};
    /** The tick of the cookie clock: a minute, as Linux tcp_cookie_time. */
    static final long PERIOD_NS = 60_000_000_000L;
    /** Ticks a cookie stays valid (Linux MAX_SYNCOOKIE_AGE). */
    static final int MAX_AGE = 2;
    static final int TS_BITS = 6;
    static final int TS_MASK = (1 << TS_BITS) - 1;
    static final int TS_WSCALE_MASK = 0xf;
    static final int TS_SACK = 1 << 4;
    /** The SYN asked for ECN and we agreed (Linux TS_OPT_ECN). */
    static final int TS_ECN = 1 << 5;

    private static final int COOKIE_BITS = 24;
    private static final int COOKIE_MASK = (1 << COOKIE_BITS) - 1;

    /** What {@link #check} found. */
    enum Verdict { VALID, EXPIRED, FORGED }

    /** A checked cookie: the verdict and, when valid, the MSS it carried. */
    record Check(Verdict verdict, int mss) {}

    /** The options of the SYN, restored from the TSecr of the ACK: wscale -1 = none. */
    record TsOptions(int wscale, boolean sack, boolean ecn) {}

    private final SipHash f;

    SynCookies(long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x4987L);
        this.f = new SipHash(r.nextLong(), r.nextLong());
    }

    static long count(long now) { return Math.floorDiv(now, PERIOD_NS); }

    /** The largest MSS of the table not above the peer's (536 when it sent none). */
    static int mssIndex(int peerMss) {
        int i = MSS_TABLE.length - 1;
        while (i > 0 && MSS_TABLE[i] > peerMss) i--;
        return i;
    }

    /** The ISS for a SYN,ACK answering a SYN with sequence number {@code peerSeq}. */
    int cookie(long now, IpAddress local, int localPort, IpAddress remote, int remotePort, int peerSeq, int mssIndex) {
        long count = count(now);
        return h1(local, localPort, remote, remotePort) + peerSeq + (int) (count << COOKIE_BITS)
                + ((h2(local, localPort, remote, remotePort, count) + mssIndex) & COOKIE_MASK);
    }

    /** Checks {@code cookie} (SEG.ACK - 1) of an ACK whose SYN had sequence number {@code peerSeq} (SEG.SEQ - 1). */
    Check check(long now, IpAddress local, int localPort, IpAddress remote, int remotePort, int peerSeq, int cookie) {
        int c = cookie - h1(local, localPort, remote, remotePort) - peerSeq;
        long nowCount = count(now);
        int age = (int) ((nowCount - (c >>> COOKIE_BITS)) & 0xff);
        long sentCount = nowCount - age;
        int data = (c - h2(local, localPort, remote, remotePort, sentCount)) & COOKIE_MASK;
        if (data >= MSS_TABLE.length) return new Check(Verdict.FORGED, 0);
        // ours, but from a clock reading too long ago (or, 4 times in 2^24, a lucky forgery)
        if (age >= MAX_AGE) return new Check(Verdict.EXPIRED, 0);
        return new Check(Verdict.VALID, MSS_TABLE[data]);
    }

    /**
     * Our TSval for the cookie SYN,ACK, {@code tsNow} in the connection's timestamp clock (with
     * its offset, {@code tsOffset}): the clock rounded down to a multiple of 64 with the options
     * in the low bits, never ahead of the clock (Linux cookie_init_timestamp).
     */
    static int timestamp(int tsNow, int tsOffset, int peerWscale, boolean sack, boolean ecn) {
        int clock = tsNow - tsOffset;
        int options = (peerWscale >= 0 ? peerWscale : TS_WSCALE_MASK) | (sack ? TS_SACK : 0) | (ecn ? TS_ECN : 0);
        int ts = (clock & ~TS_MASK) | options;
        if (Seq.gt(ts, clock)) ts -= TS_MASK + 1;
        return ts + tsOffset;
    }

    /** The options hidden in our TSval, read back from the peer's TSecr; null if the bits are not ours. */
    static TsOptions options(int tsEcr, int tsOffset) {
        int o = (tsEcr - tsOffset) & TS_MASK;
        int ws = o & TS_WSCALE_MASK;
        if (ws != TS_WSCALE_MASK && ws > 14) return null; // RFC 7323 2.3: we never encode more than 14
        return new TsOptions(ws == TS_WSCALE_MASK ? -1 : ws, (o & TS_SACK) != 0, (o & TS_ECN) != 0);
    }

    private int h1(IpAddress local, int localPort, IpAddress remote, int remotePort) {
        if (local instanceof Ipv4Address l4 && remote instanceof Ipv4Address r4)
            return (int) f.hash(tuple(l4, r4), ports(localPort, remotePort), 1);
        return (int) f.hash(local.high64(), local.low64(), remote.high64(), remote.low64(), ports(localPort, remotePort), 1);
    }

    private int h2(IpAddress local, int localPort, IpAddress remote, int remotePort, long count) {
        if (local instanceof Ipv4Address l4 && remote instanceof Ipv4Address r4)
            return (int) f.hash(tuple(l4, r4), ports(localPort, remotePort), 2, count);
        return (int) f.hash(local.high64(), local.low64(), remote.high64(), remote.low64(), ports(localPort, remotePort), 2, count);
    }

    private static long tuple(Ipv4Address a, Ipv4Address b) { return ((long) a.bits() << 32) | (b.bits() & 0xffffffffL); }

    private static long ports(int a, int b) { return ((long) a << 16) | b; }
}
