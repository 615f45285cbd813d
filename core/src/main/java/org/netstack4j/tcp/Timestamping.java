package org.netstack4j.tcp;

import java.util.ArrayDeque;
import org.netstack4j.tcp.seqnum.Seq;

/**
 * SO_TIMESTAMPING for a TCP connection, the software timestamps of Linux's
 * Documentation/networking/timestamping.rst as a user-space stack can honestly give them.
 *
 * <p><b>Transmit.</b> Each send while a TX flag is on marks its last byte (Linux's tskey, set by
 * tcp_tx_timestamp on the skb holding that byte). Whenever a segment holding a marked byte goes to
 * the IP layer, the connection records {@link Kind#SCHED} ({@link #TX_SCHED}) then {@link Kind#SND}
 * ({@link #TX_SOFTWARE}): here there is no qdisc or driver between the two, so both carry the
 * moment the segment was handed down, and a retransmission of that segment records them again,
 * as Linux's clone of the skb does. When the cumulative ACK covers the byte, {@link Kind#ACK}
 * ({@link #TX_ACK}; SACK does not count, as in Linux). The key is the byte's offset from
 * SND.UNA at the time the option was set ({@link #OPT_ID}), or from the next byte to be written
 * ({@link #OPT_ID_TCP}); without {@code OPT_ID} it is 0.
 *
 * <p><b>Receive.</b> With {@link #RX_SOFTWARE}, a read reports when the stack accepted the last
 * byte it returned ({@link TcpConnection#lastReadTimestamp}); Linux reports the timestamp of the
 * last skb a read copied from, which is the same moment.
 *
 * <p>Times are the stack's clock (virtual time in the simulator, the runtime's clock over real
 * devices). The hardware flags are accepted and produce nothing: there is no NIC clock here.
 * Events wait in a queue of at most {@link #MAX_QUEUED}; one more drops the oldest and counts
 * it ({@link #dropped}), where Linux bounds its error queue by SO_RCVBUF.
 */
public final class Timestamping {
    /** SOF_TIMESTAMPING_* bits, as Linux's include/uapi/linux/net_tstamp.h numbers them. */
    public static final int TX_HARDWARE = 1, TX_SOFTWARE = 1 << 1, RX_HARDWARE = 1 << 2, RX_SOFTWARE = 1 << 3,
            SOFTWARE = 1 << 4, SYS_HARDWARE = 1 << 5, RAW_HARDWARE = 1 << 6, OPT_ID = 1 << 7, TX_SCHED = 1 << 8,
            TX_ACK = 1 << 9, OPT_CMSG = 1 << 10, OPT_TSONLY = 1 << 11, OPT_STATS = 1 << 12, OPT_PKTINFO = 1 << 13,
            OPT_TX_SWHW = 1 << 14, BIND_PHC = 1 << 15, OPT_ID_TCP = 1 << 16;
    /** Every bit Linux accepts (SOF_TIMESTAMPING_MASK up to OPT_ID_TCP). */
    public static final int MASK = (OPT_ID_TCP << 1) - 1;
    /** The flags that make sends record timestamps (SOF_TIMESTAMPING_TX_RECORD_MASK). */
    public static final int TX_RECORD = TX_HARDWARE | TX_SOFTWARE | TX_SCHED | TX_ACK;
    /** Events held per connection before the oldest is dropped. */
    public static final int MAX_QUEUED = 256;

    /** What a transmit timestamp marks; the ordinal is Linux's SCM_TSTAMP_* value (ee_info). */
    public enum Kind {
        /** SCM_TSTAMP_SND: the segment holding the byte was handed to the IP layer. */
        SND,
        /** SCM_TSTAMP_SCHED: the segment entered the transmit path (the same moment here). */
        SCHED,
        /** SCM_TSTAMP_ACK: the cumulative ACK covered the byte. */
        ACK
    }

    /** One transmit timestamp: its kind, its key (ee_data) and the stack time it was taken. */
    public record Event(Kind kind, int key, long nanos) {}

    private int flags;
    /** The sequence number whose key is 0 ({@link #OPT_ID}). */
    private int keyBase;
    /** Sequence numbers of the marked bytes not yet acknowledged, in order. */
    private int[] marks = new int[4];
    private int markHead, markCount;
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private long dropped;
    /** Receive side: for runs of in-order bytes, the sequence number after the run and when it arrived. */
    private int[] rxEnds;
    private long[] rxTimes;
    private int rxHead, rxCount;
    private long lastRead = Long.MIN_VALUE;

    private Timestamping() {}

    /** The flags in force. */
    public int flags() { return flags; }

    /** Events dropped because the queue was full. */
    public long dropped() { return dropped; }

    // ---- the connection's side ----

