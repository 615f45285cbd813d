package org.netstack4j.device;

import org.netstack4j.time.Time;

/**
 * What a {@link FaultInjector} does to frames. Probabilities are per frame, 0..1.
 *
 * @param loss           chance a frame is dropped
 * @param duplicate      chance a frame is sent twice
 * @param reorder        chance a frame is held back and sent after the next frame (or after
 *                       {@code reorderHoldNs} if no frame follows)
 * @param corrupt        chance a frame is damaged (see {@link Corruption})
 * @param corruptBytes   bytes changed per corrupted frame: 1 (default) is always caught by the
 *                       Internet checksum; more can sometimes pass it
 * @param delayNs        fixed extra one-way delay
 * @param rateBitsPerSec rate limit (0 = none): frames queue and leave at this rate
 * @param queueLimit     frames the delay/rate queue holds before tail-dropping (0 = unbounded)
 * @param reorderHoldNs  longest time a reordered frame waits for a successor
 * @param bothDirections apply to received frames too (otherwise only transmitted frames)
 * @param ceMark         chance an ECN-capable IP packet is marked CE, "congestion experienced",
 *                       as an ECN-aware router would instead of dropping it ({@link EcnMarking})
 */
public record FaultConfig(double loss, double duplicate, double reorder, double corrupt, int corruptBytes,
                          long delayNs, long rateBitsPerSec, int queueLimit, long reorderHoldNs,
                          boolean bothDirections, double ceMark) {

    /** Does nothing to any frame. */
    public static final FaultConfig NONE = builder().build();

    public FaultConfig {
        check("loss", loss);
        check("duplicate", duplicate);
        check("reorder", reorder);
        check("corrupt", corrupt);
        if (corruptBytes < 1) throw new IllegalArgumentException("corruptBytes must be >= 1: " + corruptBytes);
        if (delayNs < 0) throw new IllegalArgumentException("delayNs must be >= 0: " + delayNs);
        if (rateBitsPerSec < 0) throw new IllegalArgumentException("rateBitsPerSec must be >= 0: " + rateBitsPerSec);
        if (queueLimit < 0) throw new IllegalArgumentException("queueLimit must be >= 0: " + queueLimit);
        if (reorderHoldNs < 0) throw new IllegalArgumentException("reorderHoldNs must be >= 0: " + reorderHoldNs);
        check("ceMark", ceMark);
    }

    /** Without CE marking (the record before it had {@code ceMark}). */
    public FaultConfig(double loss, double duplicate, double reorder, double corrupt, int corruptBytes, long delayNs,
                       long rateBitsPerSec, int queueLimit, long reorderHoldNs, boolean bothDirections) {
        this(loss, duplicate, reorder, corrupt, corruptBytes, delayNs, rateBitsPerSec, queueLimit, reorderHoldNs, bothDirections, 0);
    }

    /** True if transmitted frames pass untouched, unheld and in order (whatever is set for delay-free received ones). */
    public boolean passesAll() {
        return loss == 0 && duplicate == 0 && reorder == 0 && corrupt == 0 && delayNs == 0 && rateBitsPerSec == 0 && ceMark == 0;
    }

    static void check(String name, double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(name + " must be a probability in [0,1]: " + p);
    }

    public static Builder builder() { return new Builder(); }

    public Builder toBuilder() {
        return new Builder().loss(loss).duplicate(duplicate).reorder(reorder).corrupt(corrupt).corruptBytes(corruptBytes)
                .delayNs(delayNs).rateBitsPerSec(rateBitsPerSec).queueLimit(queueLimit).reorderHoldNs(reorderHoldNs)
                .bothDirections(bothDirections).ceMark(ceMark);
    }

    public static final class Builder {
        private double loss, duplicate, reorder, corrupt;
        private int corruptBytes = 1;
        private long delayNs, rateBitsPerSec;
        private int queueLimit = 1000;
        private long reorderHoldNs = Time.ms(1);
        private boolean bothDirections;
        private double ceMark;

        public Builder loss(double p) { loss = p; return this; }
        public Builder duplicate(double p) { duplicate = p; return this; }
        public Builder reorder(double p) { reorder = p; return this; }
        public Builder corrupt(double p) { corrupt = p; return this; }
        public Builder corruptBytes(int n) { corruptBytes = n; return this; }
        public Builder delayNs(long ns) { delayNs = ns; return this; }
        public Builder rateBitsPerSec(long bps) { rateBitsPerSec = bps; return this; }
        public Builder queueLimit(int frames) { queueLimit = frames; return this; }
        public Builder reorderHoldNs(long ns) { reorderHoldNs = ns; return this; }
        public Builder bothDirections(boolean b) { bothDirections = b; return this; }
        public Builder ceMark(double p) { ceMark = p; return this; }

        public FaultConfig build() {
            return new FaultConfig(loss, duplicate, reorder, corrupt, corruptBytes, delayNs, rateBitsPerSec,
                    queueLimit, reorderHoldNs, bothDirections, ceMark);
        }
    }
}
