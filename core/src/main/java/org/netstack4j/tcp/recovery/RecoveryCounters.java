package org.netstack4j.tcp.recovery;

import org.netstack4j.trace.Counters;
import org.netstack4j.trace.Counters.Counter;

/** The counters loss recovery keeps (netstat -s names in {@link #of}), looked up once per stack. */
public record RecoveryCounters(Counter dupAcks, Counter fastRetransmits, Counter sackRecoveries, Counter sackRetransmits,
                               Counter partialAckRetransmits, Counter earlyRetransmits, Counter recoveryUndos,
                               Counter tailLossProbes, Counter rackRecoveries, Counter tailLossProbeRecoveries) {
    public static RecoveryCounters of(Counters c) {
        return new RecoveryCounters(c.counter("tcp.in.dupacks"), c.counter("tcp.fast_retransmits"),
                c.counter("tcp.sack_recoveries"), c.counter("tcp.sack_retransmits"),
                c.counter("tcp.partial_ack_retransmits"), c.counter("tcp.early_retransmits"),
                c.counter("tcp.recovery_undos"), c.counter("tcp.tail_loss_probes"),
                c.counter("tcp.rack_recoveries"), c.counter("tcp.tail_loss_probe_recoveries"));
    }
}
