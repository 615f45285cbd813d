package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.host.EcnBottleneck.run;

import org.junit.jupiter.api.Test;
import org.netstack4j.host.EcnBottleneck.Run;
import org.netstack4j.tcp.TcpConfig;

/**
 * Accurate ECN (RFC 9768) end to end: a 10 MB transfer with CUBIC through a 10 Mbit/s bottleneck
 * whose 100-frame queue marks ECN-capable frames CE once 10 are waiting. Both ends run Linux's
 * tcp_ecn=3: the receiver counts every CE-marked packet (r.cep) and feeds it back in the ACE
 * field of every ACK and in the option's byte counters; the sender's count of CE packets
 * delivered must equal the marks exactly, and it backs off before the queue overflows.
 */
class AccEcnTransferTest {
    private static TcpConfig linux(int ecn, int option) {
        return EcnBottleneck.linux(ecn).withOptions(o -> o.withAccEcnOption(option));
    }

    private static void check(Run run, String label) {
        String why = label + " " + run.result() + " client " + run.client().snapshot() + " server " + run.server().snapshot();
        assertTrue(run.result().ok(), why);
        assertEquals(1, run.client().get("tcp.accecn.negotiated"), why);
        assertEquals(1, run.server().get("tcp.accecn.negotiated"), why);
        long marks = run.server().get("tcp.accecn.in_ce");
        assertTrue(marks > 0, "the queue marked frames CE: " + why);
        assertEquals(marks, run.client().get("tcp.accecn.delivered_ce"), "every CE mark fed back, no more: " + why);
        assertTrue(run.client().get("tcp.ecn.cwnd_reductions") > 0, "the sender reduced on the marks: " + why);
        assertEquals(0, run.client().get("tcp.ecn.out_cwr"), "AccECN sends no CWR flag of its own: " + why);
        assertEquals(0, run.result().clientRetransmissions(), "no loss, so no retransmission: " + why);
    }

    @Test void everyCeMarkIsFedBackAndNothingIsLostOverIpv4AndIpv6() {
        for (boolean ipv6 : new boolean[] {false, true}) {
            int full = TcpConfig.Options.ACCECN_OPTION_FULL;
            Run run = run(linux(TcpConfig.Options.ECN_ACCURATE, full), linux(TcpConfig.Options.ECN_ACCURATE_ACCEPT, full), ipv6);
            check(run, ipv6 ? "IPv6" : "IPv4");
            assertTrue(run.server().get("tcp.accecn.options_sent") > 0, "the receiver sent its byte counters");
            assertTrue(run.client().get("tcp.accecn.options_received") > 0, "and the sender read them");
        }
    }

    @Test void theAceFieldAloneIsEnough() {
        Run run = run(linux(TcpConfig.Options.ECN_ACCURATE, 0), linux(TcpConfig.Options.ECN_ACCURATE, 0), false);
        check(run, "no option");
        assertEquals(0, run.server().get("tcp.accecn.options_sent"));
        assertEquals(0, run.client().get("tcp.accecn.options_sent"));
    }

    @Test void aClassicServerGetsClassicEcn() {
        Run run = run(linux(TcpConfig.Options.ECN_ACCURATE, 2), linux(TcpConfig.Options.ECN_ACCEPT, 2), false);
        String why = run.result() + " client " + run.client().snapshot();
        assertTrue(run.result().ok(), why);
        assertEquals(0, run.client().get("tcp.accecn.negotiated"), why);
        assertEquals(1, run.client().get("tcp.accecn.fallback_classic"), why);
        assertEquals(1, run.client().get("tcp.ecn.negotiated"), why);
        assertTrue(run.client().get("tcp.ecn.out_cwr") > 0, "RFC 3168's CWR: " + why);
        assertEquals(0, run.result().clientRetransmissions(), why);
    }
}
