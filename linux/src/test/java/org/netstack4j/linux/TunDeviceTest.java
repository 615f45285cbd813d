package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;
import org.netstack4j.time.Time;

/**
 * TUN against the real kernel. Each test puts its interface in a fresh network namespace, so
 * addresses (10.213.0.0/24) never touch the host's routing; both are removed in finally.
 */
class TunDeviceTest {
    private static final byte[] KERNEL = Packets.ip(10, 213, 0, 1);
    private static final byte[] US = Packets.ip(10, 213, 0, 2);

    /** Opens a TUN, moves it into a new namespace, addresses the kernel side and brings it up. */
    private static TunDevice tunInNamespace(String ns) throws Exception {
        TunDevice tun = TunDevice.open(RootEnv.ifName('t'), 1500);
        LinuxNet.netnsAdd(ns);
        LinuxNet.linkSetNetns(tun.name(), ns);
        LinuxNet.addressAdd(ns, tun.name(), "10.213.0.1/24");
        LinuxNet.linkUp(ns, tun.name());
        return tun;
    }

    @Test
    void kernelPingIsAnsweredThroughTheTun() throws Exception {
        RootEnv.requirePing();
        String ns = RootEnv.netnsName();
        TunDevice tun = null;
        Process ping = null;
        try {
            tun = tunInNamespace(ns);
            TunDevice dev = tun;
            List<String> seen = new ArrayList<>();
            int[] replies = {0};
            dev.attach((now, packet) -> {
                byte[] reply = Packets.echoReplyFor(packet, 0);
                seen.add(reply == null ? "other" : "echo-request");
                if (reply != null && Arrays.equals(packet, 16, 20, US, 0, 4)) {
                    dev.transmit(now, reply);
                    replies[0]++;
                }
            });
            ping = LinuxNet.netnsStart(ns, "ping", "-c", "1", "-W", "5", "10.213.0.2");
            long deadline = System.nanoTime() + Time.s(10);
            while (replies[0] == 0 && System.nanoTime() < deadline) {
                if (dev.awaitReadable(Time.ms(200))) {
                    dev.readAvailable(System.nanoTime());
                }
            }
            assertTrue(ping.waitFor(15, TimeUnit.SECONDS), "ping did not finish");
            String out = new String(ping.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(1, replies[0], "echo requests answered; packets seen: " + seen + "\n" + out);
            assertEquals(0, ping.exitValue(), "kernel ping should get our reply:\n" + out);
            assertTrue(out.contains("1 received"), out);
            TunTapDevice.Stats s = dev.stats();
            assertTrue(s.rxPackets() >= 1, s.toString());
            assertEquals(1, s.txPackets(), s.toString());
            assertEquals(0, s.txErrors(), s.toString());
        } finally {
            if (ping != null) {
                ping.destroyForcibly();
            }
            if (tun != null) {
                tun.close();
            }
            LinuxNet.netnsDeleteQuietly(ns);
        }
    }

    @Test
    void kernelAnswersOurEchoRequest() throws Exception {
        RootEnv.requireTun();
        String ns = RootEnv.netnsName();
        TunDevice tun = null;
        try {
            tun = tunInNamespace(ns);
            List<byte[]> got = new ArrayList<>();
            tun.attach((now, packet) -> got.add(packet));
            byte[] data = "netstack4j".getBytes(StandardCharsets.US_ASCII);
            tun.transmit(0, Packets.ipv4(US, KERNEL, Packets.PROTO_ICMP, Packets.icmpEcho(8, 0x4e53, 7, data)));
            assertEquals(0, tun.stats().txErrors(), "write errno " + Errno.name(tun.lastTxErrno()));

            byte[] reply = null;
            long deadline = System.nanoTime() + Time.s(5);
            while (reply == null && System.nanoTime() < deadline) {
                if (tun.awaitReadable(Time.ms(200))) {
                    tun.readAvailable(System.nanoTime());
                }
                for (byte[] p : got) {
                    if (Packets.isIpv4Icmp(p, 0) && Packets.icmpType(p, 0) == 0) {
                        reply = p;
                    }
                }
            }
            assertNotNull(reply, "no echo reply from the kernel; packets seen: " + got.size());
            assertArrayEquals(KERNEL, Arrays.copyOfRange(reply, 12, 16));
            assertArrayEquals(US, Arrays.copyOfRange(reply, 16, 20));
            assertEquals(0x4e53, Packets.u16(reply, 24));
            assertEquals(7, Packets.u16(reply, 26));
            assertArrayEquals(data, Arrays.copyOfRange(reply, 28, reply.length));
            assertEquals(0, Packets.checksum(reply, 0, 20), "kernel's IP header checksum");
            assertEquals(0, Packets.checksum(reply, 20, reply.length - 20), "kernel's ICMP checksum");
        } finally {
            if (tun != null) {
                tun.close();
            }
            LinuxNet.netnsDeleteQuietly(ns);
        }
    }

    @Test
    void openSetsMtuNonBlockingAndCloseRemovesTheInterface() throws Exception {
        RootEnv.requireTun();
        String name = RootEnv.ifName('t');
        try (TunDevice tun = TunDevice.open(name, 1280)) {
            assertEquals(name, tun.name());
            assertEquals(Medium.IP, tun.medium());
            assertEquals(1280, tun.mtu());
            assertTrue(tun.fd() >= 0);
            assertTrue(tun.isNonBlocking());
            assertTrue(LinuxNet.ip(null, "link", "show", "dev", name).contains("mtu 1280"));
            assertEquals(0, tun.readAvailable(0), "nothing pending: EAGAIN, not a block");
            assertFalse(tun.awaitReadable(0), "poll with zero timeout on an idle, down interface");
            assertEquals(Time.NEVER, tun.pollAt());
        } finally {
            // closing the only descriptor of a non-persistent TUN deletes it
            if (LinuxNet.linkExists(null, name)) {
                LinuxNet.linkDelete(null, name);
                throw new AssertionError("interface " + name + " survived close()");
            }
        }
    }

    @Test
    void kernelChoosesTheNameWhenEmpty() throws Exception {
        RootEnv.requireTun();
        try (TunDevice tun = TunDevice.open("")) {
            assertTrue(tun.name().startsWith("tun"), tun.name());
            assertTrue(tun.mtu() > 0);
        }
    }

    @Test
    void invalidIpPacketIsCountedNotThrown() throws Exception {
        RootEnv.requireTun();
        TunDevice tun = TunDevice.open(RootEnv.ifName('t'));
        try {
            tun.transmit(0, new byte[] {0x00, 0x01, 0x02}); // IP version 0: the kernel says EINVAL
            assertEquals(1, tun.stats().txErrors());
            assertEquals(Errno.EINVAL, tun.lastTxErrno());
        } finally {
            tun.close();
        }
        assertTrue(tun.isClosed());
        tun.transmit(0, new byte[20]);
        assertEquals(1, tun.stats().txDropped(), "transmit after close is a counted drop");
        tun.close(); // idempotent
    }

    @Test
    void deletedInterfaceIsReportedByTheNextRead() throws Exception {
        RootEnv.requireTun();
        String name = RootEnv.ifName('t');
        try (TunDevice tun = TunDevice.open(name)) {
            LinuxNet.linkDelete(null, name);
            assertTrue(tun.awaitReadable(Time.s(5)), "POLLERR wakes the loop so the read can report it");
            java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, () -> tun.readAvailable(0));
            TunException cause = (TunException) e.getCause();
            assertEquals(Errno.EBADFD, cause.errno());
            assertTrue(cause.getMessage().contains("was probably deleted"), cause.getMessage());
        }
    }

