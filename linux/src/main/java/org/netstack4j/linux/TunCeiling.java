package org.netstack4j.linux;

import java.util.Locale;

/**
 * How fast this JVM can push 1500-byte packets through a TUN, to know the ceiling any stack on
 * top of it can reach. Not a test: run as root with
 * {@code java --enable-native-access=ALL-UNNAMED -cp ... org.netstack4j.linux.TunCeiling [seconds]}.
 *
 * <ul>
 *   <li>write: IPv4/UDP packets to an address the kernel drops at once (not local, forwarding
 *       off), so this measures write(2) into the TUN plus the kernel's input path;</li>
 *   <li>echo: ICMP echo requests to the kernel's own address with a window of outstanding
 *       requests; every reply is read back, so this measures write + kernel echo + read.</li>
 * </ul>
 * Uses its own network namespace and 10.213.2.0/24; removes both at the end.
 */
public final class TunCeiling {
    private TunCeiling() {}

    public record Result(String what, long packets, double seconds) {
        public double packetsPerSecond() {
            return packets / seconds;
        }

        public double gigabitsPerSecond() {
            return packetsPerSecond() * PACKET * 8 / 1e9;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-6s %,12d packets in %.2f s = %,12.0f packets/s (%.2f Gbit/s of 1500-byte packets)",
                    what, packets, seconds, packetsPerSecond(), gigabitsPerSecond());
        }
    }

    static final int PACKET = 1500;
    private static final int ECHO_WINDOW = 64;

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3.0;
        String why = LinuxNet.whyUnavailable();
        if (why != null) {
            System.err.println("TunCeiling " + why);
            System.exit(2);
        }
        for (Result r : run((long) (seconds * 1e9))) {
            System.out.println(r);
        }
    }

    /** Runs both measurements for {@code durationNs} each. */
    public static Result[] run(long durationNs) throws Exception {
        return run(durationNs, "nsj-ceiling-" + ProcessHandle.current().pid(), 213, 2);
    }

    /**
     * Runs both measurements for {@code durationNs} each in a new namespace {@code ns} (deleted at
     * the end) on 10.{@code b}.{@code c}.0/24: the kernel is .1, the packets come from .2, and the
     * write-only packets go to 10.{@code b}.{@code c+1}.1, which has no route in {@code ns}.
     */
    public static Result[] run(long durationNs, String ns, int b, int c) throws Exception {
        TunDevice tun = TunDevice.open("", PACKET);
        try {
            LinuxNet.netnsAdd(ns);
            LinuxNet.linkSetNetns(tun.name(), ns);
            LinuxNet.addressAdd(ns, tun.name(), "10." + b + "." + c + ".1/24");
            LinuxNet.linkUp(ns, tun.name());
            tun.setReadBatch(256);
            byte[] self = {10, (byte) b, (byte) c, 2};
            return new Result[] {
                write(tun, durationNs, self, new byte[] {10, (byte) b, (byte) (c + 1), 1}),
                echo(tun, durationNs, self, new byte[] {10, (byte) b, (byte) c, 1})};
        } finally {
            tun.close();
            LinuxNet.netnsDeleteQuietly(ns);
        }
    }

    private static Result write(TunDevice tun, long durationNs, byte[] src, byte[] dst) {
        byte[] template = udp(src, dst);
        long start = System.nanoTime();
        long end = start + durationNs;
        long before = tun.stats().txPackets();
        long now = start;
        while (now < end) {
            for (int i = 0; i < 256; i++) {
                tun.transmit(now, template); // the device copies; the same array may be reused here
            }
            tun.readAvailable(now); // discard anything the kernel sends (e.g. IPv6 noise)
            now = System.nanoTime();
        }
        return new Result("write", tun.stats().txPackets() - before, (now - start) / 1e9);
    }

    private static Result echo(TunDevice tun, long durationNs, byte[] src, byte[] dst) {
        byte[] request = echoRequest(src, dst);
        long[] replies = {0};
        tun.attach((t, frame) -> {
            if (frame.length >= 21 && (frame[0] & 0xf0) == 0x40 && frame[9] == 1 && frame[20] == 0) {
                replies[0]++;
            }
        });
        long start = System.nanoTime();
        long end = start + durationNs;
        long sent = 0;
        long now = start;
        while (now < end) {
            while (sent - replies[0] < ECHO_WINDOW) {
                tun.transmit(now, request);
                sent++;
            }
            if (tun.awaitReadable(1_000_000L)) {
                tun.readAvailable(now);
            } else if (sent - replies[0] >= ECHO_WINDOW) {
                sent = replies[0]; // the kernel dropped some: refill the window instead of stalling
            }
            now = System.nanoTime();
        }
        tun.attach(null);
        return new Result("echo", replies[0], (now - start) / 1e9);
    }

    private static byte[] udp(byte[] src, byte[] dst) {
        byte[] p = ipv4(src, dst, 17);
        int u = 20;
        p[u] = (byte) 0x9c;       // source port 40000
        p[u + 1] = 0x40;
        p[u + 3] = 9;             // destination port 9 (discard)
        put16(p, u + 4, PACKET - 20);
        // UDP checksum 0: "no checksum" is legal for IPv4 (RFC 768)
        return p;
    }

    private static byte[] echoRequest(byte[] src, byte[] dst) {
        byte[] p = ipv4(src, dst, 1);
        p[20] = 8;                // echo request, code 0, id 0x4e53 seq 1
        put16(p, 24, 0x4e53);
        put16(p, 26, 1);
        put16(p, 22, checksum(p, 20, PACKET - 20));
        return p;
    }

    private static byte[] ipv4(byte[] src, byte[] dst, int protocol) {
        byte[] p = new byte[PACKET];
        p[0] = 0x45;
        put16(p, 2, PACKET);
        p[6] = 0x40;              // DF
        p[8] = 64;
        p[9] = (byte) protocol;
        System.arraycopy(src, 0, p, 12, 4);
        System.arraycopy(dst, 0, p, 16, 4);
        put16(p, 10, checksum(p, 0, 20));
        return p;
    }

    private static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    /** RFC 1071 Internet checksum. */
    private static int checksum(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = off; i + 1 < off + len; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if ((len & 1) != 0) {
            sum += (b[off + len - 1] & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