    /**
     * SO_TIMESTAMPING on {@code c}: 0 turns it off. Linux refuses {@code OPT_ID} on a listening
     * or closed socket (sock_calculate_tskey_offset): the key needs a sequence space.
     */
    static void set(TcpConnection c, int flags) {
        if ((flags & ~MASK) != 0) throw new IllegalArgumentException("unknown SO_TIMESTAMPING bits 0x" + Integer.toHexString(flags & ~MASK));
        if ((flags & OPT_ID) != 0 && (c.state() == TcpState.LISTEN || c.state() == TcpState.CLOSED))
            throw new IllegalArgumentException("SO_TIMESTAMPING with OPT_ID needs a connection (Linux: EINVAL in LISTEN and CLOSE)");
        Rare r = Rare.of(c);
        if (flags == 0) {
            r.timestamping = null;
            return;
        }
        Timestamping t = r.timestamping;
        if (t == null) t = r.timestamping = new Timestamping();
        // the key space is set when OPT_ID turns on and kept while it stays on (Linux
        // sock_set_timestamping: sk_tskey only when OPT_ID was off); marks already made stay,
        // their keys and reports follow the flags in force when they are reported (Linux fills
        // ee_data from the skb's sequence and sk_tskey at that moment)
        if ((flags & OPT_ID) != 0 && (t.flags & OPT_ID) == 0)
            t.keyBase = (flags & OPT_ID_TCP) != 0 ? Seq.add(c.sndBufSeq, c.sendBuf.size()) : c.sndUna;
        t.flags = flags;
        if ((flags & RX_SOFTWARE) != 0 && t.rxEnds == null) {
            t.rxEnds = new int[8];
            t.rxTimes = new long[8];
        }
    }

    static Timestamping of(TcpConnection c) { return c.rare == null ? null : c.rare.timestamping; }

    /** After a send queued bytes: the last of them is marked (one mark per send, as Linux). */
    static void queued(TcpConnection c, int n) {
        Timestamping t = of(c);
        if (t == null || n <= 0 || (t.flags & TX_RECORD) == 0) return;
        t.mark(Seq.add(c.sndBufSeq, c.sendBuf.size() - 1));
    }

    private void mark(int seq) {
        if (markCount == marks.length) {
            int[] m = new int[marks.length * 2];
            for (int i = 0; i < markCount; i++) m[i] = marks[(markHead + i) % marks.length];
            marks = m;
            markHead = 0;
        }
        marks[(markHead + markCount++) % marks.length] = seq;
    }

    /** A segment carrying [seq, seq + len) went to the IP layer at {@code now}. */
    static void transmitted(TcpConnection c, long now, int seq, int len) {
        Timestamping t = of(c);
        if (t == null || len <= 0 || t.markCount == 0) return;
        int end = Seq.add(seq, len);
        for (int i = 0; i < t.markCount; i++) {
            int m = t.marks[(t.markHead + i) % t.marks.length];
            if (Seq.lt(m, seq)) continue;
            if (!Seq.lt(m, end)) break;
            if ((t.flags & TX_SCHED) != 0) t.add(new Event(Kind.SCHED, t.key(m), now));
            if ((t.flags & TX_SOFTWARE) != 0) t.add(new Event(Kind.SND, t.key(m), now));
        }
    }

    /** SND.UNA moved to {@code una} at {@code now}: marks below it are acknowledged. */
    static void acked(TcpConnection c, long now, int una) {
        Timestamping t = of(c);
        if (t == null) return;
        while (t.markCount > 0 && Seq.lt(t.marks[t.markHead], una)) {
            int m = t.marks[t.markHead];
            t.markHead = (t.markHead + 1) % t.marks.length;
            t.markCount--;
            if ((t.flags & TX_ACK) != 0) t.add(new Event(Kind.ACK, t.key(m), now));
        }
    }

    private int key(int seq) { return (flags & OPT_ID) != 0 ? Seq.sub(seq, keyBase) : 0; }

    private void add(Event e) {
        if (events.size() == MAX_QUEUED) {
            events.removeFirst();
            dropped++;
        }
        events.addLast(e);
    }

    /** The oldest event, removed; null when none waits. */
    static Event poll(TcpConnection c) {
        Timestamping t = of(c);
        return t == null ? null : t.events.pollFirst();
    }

    /** In-order bytes up to {@code rcvNxt} were accepted at {@code now}. */
    static void arrived(TcpConnection c, long now) {
        Timestamping t = of(c);
        if (t == null || t.rxEnds == null) return;
        int n = t.rxEnds.length;
        if (t.rxCount > 0) {
            int last = (t.rxHead + t.rxCount - 1) % n;
            if (t.rxTimes[last] == now) { // the same moment: one run
                t.rxEnds[last] = c.rcvNxt;
                return;
            }
        }
        if (t.rxCount == n) {
            // full: the two oldest runs become one with the later time, which a read ending in
            // either would report at worst (a bound, not a list that grows with the buffer)
            int a = t.rxHead, b = (t.rxHead + 1) % n;
            t.rxEnds[b] = Seq.max(t.rxEnds[a], t.rxEnds[b]);
            t.rxHead = b;
            t.rxCount--;
        }
        int at = (t.rxHead + t.rxCount++) % n;
        t.rxEnds[at] = c.rcvNxt;
        t.rxTimes[at] = now;
    }

    /** A read took the bytes before {@code endSeq}: remembers when its last byte arrived. */
    static void read(TcpConnection c, int endSeq) {
        Timestamping t = of(c);
        if (t == null || t.rxEnds == null) return;
        int n = t.rxEnds.length;
        while (t.rxCount > 0) {
            int e = t.rxEnds[t.rxHead];
            t.lastRead = t.rxTimes[t.rxHead];
            if (Seq.gt(e, endSeq)) return; // the run goes on past this read
            t.rxHead = (t.rxHead + 1) % n;
            t.rxCount--;
            if (e == endSeq) return;
        }
    }

    /** When the last byte of the last read arrived; {@code Long.MIN_VALUE} if never (RX_SOFTWARE off). */
    static long lastRead(TcpConnection c) {
        Timestamping t = of(c);
        return t == null ? Long.MIN_VALUE : t.lastRead;
    }
}