    @Test
    void readerThreadSeesKernelReplyAndStopsOnClose() throws Exception {
        RootEnv.requireTun();
        String ns = RootEnv.netnsName();
        TunDevice tun = null;
        try {
            tun = tunInNamespace(ns);
            TunDevice dev = tun;
            java.util.concurrent.BlockingQueue<Object> out = new java.util.concurrent.LinkedBlockingQueue<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    byte[] f;
                    while ((f = dev.readBlocking()) != null) {
                        out.add(f);
                    }
                    out.add("end");
                } catch (TunException e) {
                    out.add(e);
                }
            });
            dev.transmit(0, Packets.ipv4(US, KERNEL, Packets.PROTO_ICMP, Packets.icmpEcho(8, 1, 1, new byte[8])));
            boolean gotReply = false;
            long deadline = System.nanoTime() + Time.s(5);
            while (!gotReply && System.nanoTime() < deadline) {
                Object o = out.poll(200, TimeUnit.MILLISECONDS);
                gotReply = o instanceof byte[] p && Packets.isIpv4Icmp(p, 0) && Packets.icmpType(p, 0) == 0;
            }
            assertTrue(gotReply, "echo reply read by the reader thread");
            dev.close();
            Object last;
            do {
                last = out.poll(10, TimeUnit.SECONDS);
            } while (last instanceof byte[]);
            assertEquals("end", last, "close() wakes the blocked reader, which returns null");
            reader.join(10_000);
            assertFalse(reader.isAlive());
        } finally {
            if (tun != null) {
                tun.close();
            }
            LinuxNet.netnsDeleteQuietly(ns);
        }
    }

    @Test
    void secondOpenOfTheSameNameIsBusy() throws Exception {
        RootEnv.requireTun();
        String name = RootEnv.ifName('t');
        try (TunDevice first = TunDevice.open(name)) {
            TunException e = assertThrows(TunException.class, () -> TunDevice.open(name));
            assertEquals(Errno.EBUSY, e.errno());
            assertTrue(e.getMessage().contains("already in use"), e.getMessage());
            assertTrue(e.getMessage().contains(name), e.getMessage());
            assertEquals(name, first.name());
        }
    }

    @Test
    void tapOpenOfATunNameIsRejected() throws Exception {
        RootEnv.requireTun();
        String name = RootEnv.ifName('t');
        try (TunDevice tun = TunDevice.open(name)) {
            assertEquals(name, tun.name());
            TunException e = assertThrows(TunException.class, () -> TapDevice.open(name));
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().contains("not a TAP device"), e.getMessage());
        }
    }

    @Test
    void nameTooLongFailsBeforeAnySystemCall() {
        // no root needed: the check happens in Java
        TunException e = assertThrows(TunException.class, () -> TunDevice.open("nsj-much-too-long0"));
        assertEquals(0, e.errno());
        assertTrue(e.getMessage().contains("at most 15"), e.getMessage());
    }

    @Test
    void wakeupInterruptsAwait() throws Exception {
        RootEnv.requireTun();
        try (TunDevice tun = TunDevice.open(RootEnv.ifName('t')); Wakeup w = Wakeup.create()) {
            Thread other = Thread.ofPlatform().start(w::signal);
            other.join();
            long t0 = System.nanoTime();
            assertFalse(tun.awaitReadable(Time.s(30), w), "woken, but the TUN has nothing to read");
            assertTrue(System.nanoTime() - t0 < Time.s(10), "await returned because of the wakeup");
            assertFalse(tun.awaitReadable(0, w), "the wakeup was consumed");
        }
    }
}
