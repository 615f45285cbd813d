package org.netstack4j.tcp;

import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.wire.TcpRepr;

/**
 * Urgent data sent (MSG_OOB), as Linux does it (RFC 6093 3: the urgent pointer points to the
 * byte after the urgent data, the convention every stack follows, not RFC 1122's "last byte").
 * A send with MSG_OOB sets SND.UP to the end of its data; until SND.UNA passes it every segment
 * starting before it carries URG and SND.UP - SEG.SEQ (0xffff when that is too far, and the
 * segment's window of 64 KB still ends past SND.NXT: Linux tcp_transmit_skb), and neither Nagle
 * nor cork holds data back (Linux tcp_nagle_test). State in the connection's rare part.
 *
 * <p>Received (Linux tcp_check_urg, tcp_urg, tcp_recvmsg, tcp_recv_urg): an urgent pointer
 * beyond what was received and read marks the byte before it; with SO_OOBINLINE off (the
 * default) that byte is taken out of the stream and read with MSG_OOB ({@link #receiveUrgent}),
 * one byte at a time: a later urgent pointer moves the mark and the earlier byte stays in the
 * stream. Reads stop at the mark; SIOCATMARK ({@link #atMark}) says the next byte read is the
 * one after it. With SO_OOBINLINE on the byte stays in band and reads still stop at the mark.
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

    // ------------------------------------------------------------------ receive side

    /** Linux's tp->urg_data: the byte arrived (its value in the low 8 bits), only its pointer has, it was read. */
    static final int URG_VALID = 0x100, URG_NOTYET = 0x200, URG_READ = 0x400;

    /** The sequence number of the next byte the application reads (Linux copied_seq). */
    static int copiedSeq(TcpConnection c) {
        return Seq.sub(Seq.sub(c.rcvNxt, c.rcvBuf.size()), c.finReceived ? 1 : 0);
    }

    /**
     * RFC 9293 3.10.7.4, sixth check the URG bit (Linux tcp_check_urg), before the segment's
     * text is queued: the urgent byte is the one before the pointer (RFC 6093 3).
     */
    static void pointerArrives(TcpConnection c, TcpRepr seg) {
        int up = seg.urgentPointer();
        int ptr = Seq.add(seg.seq(), up == 0 ? 0 : up - 1);
        int copied = copiedSeq(c);
        if (Seq.gt(copied, ptr)) return; // seen and read already
        if (Seq.lt(ptr, c.rcvNxt)) return; // an old pointer is not replayed
        Rare r = c.rare;
        if (r != null && r.urgData != 0 && !Seq.gt(ptr, r.urgSeq)) return; // this one or a newer one is known
        r = Rare.of(c);
        if (r.urgData != 0 && r.urgSeq == copied && !r.oobInline && copied != c.rcvNxt) {
            // the reader stands at the old urgent byte, which is not data: it goes
            c.rcvBuf.discard(1);
        }
        r.urgData = URG_NOTYET;
        r.urgSeq = ptr;
    }

    /** Linux tcp_urg: the urgent byte is taken from the segment that carries it (in order or not). */
    static void textArrives(TcpConnection c, int seq, byte[] buf, int off, int len) {
        Rare r = c.rare;
        if (r == null || r.urgData != URG_NOTYET) return;
        int at = Seq.sub(r.urgSeq, seq);
        if (at >= 0 && at < len) r.urgData = URG_VALID | (buf[off + at] & 0xff);
    }

    /** {@link TcpConnection#receive} while an urgent mark is set: stops at the mark and skips an out-of-band urgent byte. */
    static int receive(TcpConnection c, long now, byte[] b, java.nio.ByteBuffer bb, int off, int len) {
        Rare r = c.rare;
        int at = Seq.sub(r.urgSeq, copiedSeq(c));
        if (len > 0 && at == 0 && !r.oobInline && c.rcvBuf.size() > 0) c.receiveStream(now, new byte[1], null, 0, 1);
        else if (at > 0 && at < len) len = at;
        int n = c.receiveStream(now, b, bb, off, len);
        if (Seq.gt(copiedSeq(c), r.urgSeq)) r.urgData = 0;
        return n;
    }

    /** {@link TcpConnection#receiveUrgent}: recv(MSG_OOB) as Linux's tcp_recv_urg, which never blocks. */
    static int receiveUrgent(TcpConnection c, boolean peek) {
        Rare r = c.rare;
        if (r == null || r.oobInline || r.urgData == 0 || r.urgData == URG_READ) return TcpConnection.URGENT_INVALID;
        if (c.state == TcpState.CLOSED && !c.finReceived) return TcpConnection.URGENT_NOT_CONNECTED;
        if ((r.urgData & URG_VALID) != 0) {
            int v = r.urgData & 0xff;
            if (!peek) r.urgData = URG_READ;
            return v;
        }
        if (c.state == TcpState.CLOSED || c.finReceived) return TcpConnection.URGENT_EOF;
        return TcpConnection.URGENT_NOT_YET;
    }

    /** SIOCATMARK: the next byte read is at the urgent mark. */
    static boolean atMark(TcpConnection c) {
        return c.rare != null && c.rare.urgData != 0 && c.rare.urgSeq == copiedSeq(c);
    }

    /** SO_OOBINLINE. */
    static void oobInline(TcpConnection c, boolean on) {
        if (on || c.rare != null) Rare.of(c).oobInline = on;
    }

    static boolean oobInline(TcpConnection c) { return c.rare != null && c.rare.oobInline; }
}
