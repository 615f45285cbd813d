package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.netstack4j.tcp.FastOpen;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.device.Medium;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.time.Time;

/**
 * Seeded end-to-end integrity: two complete hosts (Ethernet, ARP, IPv4, TCP) on a simulated
 * link that loses, duplicates, reorders and corrupts frames; every byte must arrive intact and
 * both ends must close cleanly. Each seed picks its own size (0 to 10 MB, log-uniform so that
 * small and large transfers are both common), direction and fault rates (each up to 10%).
 * {@code -Dnetstack4j.seeds=N} changes how many seeds run (default 1000).
 */
class TransferIntegrityTest {
    static final int SEEDS = Integer.getInteger("netstack4j.seeds", 1000);

    record Case(long seed, long bytes, BulkTransfer.Direction dir, double loss, double dup, double reorder,
                double corrupt, long latencyNs) {
        /** Half the seeds (the even ones) run over IPv6 between dual-stack hosts (issue 13). */
        boolean ipv6() { return seed % 2 == 0; }

        static Case of(long seed) {
            SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L);
            long bytes = r.nextInt(20) == 0 ? 0 : (long) Math.pow(10, r.nextDouble(1, 7.0));
            bytes = Math.min(bytes, 10_000_000);
            BulkTransfer.Direction dir = BulkTransfer.Direction.values()[r.nextInt(3)];
            return new Case(seed, bytes, dir, r.nextDouble(0, 0.10), r.nextDouble(0, 0.10), r.nextDouble(0, 0.10),
                    r.nextDouble(0, 0.10), Time.us(r.nextLong(100, 20_000)));
        }

