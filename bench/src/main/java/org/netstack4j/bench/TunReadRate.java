package org.netstack4j.bench;

import java.util.ArrayList;
import java.util.List;

import org.netstack4j.linux.LinuxNet;
import org.netstack4j.linux.TunDevice;
import org.netstack4j.linux.TunException;
import org.netstack4j.linux.TunTapDevice;

/**
 * A measurement, not a test (root): the small-frame read rate of one TUN queue's reader thread
 * ({@link TunTapDevice#readBlocking}, no stack behind it) under a flood of 60-byte IP packets
 * (UDP datagrams of 32 bytes) that python3 processes send from the kernel side, with the
 * multishot read (provided buffers) and with per-slot io_uring reads, alternated in one JVM:
 * {@code java -cp ... org.netstack4j.bench.TunReadRate [seconds] [rounds] [senders]}.
 * Prints frames per second read and the reader thread's CPU per frame.
 */
public final class TunReadRate {
    private TunReadRate() {}

    private static final String PY_FLOOD = """
            import socket, sys, time
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            dst = (sys.argv[1], 9); b = bytes(32); end = time.monotonic() + float(sys.argv[2]); n = 0
            while time.monotonic() < end:
                for _ in range(256):
                    try: s.sendto(b, dst); n += 1
                    except OSError: pass
            print(n, flush=True)
            """;

    public static void main(String[] args) throws Exception {
        double secs = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int senders = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        for (int round = 0; round < rounds; round++) {
            for (boolean multishot : new boolean[] {false, true}) {
                System.out.println((multishot ? "multishot " : "per-slot  ") + measure(multishot, secs, senders));
            }
        }
    }

    private static int runs;

    private static String measure(boolean multishot, double secs, int senders) throws Exception {
        String name = "nsjrr" + ProcessHandle.current().pid() % 10000 + "x" + (runs++); // a closed TUN may linger a moment
        try (TunDevice tun = TunDevice.open(name, 1500, false)) {
            tun.setMultishot(multishot);
            LinuxNet.addressAdd(null, tun.name(), "10.219.0.1/24");
            LinuxNet.linkUp(null, tun.name());
            LinuxNet.ip(null, "link", "set", "dev", tun.name(), "txqueuelen", "10000");
            long[] count = new long[1];
            long[] cpu = new long[1];
            Thread reader = new Thread(() -> {
                java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
                long c0 = mx.getCurrentThreadCpuTime();
                try {
                    while (tun.readBlocking() != null) count[0]++;
                } catch (TunException e) {
                    // closed
                }
                cpu[0] = mx.getCurrentThreadCpuTime() - c0;
            }, "reader");
            reader.start();
            List<Process> ps = new ArrayList<>();
            for (int i = 0; i < senders; i++) ps.add(new ProcessBuilder("python3", "-c", PY_FLOOD, "10.219.0.2", Double.toString(secs)).start());
            long t0 = System.nanoTime();
            long sent = 0;
            for (Process p : ps) {
                p.waitFor();
                sent += Long.parseLong(new String(p.getInputStream().readAllBytes()).trim());
            }
            long t1 = System.nanoTime();
            Thread.sleep(200);
            tun.close();
            reader.join();
            double s = (t1 - t0) / 1e9;
            boolean used = multishot == tun.ioUringMultishot() || !multishot;
            return String.format("read %,.0f frames/s (sent %,.0f/s), reader CPU %.0f%% = %.2f us/frame%s",
                    count[0] / s, sent / s, 100.0 * cpu[0] / (t1 - t0 + 200_000_000L), cpu[0] / 1000.0 / Math.max(1, count[0]),
                    used ? "" : " (multishot refused)");
        }
    }
}
