package org.netstack4j.sim;

import org.netstack4j.device.Medium;
import org.netstack4j.time.Time;

/**
 * The properties of a simulated link, the same in both directions.
 *
 * @param latencyNs           propagation delay, added after serialization
 * @param bandwidthBitsPerSec 0 = infinite; otherwise a frame of n bytes takes n*8/bandwidth to
 *                            serialize and frames queue behind each other per direction (no
 *                            preamble or inter-frame gap is counted)
 * @param mtu                 largest IP packet; frames longer than mtu + link header (14 bytes
 *                            for Ethernet, 0 for IP) are dropped and counted
 * @param queueLimit          frames that may wait for (or be in) serialization per direction;
 *                            more are tail-dropped (0 = unbounded). Irrelevant at infinite bandwidth.
 * @param loss                chance a frame is lost in flight (it still used the bandwidth)
 * @param duplicate           chance a frame arrives twice
 * @param reorder             chance a frame is held back until the next frame of the same
 *                            direction has arrived (or {@code reorderHoldNs} passed)
 * @param corrupt             chance a frame is damaged ({@link org.netstack4j.device.Corruption})
 * @param corruptBytes        bytes changed per damaged frame (1 = always caught by checksums)
 * @param reorderHoldNs       the longest a reordered frame waits for a successor
 * @param medium              what the endpoints carry: Ethernet frames or raw IP packets
 * @param ceThreshold         an ECN-marking queue (RFC 3168 5; a step-marking AQM like DCTCP's
 *                            K): an ECN-capable frame that finds at least this many frames
 *                            waiting is marked CE (congestion experienced); 0 = never. Not-ECT
 *                            frames still wait or are tail-dropped.
 * @param ceMark              chance an ECN-capable frame is marked CE at random (a fault)
 */
public record LinkConfig(long latencyNs, long bandwidthBitsPerSec, int mtu, int queueLimit,
                         double loss, double duplicate, double reorder, double corrupt, int corruptBytes,
                         long reorderHoldNs, Medium medium, int ceThreshold, double ceMark) {

    public LinkConfig {
        if (latencyNs < 0) throw new IllegalArgumentException("latencyNs must be >= 0: " + latencyNs);
        if (bandwidthBitsPerSec < 0) throw new IllegalArgumentException("bandwidth must be >= 0: " + bandwidthBitsPerSec);
        if (mtu < 68) throw new IllegalArgumentException("mtu must be >= 68 (RFC 791): " + mtu);
        if (queueLimit < 0) throw new IllegalArgumentException("queueLimit must be >= 0: " + queueLimit);
        probability("loss", loss);
        probability("duplicate", duplicate);
        probability("reorder", reorder);
        probability("corrupt", corrupt);
        if (corruptBytes < 1) throw new IllegalArgumentException("corruptBytes must be >= 1: " + corruptBytes);
        if (reorderHoldNs < 0) throw new IllegalArgumentException("reorderHoldNs must be >= 0: " + reorderHoldNs);
        if (medium == null) throw new IllegalArgumentException("medium is required");
        if (ceThreshold < 0) throw new IllegalArgumentException("ceThreshold must be >= 0: " + ceThreshold);
        probability("ceMark", ceMark);
    }

    /** Without ECN marking (the record before it had {@code ceThreshold} and {@code ceMark}). */
    public LinkConfig(long latencyNs, long bandwidthBitsPerSec, int mtu, int queueLimit, double loss, double duplicate,
                      double reorder, double corrupt, int corruptBytes, long reorderHoldNs, Medium medium) {
        this(latencyNs, bandwidthBitsPerSec, mtu, queueLimit, loss, duplicate, reorder, corrupt, corruptBytes,
                reorderHoldNs, medium, 0, 0);
    }

    private static void probability(String name, double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(name + " must be a probability in [0,1]: " + p);
    }

    /** A perfect Ethernet link: no latency, infinite bandwidth, MTU 1500, queue 1000. */
    public static LinkConfig defaults() { return builder().build(); }

    public static Builder builder() { return new Builder(); }

    public Builder toBuilder() {
        return new Builder().latencyNs(latencyNs).bandwidthBitsPerSec(bandwidthBitsPerSec).mtu(mtu).queueLimit(queueLimit)
                .loss(loss).duplicate(duplicate).reorder(reorder).corrupt(corrupt).corruptBytes(corruptBytes)
                .reorderHoldNs(reorderHoldNs).medium(medium).ceThreshold(ceThreshold).ceMark(ceMark);
    }

    /** Bytes of link header on top of the IP MTU. */
    public int linkHeaderBytes() {
        return switch (medium) {
            case ETHERNET -> 14;
            case IP -> 0;
        };
    }

    public static final class Builder {
        private long latencyNs;
        private long bandwidthBitsPerSec;
        private int mtu = 1500;
        private int queueLimit = 1000;
        private double loss, duplicate, reorder, corrupt;
        private int corruptBytes = 1;
        private long reorderHoldNs = Time.ms(1);
        private Medium medium = Medium.ETHERNET;
        private int ceThreshold;
        private double ceMark;

        public Builder latencyNs(long ns) { latencyNs = ns; return this; }
        public Builder bandwidthBitsPerSec(long bps) { bandwidthBitsPerSec = bps; return this; }
        public Builder mtu(int bytes) { mtu = bytes; return this; }
        public Builder queueLimit(int frames) { queueLimit = frames; return this; }
        public Builder loss(double p) { loss = p; return this; }
        public Builder duplicate(double p) { duplicate = p; return this; }
        public Builder reorder(double p) { reorder = p; return this; }
        public Builder corrupt(double p) { corrupt = p; return this; }
        public Builder corruptBytes(int n) { corruptBytes = n; return this; }
        public Builder reorderHoldNs(long ns) { reorderHoldNs = ns; return this; }
        public Builder medium(Medium m) { medium = m; return this; }
        public Builder ceThreshold(int frames) { ceThreshold = frames; return this; }
        public Builder ceMark(double p) { ceMark = p; return this; }

        public LinkConfig build() {
            return new LinkConfig(latencyNs, bandwidthBitsPerSec, mtu, queueLimit, loss, duplicate, reorder, corrupt,
                    corruptBytes, reorderHoldNs, medium, ceThreshold, ceMark);
        }
    }
}
