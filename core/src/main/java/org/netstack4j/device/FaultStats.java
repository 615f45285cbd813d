package org.netstack4j.device;

/**
 * What a {@link FaultInjector} did in one direction (or both, summed).
 *
 * @param offered      frames that entered the injector
 * @param passed       frames handed on (duplicates included)
 * @param lost         dropped at random ({@code loss})
 * @param filtered     dropped by the drop filter
 * @param duplicated   frames sent twice
 * @param reordered    frames held back behind a later frame
 * @param corrupted    frames damaged
 * @param queueDropped frames tail-dropped by the delay/rate queue
 */
public record FaultStats(long offered, long passed, long lost, long filtered, long duplicated, long reordered,
                         long corrupted, long queueDropped) {
    public FaultStats plus(FaultStats o) {
        return new FaultStats(offered + o.offered, passed + o.passed, lost + o.lost, filtered + o.filtered,
                duplicated + o.duplicated, reordered + o.reordered, corrupted + o.corrupted,
                queueDropped + o.queueDropped);
    }
}
