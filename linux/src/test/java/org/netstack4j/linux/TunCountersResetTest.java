package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.netstack4j.socket.TcpServerSocket;
import org.netstack4j.socket.TcpSocket;

/**
 * serve's start-up warm-up (issue 20) sends SYNs through the TUN to the local kernel, whose RSTs
 * come back through the readers; {@link TunShards#awaitQuiet} waits for them and
 * {@link TunShards#resetCounters} starts every counter again, so that what serve counts afterwards
 * is the served traffic alone. Needs root and /dev/net/tun; skips with the reason otherwise.
 */
class TunCountersResetTest {
    @Test
    void afterTheWarmUpEveryCounterStartsFromZero() throws Exception {
        RootEnv.requireTun();
        String ns = RootEnv.netnsName();
        LinuxNet.netnsAdd(ns);
        try (TunShards shards = TunHost.builder(RootEnv.ifName('w')).address("10.213.20.2/24").hostAddress("10.213.20.1/24")
                .netns(ns).seed(20).openShards(1);
             TcpServerSocket server = new TcpServerSocket(shards.first().net(), 80, 128)) {
            TunHost host = shards.first();
            assertEquals(2_048, host.warmSynPath(80, 2_048, 10_000_000_000L));
            shards.awaitQuiet(100_000_000L, 5_000_000_000L);
            Map<String, Long> before = shards.counters();
            assertTrue(before.getOrDefault("tcp.in.segments", 0L) >= 2_048, "the warm-up's SYNs were counted: " + before);
            // most SYN,ACKs get the kernel's RST (not all: a random port repeats, 2,024 of 2,048 in one CI run)
            assertTrue(host.rxFramesRead() >= 1_024, "the kernel's RSTs came back through the reader: " + host.rxFramesRead());

            shards.resetCounters();
            Map<String, Long> after = shards.counters();
            assertEquals(0L, after.getOrDefault("tcp.in.segments", 0L), "after the reset: " + after);
            assertEquals(0L, after.getOrDefault("tcp.out.segments", 0L), "after the reset: " + after);
            assertTrue(host.rxFramesRead() < 10, "the reader's count starts again too (a stray kernel frame at most): " + host.rxFramesRead());

            // what comes next is counted from zero: a connect to a closed port of the kernel is one
            // SYN out and one RST in
            TcpSocket s = new TcpSocket(host.net());
            assertThrows(ConnectException.class, () -> s.connect(host.hostAddress().address(), 9, 10_000));
            Map<String, Long> later = shards.counters();
            assertEquals(1L, later.getOrDefault("tcp.out.segments", 0L), "one SYN: " + later);
            assertEquals(1L, later.getOrDefault("tcp.in.segments", 0L), "one RST: " + later);
        } finally {
            LinuxNet.netnsDeleteQuietly(ns);
        }
    }
}
