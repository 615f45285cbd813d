package org.netstack4j.bench;

import org.netstack4j.device.Medium;
import org.netstack4j.host.BulkTransfer;
import org.netstack4j.host.TwoHostNetwork;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.time.Time;

/**
 * The {@code lossy_goodput} rows (issue 16): bulk transfers in the simulator (virtual time, so
 * the figures do not depend on the machine) over a 100 Mbit/s Ethernet link of 20 ms RTT that
 * loses a given share of frames both ways; goodput = bytes delivered intact / virtual time,
 * averaged over seeds. The Linux profile's recovery with RACK-TLP (RFC 8985) and, in the same
 * run on the same seeds, with duplicate-ACK loss detection (RFC 6675 IsLost, RFC 6582).
 */
final class LossyRows {
    record Result(double rackMbps, double dupAckMbps, long rackRetransmits, long dupAckRetransmits, int seeds) {}

    private LossyRows() {}

    static LinkConfig link(double loss) {
        return LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(Time.ms(10)).bandwidthBitsPerSec(100_000_000L).loss(loss).build();
    }

    /** Runs {@code seeds} transfers of {@code bytes} per recovery at {@code loss}. */
    static Result run(double loss, long bytes, int seeds) {
        double rack = 0, dup = 0;
        long rackRtx = 0, dupRtx = 0;
        for (int seed = 1; seed <= seeds; seed++) {
            long[] r = goodput(loss, bytes, seed, true);
            long[] d = goodput(loss, bytes, seed, false);
            rack += BulkTransfer.mbitPerSecond(bytes, r[0]);
            dup += BulkTransfer.mbitPerSecond(bytes, d[0]);
            rackRtx += r[1];
            dupRtx += d[1];
        }
        return new Result(rack / seeds, dup / seeds, rackRtx, dupRtx, seeds);
    }

    record EcnResult(double ecnMbps, double dropTailMbps, long ecnRetransmits, long dropTailRetransmits, long ceMarks, int seeds) {}

    /** The bottleneck of the {@code ecn_goodput} row: 100 Mbit/s, 20 ms RTT, a 200-frame queue marking CE from 60 frames. */
    static LinkConfig ecnLink() {
        return LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(Time.ms(10)).bandwidthBitsPerSec(100_000_000L)
                .queueLimit(200).ceThreshold(60).build();
    }

    /**
     * CUBIC with ECN (RFC 3168) through {@link #ecnLink()} against CUBIC without ECN through the
     * same queue (which then tail-drops), same seeds; receive buffers of 4 MiB so that cwnd, not
     * the peer's window, fills the queue.
     */
    static EcnResult runEcn(long bytes, int seeds) {
        double ecn = 0, tail = 0;
        long ecnRtx = 0, tailRtx = 0, marks = 0;
        for (int seed = 1; seed <= seeds; seed++) {
            for (boolean on : new boolean[] {true, false}) {
                TcpConfig tcp = TcpConfig.linuxLike().withOptions(o -> o.withEcn(on ? TcpConfig.Options.ECN_ON : TcpConfig.Options.ECN_OFF))
                        .withBuffers(b -> b.withReceiveBufferSize(4 << 20).withSendBufferSize(4 << 20));
                try (TwoHostNetwork net = TwoHostNetwork.builder().seed(seed).link(ecnLink()).tcp(tcp).build()) {
                    BulkTransfer.Result r = BulkTransfer.run(net, bytes, BulkTransfer.Direction.UP, seed, Time.s(3_600));
                    if (!r.completed() || r.up() == null || !r.up().intact())
                        throw new IllegalStateException("ECN transfer did not complete intact: seed " + seed + " ecn " + on);
                    double mbps = BulkTransfer.mbitPerSecond(bytes, r.durationNs());
                    long rtx = net.client().counters().get("tcp.retransmits");
                    if (on) {
                        ecn += mbps;
                        ecnRtx += rtx;
                        marks += net.server().counters().get("tcp.ecn.in_ce");
                    } else {
                        tail += mbps;
                        tailRtx += rtx;
                    }
                }
            }
        }
        return new EcnResult(ecn / seeds, tail / seeds, ecnRtx, tailRtx, marks, seeds);
    }

    /** {duration ns, retransmissions} of one transfer from client to server. */
    private static long[] goodput(double loss, long bytes, long seed, boolean rack) {
        TcpConfig tcp = TcpConfig.linuxLike().withRecovery(rc -> rc.withRack(rack));
        try (TwoHostNetwork net = TwoHostNetwork.builder().seed(seed).link(link(loss)).tcp(tcp).build()) {
            BulkTransfer.Result r = BulkTransfer.run(net, bytes, BulkTransfer.Direction.UP, seed, Time.s(3_600));
            if (!r.completed() || r.up() == null || !r.up().intact())
                throw new IllegalStateException("lossy transfer did not complete intact: seed " + seed + " loss " + loss);
            return new long[] {r.durationNs(), net.client().counters().get("tcp.retransmits")};
        }
    }
}
