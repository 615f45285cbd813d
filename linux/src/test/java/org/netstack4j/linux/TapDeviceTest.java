package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;
import org.netstack4j.time.Time;

/** TAP against the real kernel: answer its ARP request, then its ping, inside a fresh namespace. */
class TapDeviceTest {
    private static final byte[] US_IP = Packets.ip(10, 213, 1, 2);
    private static final byte[] US_MAC = {0x02, 0x00, 0x00, 0x00, 0x02, 0x02};

    @Test
    void kernelArpsThenPingsAndGetsAnswers() throws Exception {
        RootEnv.requirePing();
        String ns = RootEnv.netnsName();
        TapDevice tap = null;
        Process ping = null;
        try {
            tap = TapDevice.open(RootEnv.ifName('p'), 1500);
            assertEquals(Medium.ETHERNET, tap.medium());
            String link = LinuxNet.ip(null, "link", "show", "dev", tap.name());
            assertTrue(link.contains("link/ether " + tap.kernelMac()), link + " vs " + tap.kernelMac());
            LinuxNet.netnsAdd(ns);
            LinuxNet.linkSetNetns(tap.name(), ns);
            LinuxNet.addressAdd(ns, tap.name(), "10.213.1.1/24");
            LinuxNet.linkUp(ns, tap.name());

            TapDevice dev = tap;
            int[] arpRequests = {0};
            int[] echoReplies = {0};
            dev.attach((now, frame) -> {
                if (Packets.isArpRequestFor(frame, US_IP)) {
                    arpRequests[0]++;
                    dev.transmit(now, Packets.arpReply(frame, US_MAC, US_IP));
                } else if (Packets.etherType(frame) == Packets.ETH_IPV4
                        && Arrays.equals(frame, 0, 6, US_MAC, 0, 6)) {
                    byte[] reply = Packets.echoReplyFor(frame, 14);
                    if (reply != null) {
                        echoReplies[0]++;
                        dev.transmit(now, Packets.ethernet(Packets.srcMac(frame), US_MAC, Packets.ETH_IPV4, reply));
                    }
                }
                // anything else (IPv6 router/neighbour solicitations, MLD) is ignored
            });
            ping = LinuxNet.netnsStart(ns, "ping", "-c", "1", "-W", "5", "10.213.1.2");
            long deadline = System.nanoTime() + Time.s(10);
            while (echoReplies[0] == 0 && System.nanoTime() < deadline) {
                if (dev.awaitReadable(Time.ms(200))) {
                    dev.readAvailable(System.nanoTime());
                }
            }
            assertTrue(ping.waitFor(15, TimeUnit.SECONDS), "ping did not finish");
            String out = new String(ping.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(arpRequests[0] >= 1, "the kernel should ARP for 10.213.1.2 first\n" + out);
            assertEquals(1, echoReplies[0], out);
            assertEquals(0, ping.exitValue(), "kernel ping should get our reply:\n" + out);
            String neigh = LinuxNet.ip(ns, "neigh", "show", "10.213.1.2");
            assertTrue(neigh.contains("02:00:00:00:02:02"), "kernel learnt our MAC from the ARP reply: " + neigh);
            assertEquals(0, dev.stats().txErrors());
        } finally {
            if (ping != null) {
                ping.destroyForcibly();
            }
            if (tap != null) {
                tap.close();
            }
            LinuxNet.netnsDeleteQuietly(ns);
        }
    }
}
