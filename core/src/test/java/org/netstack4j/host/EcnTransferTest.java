package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.host.EcnBottleneck.linux;
import static org.netstack4j.host.EcnBottleneck.run;

import org.junit.jupiter.api.Test;
import org.netstack4j.host.EcnBottleneck.Run;
import org.netstack4j.tcp.TcpConfig;

/**
 * Classic ECN (RFC 3168) end to end: a 10 MB transfer with CUBIC through a 10 Mbit/s bottleneck
 * whose 100-frame queue marks ECN-capable frames CE once 10 are waiting (a step-marking AQM).
 * With ECN agreed the sender backs off on the echoed marks before the queue overflows: not one
 * retransmission. The same queue without ECN tail-drops and the sender must retransmit.
 */
class EcnTransferTest {
    @Test void aCeMarkingQueueKeepsCubicFromLosingAnything() {
        for (boolean ipv6 : new boolean[] {false, true}) {
            Run run = run(linux(TcpConfig.Options.ECN_ON), linux(TcpConfig.Options.ECN_ACCEPT), ipv6);
            String why = (ipv6 ? "IPv6 " : "IPv4 ") + run.result() + " client " + run.client().snapshot() + " server " + run.server().snapshot();
            assertTrue(run.result().ok(), why);
            assertEquals(1, run.client().get("tcp.ecn.negotiated"), why);
            assertEquals(1, run.server().get("tcp.ecn.negotiated"), why);
            assertTrue(run.server().get("tcp.ecn.in_ce") > 0, "the queue marked frames CE: " + why);
            assertTrue(run.client().get("tcp.ecn.cwnd_reductions") > 0, "the sender reduced on ECE: " + why);
            assertTrue(run.client().get("tcp.ecn.out_cwr") > 0, "and said so with CWR: " + why);
            assertEquals(0, run.result().clientRetransmissions(), "no loss, so no retransmission: " + why);
        }
    }

    @Test void withoutEcnTheSameQueueOverflowsAndTheSenderRetransmits() {
        Run run = run(linux(TcpConfig.Options.ECN_ACCEPT), linux(TcpConfig.Options.ECN_ACCEPT), false);
        String why = run.result() + " client " + run.client().snapshot();
        assertTrue(run.result().ok(), why);
        assertEquals(0, run.client().get("tcp.ecn.negotiated"), "accept-only on both ends: nobody asks");
        assertEquals(0, run.server().get("tcp.ecn.in_ce"), "Not-ECT frames are never marked");
        assertTrue(run.result().clientRetransmissions() > 0, "tail drops: " + why);
    }

    @Test void anEcnSetupSynToAServerWithEcnOffIsRefused() {
        Run run = run(linux(TcpConfig.Options.ECN_ON), linux(TcpConfig.Options.ECN_OFF), false);
        assertTrue(run.result().ok(), run.result().toString());
        assertEquals(0, run.client().get("tcp.ecn.negotiated"));
        assertEquals(0, run.server().get("tcp.ecn.negotiated"));
        assertEquals(0, run.client().get("tcp.ecn.out_ect"), "no ECT(0) without agreement");
    }
}
