package org.netstack4j.sim;

/**
 * What happened to the frames sent in one direction of a {@link SimLink}.
 *
 * @param transmitted  frames handed to the sending endpoint
 * @param delivered    frames handed to the receiving sink (duplicates included)
 * @param lost         lost in flight at random
 * @param duplicated   delivered twice
 * @param reordered    held back behind a later frame
 * @param corrupted    damaged in flight
 * @param mtuDropped   longer than mtu + link header
 * @param queueDropped tail-dropped because the queue was full
 * @param downDropped  sent while the link was down
 * @param ceMarked     ECN-capable frames marked CE instead of queued or dropped (RFC 3168 5)
 */
public record LinkStats(long transmitted, long delivered, long lost, long duplicated, long reordered,
                        long corrupted, long mtuDropped, long queueDropped, long downDropped, long ceMarked) {
    /** Without ECN marking (the record before it had {@code ceMarked}). */
    public LinkStats(long transmitted, long delivered, long lost, long duplicated, long reordered,
                     long corrupted, long mtuDropped, long queueDropped, long downDropped) {
        this(transmitted, delivered, lost, duplicated, reordered, corrupted, mtuDropped, queueDropped, downDropped, 0);
    }

    public LinkStats plus(LinkStats o) {
        return new LinkStats(transmitted + o.transmitted, delivered + o.delivered, lost + o.lost,
                duplicated + o.duplicated, reordered + o.reordered, corrupted + o.corrupted,
                mtuDropped + o.mtuDropped, queueDropped + o.queueDropped, downDropped + o.downDropped,
                ceMarked + o.ceMarked);
    }
}
