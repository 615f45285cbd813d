package org.netstack4j.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Pins the {@code idle_bytes} row (DESIGN.md 10): the live heap per idle ESTABLISHED endpoint,
 * measured as the bench measures it (class histograms around 20,000 connections, which count
 * objects, not time). 564 bytes on the perf12 branch; 572 before issue 12's refactor, which took
 * it to 606 (TcpSender and TcpReceiver split out of TcpConnection). Growing past 572 means
 * some per-connection state should be created lazily or folded (see TcpConnection.Rare).
 */
class IdleBytesTest {
    static final double BOUND = 572;

    @Test void anIdleEndpointCostsNoMoreThanBeforeIssue12() {
        IdleRows.Result r = IdleRows.netstack4j(20_000);
        System.out.println("IdleBytesTest: " + r.bytesPerEndpoint() + " bytes per idle endpoint; " + r.detail());
        assertTrue(r.bytesPerEndpoint() <= BOUND, r.bytesPerEndpoint() + " bytes per idle endpoint, the bound is " + BOUND + ": " + r.detail());
    }
}