        LinkConfig link() {
            return LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(latencyNs).bandwidthBitsPerSec(100_000_000L)
                    .loss(loss).duplicate(dup).reorder(reorder).corrupt(corrupt).build();
        }
    }

    static BulkTransfer.Result run(Case c) { return run(c, TcpConfig.defaults()); }

    static BulkTransfer.Result run(Case c, TcpConfig tcp) { return run(c, tcp, c.link()); }

    static BulkTransfer.Result run(Case c, TcpConfig tcp, LinkConfig link) {
        try (TwoHostNetwork net = TwoHostNetwork.builder().seed(c.seed).link(link).tcp(tcp).ipv6(c.ipv6()).build()) {
            return BulkTransfer.run(net, c.bytes, c.dir, c.seed, Time.s(86_400));
        }
    }

    @Test void everySeedDeliversEveryByteAndClosesCleanly() { checkSeeds(1, SEEDS, TcpConfig.defaults()); }

    /** The same cases with CUBIC (RFC 9438) as the congestion control of both ends. */
    @Test void everySeedDeliversWithCubicToo() {
        checkSeeds(1, Math.min(SEEDS, 200), TcpConfig.defaults().withRecovery(rc -> rc.withCongestionControl(TcpConfig.CongestionControlKind.CUBIC)));
    }

    /** The same cases with CUBIC, Proportional Rate Reduction (RFC 6937) and D-SACK undo, as in the Linux profile. */
    @Test void everySeedDeliversWithProportionalRateReductionToo() {
        checkSeeds(1, Math.min(SEEDS, 200), TcpConfig.defaults().withRecovery(rc -> rc.withCongestionControl(TcpConfig.CongestionControlKind.CUBIC)
                .withProportionalRateReduction(true).withDsackUndo(true)));
    }

    /**
     * All the seeds with the Linux profile's loss recovery: RACK-TLP (RFC 8985) finding losses by
     * time, tail loss probes, CUBIC, PRR and D-SACK undo, on links that reorder and duplicate.
     */
    @Test void everySeedDeliversWithRackTlpToo() {
        checkSeeds(1, SEEDS, TcpConfig.defaults().withRecovery(rc -> rc.withCongestionControl(TcpConfig.CongestionControlKind.CUBIC)
                .withProportionalRateReduction(true).withDsackUndo(true).withTailLossProbe(true).withRack(true)));
    }

    /**
     * All the seeds with ECN (RFC 3168) agreed by both ends (the Linux profile's recovery) and a
     * link that also marks ECN-capable frames CE at random (up to 10%, drawn per seed): CE echoed,
     * cwnd reduced, CWR, on top of the loss, duplication, reordering and corruption.
     */
    @Test void everySeedDeliversWithEcnMarkingToo() {
        TcpConfig ecn = TcpConfig.defaults().withOptions(o -> o.withEcn(TcpConfig.Options.ECN_ON))
                .withRecovery(rc -> rc.withCongestionControl(TcpConfig.CongestionControlKind.CUBIC)
                        .withProportionalRateReduction(true).withDsackUndo(true).withTailLossProbe(true).withRack(true));
        checkSeeds(1, SEEDS, ecn, c -> c.link().toBuilder().ceMark(new SplittableRandom(c.seed ^ 0xECL).nextDouble(0, 0.10)).build());
    }

    /**
     * The same seeds and marking link with Accurate ECN (RFC 9768, tcp_ecn=3 on both ends): ACE on
     * every ACK, the AccECN option beside SACK blocks, ECT(0) on every segment, retransmissions and
     * pure ACKs included, and the congestion response driven by the CE marks ACE reports.
     */
    @Test void everySeedDeliversWithAccurateEcnMarkingToo() {
        TcpConfig accEcn = TcpConfig.defaults().withOptions(o -> o.withEcn(TcpConfig.Options.ECN_ACCURATE))
                .withRecovery(rc -> rc.withCongestionControl(TcpConfig.CongestionControlKind.CUBIC)
                        .withProportionalRateReduction(true).withDsackUndo(true).withTailLossProbe(true).withRack(true));
        checkSeeds(1, SEEDS, accEcn, c -> c.link().toBuilder().ceMark(new SplittableRandom(c.seed ^ 0xECL).nextDouble(0, 0.10)).build());
    }

    /**
     * All the seeds with TCP Fast Open (RFC 7413) and the Linux profile's recovery: per seed a first
     * connection over the lossy link asks for the server's cookie, then the measured one connects
     * with MSG_FASTOPEN, its first bytes in the SYN. Every byte must arrive intact both ways, whether
     * the server took the SYN's data, the SYN (and its data) was lost and a plain SYN retried, or no
     * cookie came and the data waited for the handshake. Fast Open must have been used in most
     * seeds (the server accepting the SYN's data), so a silent fallback everywhere fails the test,
     * and the fallback paths must have been taken too.
     */
    @Test void everySeedDeliversWithFastOpenToo() {
        TcpConfig linux = TcpConfig.defaults().withRecovery(rc -> rc.withCongestionControl(TcpConfig.CongestionControlKind.CUBIC)
                .withProportionalRateReduction(true).withDsackUndo(true).withTailLossProbe(true).withRack(true));
        List<String> failures = new ArrayList<>();
        long first = Long.getLong("netstack4j.seed", 1), last = Long.getLong("netstack4j.seed", SEEDS);
        int synDataSeeds = 0, synDataTaken = 0, noCookie = 0, synDataLost = 0;
        for (long seed = first; seed <= last; seed++) {
            Case c = Case.of(seed);
            try (TwoHostNetwork net = TwoHostNetwork.builder().seed(c.seed).link(c.link()).tcp(linux).ipv6(c.ipv6()).build()) {
                net.server().tcp().fastOpen().setMode(FastOpen.CLIENT | FastOpen.SERVER);
                BulkTransfer.run(net, 0, BulkTransfer.Direction.UP, c.seed, Time.s(86_400), true); // fetches the cookie
                boolean cookie = net.client().tcp().fastOpen().hasCookie(net.serverAddress());
                long taken = net.server().counters().get("tcp.fastopen.passive");
                BulkTransfer.Result r = BulkTransfer.run(net, c.bytes, c.dir, c.seed, Time.s(86_400), true);
                boolean synData = c.dir != BulkTransfer.Direction.DOWN && c.bytes > 0;
                if (synData) synDataSeeds++;
                // the server made a Fast Open child for the SYN with the cookie, and the SYN,ACK acknowledged its data
                boolean used = net.server().counters().get("tcp.fastopen.passive") > taken
                        && (!synData || net.client().counters().get("tcp.fastopen.active") > 0);
                if (synData && used) synDataTaken++;
                if (synData && !cookie) noCookie++;
                if (synData && cookie && !used) synDataLost++;
                if (!acceptable(r)) failures.add(describe(c, r) + " cookie=" + cookie);
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + (last - first + 1) + " seeds failed:\n"
                + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
        // 1,000 seeds: the SYN's data taken in 452 of the 632 seeds whose client sends; 180 fell back,
        // 134 of them without a cookie (the first connection's SYN or SYN,ACK lost), 46 with one:
        // the SYN carrying the data lost or corrupted, the server seeing only the plain retried SYN
        if (synDataSeeds >= 20) {
            assertTrue(synDataTaken >= synDataSeeds * 0.6, "the server took the SYN's data in only " + synDataTaken + " of " + synDataSeeds + " seeds (" + noCookie + " without a cookie)");
            assertTrue(noCookie > 0, "no seed fell back for want of a cookie");
            assertTrue(synDataLost > 0, "no seed lost the SYN with the data and fell back with a cookie");
        }
    }

    private static void checkSeeds(long from, long to, TcpConfig tcp) { checkSeeds(from, to, tcp, Case::link); }

    private static void checkSeeds(long from, long to, TcpConfig tcp, java.util.function.Function<Case, LinkConfig> link) {
        List<String> failures = new ArrayList<>();
        long total = 0;
        long first = Long.getLong("netstack4j.seed", from), last = Long.getLong("netstack4j.seed", to);
        for (long seed = first; seed <= last; seed++) {
            Case c = Case.of(seed);
            BulkTransfer.Result r = run(c, tcp, link.apply(c));
            total += c.bytes;
            if (!acceptable(r)) failures.add(describe(c, r));
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + (last - first + 1) + " seeds failed (" + total + " bytes in all):\n"
                + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
    }

    private static String describe(Case c, BulkTransfer.Result r) {
        return c + (c.ipv6() ? " IPv6" : " IPv4") + " -> completed=" + r.completed() + " client " + r.clientState() + "/" + r.clientError()
                + " server " + r.serverState() + "/" + r.serverError()
                + " up " + (r.up() == null ? "-" : r.up().received() + "/" + r.up().bytes())
                + " down " + (r.down() == null ? "-" : r.down().received() + "/" + r.down().bytes());
    }

    /**
     * Every byte intact both ways and both ends closed. One error is allowed, and only after all data
     * arrived: a reset in CLOSING or LAST-ACK when the peer's TIME-WAIT (2 MSL = 60 s) ran out while
     * this end was still backing off its FIN retransmissions through heavy loss, which real stacks do too.
     */
    static boolean acceptable(BulkTransfer.Result r) {
        if (r.ok()) return true;
        boolean intact = r.completed() && (r.up() == null || r.up().intact()) && (r.down() == null || r.down().intact());
        boolean onlyLateReset = (r.clientError() == null || r.clientError() == org.netstack4j.tcp.TcpError.CONNECTION_RESET)
                && (r.serverError() == null || r.serverError() == org.netstack4j.tcp.TcpError.CONNECTION_RESET);
        return intact && onlyLateReset;
    }

    @Test void sameSeedSameResult() {
        Case c = Case.of(42);
        BulkTransfer.Result a = run(c), b = run(c);
        assertEquals(a, b);
    }
}
