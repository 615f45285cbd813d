package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** serve's per-queue line on Ctrl-C counts connections established, not SYNs given a queue slot. */
class ServePerQueueTest {
    @Test
    void aFloodsSynQueueSlotsAreNotConnections() {
        // a flood's SYNs each moved the listener to SYN-RCVD (tcp.passive_opens), 28 + 22 handshakes completed
        Map<String, Long> c = Map.of("q0.tcp.passive_opens", 32_904L, "q0.tcp.established", 28L,
                "q1.tcp.passive_opens", 21_009L, "q1.tcp.established", 22L);
        assertEquals("queues: q0 28 connections, q1 22", ServeCommand.perQueue(c, 2));
        assertEquals("queues: q0 0 connections, q1 0, q2 0", ServeCommand.perQueue(Map.of(), 3));
    }
}
