package org.netstack4j.tcp.recovery;

/**
 * Proportional Rate Reduction (RFC 6937) for one fast recovery: how much a sender may send
 * on each ACK so that, by the end of recovery, the data in flight has come down to ssthresh
 * (proportionally while pipe is above ssthresh) or climbs back to it no faster than slow start
 * (PRR-SSRB, RFC 6937 3.1, while pipe is at or below ssthresh). Pure arithmetic in bytes: the
 * connection measures DeliveredData and pipe and counts what it sends.
 */
public final class Prr {
    private long recoverFs;    // RFC 6937 2: RecoverFS, the FlightSize at the start of recovery
    private long prrDelivered; // data delivered to the receiver since recovery began
    private long prrOut;       // data sent since recovery began (retransmissions and new data)

    /** RFC 6937 3 "on entering recovery": prr_delivered = prr_out = 0, RecoverFS = snd.nxt - snd.una. */
    public Prr(long recoverFs) {
        if (recoverFs < 0) throw new IllegalArgumentException("recoverFs >= 0");
        this.recoverFs = recoverFs;
    }

    /** RFC 6937 3 "on any data transmission or retransmission": prr_out += data sent. */
    public void onSent(long bytes) { prrOut += bytes; }

    /**
     * RFC 6937 3 "on every ACK during recovery": adds {@code deliveredData} (the change of
     * SND.UNA plus the change of SACKed bytes) to prr_delivered and returns sndcnt, what the
     * sender may send now (never negative).
     *
     * @param ssrbBonus whether PRR-SSRB adds one MSS: RFC 6937 3 always does; Linux
     *        (tcp_cwnd_reduction) and rfc6937bis only on an ACK that advances SND.UNA
     */
    public long onAck(long deliveredData, long pipe, long ssthresh, int mss, boolean ssrbBonus) {
        prrDelivered += deliveredData;
        return sndcnt(prrDelivered, prrOut, deliveredData, pipe, ssthresh, recoverFs, mss, ssrbBonus);
    }

    /**
     * RFC 6937 3, with the slow-start reduction bound (PRR-SSRB):
     * <pre>
     * if (pipe > ssthresh)  sndcnt = CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out
     * else                  sndcnt = MIN(ssthresh - pipe, MAX(prr_delivered - prr_out, DeliveredData) + MSS)
     * sndcnt = MAX(sndcnt, 0)
     * </pre>
     * The "+ MSS" only when {@code ssrbBonus}. A RecoverFS of 0 (nothing was outstanding)
     * is taken as one byte so that the division is defined.
     */
    public static long sndcnt(long prrDelivered, long prrOut, long deliveredData, long pipe, long ssthresh,
                              long recoverFs, int mss, boolean ssrbBonus) {
        long n;
        if (pipe > ssthresh) {
            // RFC 6937 3: proportional part, CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out
            long product = Math.multiplyHigh(prrDelivered, ssthresh) == 0 ? prrDelivered * ssthresh : Long.MAX_VALUE; // saturate
            n = Math.ceilDiv(product, Math.max(1, recoverFs)) - prrOut;
        } else {
            // RFC 6937 3.1 PRR-SSRB: at most one MSS beyond what was delivered, up to ssthresh
            long limit = Math.max(prrDelivered - prrOut, deliveredData) + (ssrbBonus ? mss : 0);
            n = Math.min(ssthresh - pipe, limit);
        }
        return Math.max(0, n);
    }

    public long recoverFs() { return recoverFs; }
    public long prrDelivered() { return prrDelivered; }
    public long prrOut() { return prrOut; }
}
