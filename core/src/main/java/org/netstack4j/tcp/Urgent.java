package org.netstack4j.tcp;

import org.netstack4j.tcp.seqnum.Seq;

/**
 * Urgent data sent (MSG_OOB), as Linux does it (RFC 6093 3: the urgent pointer points to the
 * byte after the urgent data, the convention every stack follows, not RFC 1122's "last byte").
 * A send with MSG_OOB sets SND.UP to the end of its data; until SND.UNA passes it every segment
 * starting before it carries URG and SND.UP - SEG.SEQ (0xffff when that is too far, and the
 * segment's window of 64 KB still ends past SND.NXT: Linux tcp_transmit_skb), and neither Nagle
 * nor cork holds data back (Linux tcp_nagle_test). State in the connection's rare part.
 */
final class Urgent {
    private Urgent() {}

    /** {@link TcpConnection#sendUrgent}: the send, with SND.UP set before it sends and put back as it was if nothing was queued. */
    static int send(TcpConnection c, long now, byte[] b, int off, int len) {
        if (len <= 0) return c.send(now, b, off, len);
        boolean wasOn = on(c);
        int before = c.rare != null ? c.rare.sndUp : 0;
        mark(c, Seq.add(Seq.add(c.sndBufSeq, c.sendBuf.size()), len)); // before the send sends it
        int n;
        try {
            n = c.send(now, b, off, len);
        } catch (TcpException e) {
            if (wasOn) mark(c, before);
            else unmark(c);
            throw e;
        }
        if (n < len) {
            if (n > 0) mark(c, Seq.add(c.sndBufSeq, c.sendBuf.size()));
            else if (wasOn) mark(c, before);
            else unmark(c);
        }
        return n;
    }

    /** Whether urgent mode is on: sent urgent data not yet acknowledged. */
    static boolean on(TcpConnection c) { return c.rare != null && c.rare.urgentMode; }

    /** SND.UP := {@code end} (the sequence number after the urgent byte), urgent mode on. */
    static void mark(TcpConnection c, int end) {
        Rare r = Rare.of(c);
        r.sndUp = end;
        r.urgentMode = true;
    }

    /** Urgent mode off, as if the urgent data had never been sent (a send that queued nothing). */
    static void unmark(TcpConnection c) { if (c.rare != null) c.rare.urgentMode = false; }

    /** The urgent pointer of a segment starting at {@code seq}, or -1: no URG. */
    static int pointer(TcpConnection c, int seq) {
        if (!on(c)) return -1;
        int up = c.rare.sndUp;
        if (!Seq.lt(seq, up)) return -1;
        int d = Seq.sub(up, seq);
        if (d < 0x10000) return d;
        return Seq.gt(Seq.add(seq, 0xffff), c.sndNxt) ? 0xffff : -1;
    }

    /** SND.UNA moved from {@code before} to {@code una}: urgent mode ends once SND.UP is acknowledged (Linux tcp_clean_rtx_queue). */
    static void acked(TcpConnection c, int before, int una) {
        if (on(c) && Seq.between(before, c.rare.sndUp, una)) c.rare.urgentMode = false;
    }
}
