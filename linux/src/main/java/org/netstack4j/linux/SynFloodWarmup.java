package org.netstack4j.linux;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.netstack4j.device.Device;
import org.netstack4j.device.FaultConfig;
import org.netstack4j.device.FaultInjector;
import org.netstack4j.device.FrameSink;
import org.netstack4j.device.Medium;
import org.netstack4j.host.Host;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.runtime.IoRegistration;
import org.netstack4j.runtime.IoSource;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.Bytes;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * Runs a spoofed-source SYN flood through a throwaway in-memory stack so that the JIT compiles
 * the SYN path before a real flood meets it (issue 20). Measured on the flood check: in the first
 * seconds of a flood the reader threads spent about 90 us of CPU per frame (the SYN path running
 * interpreted and in C1 while 100k+ SYNs a second arrived; C2 code for the cookie path appeared
 * 1 to 5 s into the flood), 15 times the 6 us of the warm path, so the kernel's TUN queue
 * overflowed and dropped the legitimate client's SYN with the flood's: the run's first fetches
 * failed.
 *
 * <p>The same classes as a TUN stack serve the frames, on their own threads: an
 * {@link EventLoop} with a reader ({@link IoRegistration}) delivering frames (inline or through
 * the queue, with runs long enough to shed as behind a real flood) to a {@link Host} with a
 * {@link FaultInjector} over the device, a listener with the caller's configuration (so its SYN
 * queue fills and cookies are sent), and some of the cookie SYN,ACKs answered (valid cookies:
 * connections established, accepted and aborted). Only the device is a stand-in: frames it is
 * given are dropped, nothing reaches a network. Addresses are from the documentation and
 * benchmarking ranges (RFC 5737, RFC 2544) and never leave the process.
 */
public final class SynFloodWarmup {
    /**
     * What a warm-up did: frames fed, SYN,ACKs sent (cookies among them), handshakes completed,
     * whether the JIT was quiet at the end (false: the time ran out first), wall time.
     */
    public record Result(long frames, long synAcks, long cookiesSent, long cookiesValid, boolean settled, long elapsedNanos) {
        /** One line for a log. */
        @Override public String toString() {
            return String.format(java.util.Locale.ROOT, "warmed the SYN path in %d ms%s: %,d SYNs and cookie ACKs, %,d SYN,ACKs (%,d cookies, %,d valid)",
                    elapsedNanos / 1_000_000, settled ? "" : " (time out before the JIT was quiet)", frames, synAcks, cookiesSent, cookiesValid);
        }
    }

    private static final Ipv4Address US = Ipv4Address.of(192, 0, 2, 2), GATEWAY = Ipv4Address.of(192, 0, 2, 1);
    /** As a TUN stack: frames waiting for the loop at most, and where connection requests are shed. */
    private static final int QUEUE_LIMIT = 4096, SHED_AT = 512;

    private SynFloodWarmup() {}

    /**
     * Feeds at least {@code minFrames} frames (spoofed SYNs, one in 16 SYN,ACKs answered with its
     * ACK) to a throwaway stack listening on {@code port} with {@code config}, going on until the
     * JIT has been quiet for {@code quietNanos} ({@code jitWork}, e.g. the JVM's total compilation
     * time, has not changed; null: until {@code quietNanos} have passed), never beyond
     * {@code maxNanos}; returns what it did. Under a loaded machine the compiler threads get
     * little CPU and the C2 code for the path comes seconds later than on an idle one, hence a
     * quiet JIT rather than a fixed time.
     */
    public static Result run(TcpConfig config, int port, long minFrames, long quietNanos, long maxNanos,
                             java.util.function.LongSupplier jitWork) throws InterruptedException {
        long start = System.nanoTime();
        StandIn device = new StandIn();
        Host host = new Host("warmup", config, Tracer.NONE, 0x5EED_F100DL);
        host.addInterface("warm0", new FaultInjector(device, FaultConfig.NONE, 1), null, US, 24);
        host.ip().setDefaultGateway(GATEWAY);
        EventLoop loop = EventLoop.start("netstack4j-warmup", host);
        try {
            loop.run(() -> host.listen(loop.now(), port, 1024, l -> {
                TcpConnection c;
                while ((c = l.accept()) != null) c.abort(loop.now());
            }));
            Flood flood = new Flood(device, port, start, minFrames, quietNanos, maxNanos, jitWork);
            IoRegistration r = loop.register("warmup", flood, device, QUEUE_LIMIT, SynFloodWarmup::isSyn, SHED_AT);
            while (!r.finished()) Thread.sleep(5);
            loop.run(() -> { }); // the frames queued are delivered
            long sent = loop.call(() -> host.counters().snapshot().getOrDefault("tcp.syncookies.sent", 0L));
            long valid = loop.call(() -> host.counters().snapshot().getOrDefault("tcp.syncookies.valid", 0L));
            return new Result(flood.count, device.transmitted.get(), sent, valid, flood.settled, System.nanoTime() - start);
        } finally {
            loop.close();
        }
    }

    /** A connection request (SYN without ACK) in an IPv4 frame: sheddable, as a TUN stack's readers shed them. */
    private static boolean isSyn(byte[] f) {
        return f.length >= 40 && (f[9] & 0xff) == Ipv4Repr.PROTO_TCP && (f[33] & (TcpRepr.SYN | TcpRepr.ACK)) == TcpRepr.SYN;
    }

    /** The device: keeps one in 16 SYN,ACKs for the flood to answer, drops the rest. */
    private static final class StandIn implements Device, FrameSink {
        final AtomicLong transmitted = new AtomicLong();
        final ConcurrentLinkedQueue<byte[]> toAnswer = new ConcurrentLinkedQueue<>();
        private volatile FrameSink sink = FrameSink.DISCARD;

        @Override public Medium medium() { return Medium.IP; }
        @Override public int mtu() { return 1500; }
        @Override public void attach(FrameSink s) { sink = s; }
        @Override public void receive(long now, byte[] frame) { sink.receive(now, frame); }
        @Override public void receive(long now, byte[] frame, int info) { sink.receive(now, frame, info); }

        @Override public void transmit(long now, byte[] frame) {
            long n = transmitted.incrementAndGet();
            if ((n & 15) == 0 && frame.length >= 40 && (frame[33] & (TcpRepr.SYN | TcpRepr.ACK)) == (TcpRepr.SYN | TcpRepr.ACK)
                    && toAnswer.size() < 64) toAnswer.add(frame.clone());
        }
    }

    /**
     * The reader's source: spoofed SYNs (three in four bare as hping3 sends them, one in four with a
     * client's options), ACKs for the SYN,ACKs the device kept; in runs that let the reader keep up,
     * and a quarter of the time in runs long enough that it sheds as behind a real flood.
     */
    private static final class Flood implements IoSource {
        private final StandIn device;
        private final int port;
        private final long start, minFrames, quietNanos, maxNanos;
        private final java.util.function.LongSupplier jitWork;
        private final SplittableRandom random = new SplittableRandom(20);
        volatile long count;
        volatile boolean settled;
        private long n, lastWork = -1, quietSince;

        Flood(StandIn device, int port, long start, long minFrames, long quietNanos, long maxNanos, java.util.function.LongSupplier jitWork) {
            this.device = device;
            this.port = port;
            this.start = start;
            this.minFrames = minFrames;
            this.quietNanos = quietNanos;
            this.maxNanos = maxNanos;
            this.jitWork = jitWork;
            this.quietSince = start;
        }

        @Override public byte[] read() {
            if ((n & 1023) == 0) {
                long now = System.nanoTime();
                long work = jitWork == null ? 0 : jitWork.getAsLong();
                if (work != lastWork) {
                    lastWork = work;
                    if (jitWork != null) quietSince = now;
                }
                settled = now - quietSince >= quietNanos;
                if (now - start >= maxNanos || n >= minFrames && settled) return null;
            }
            count = ++n;
            byte[] synAck = device.toAnswer.poll();
            return synAck != null ? ack(synAck) : syn();
        }

        @Override public boolean hasReadyFrames() { return (n & 7) != 7 || (n >> 12 & 3) == 3; }

        @Override public void close() { }

        private byte[] syn() {
            Ipv4Address src = Ipv4Address.of(198, 18 + random.nextInt(2), random.nextInt(256), 1 + random.nextInt(254));
            return SynFloodWarmup.syn(src, US, 1024 + random.nextInt(64_000), port, random.nextInt(), (n & 3) == 0);
        }

        /** The handshake's last ACK for a SYN,ACK (echoing its timestamp, where the cookie keeps the options). */
        private static byte[] ack(byte[] synAck) {
            int hl = (synAck[0] & 0x0f) * 4;
            Ipv4Address peer = Ipv4Address.read(synAck, 16);
            List<TcpOption> options = new ArrayList<>();
            if (TcpRepr.parse(US, peer, synAck, hl, synAck.length - hl, false) instanceof org.netstack4j.wire.Parsed.Ok<TcpRepr> ok) {
                for (TcpOption o : ok.value().options())
                    if (o instanceof TcpOption.Timestamps ts) options.add(new TcpOption.Timestamps(ts.tsEcr() + 1, ts.tsVal()));
            }
            if (!options.isEmpty()) options.addAll(0, List.of(TcpOption.NOP, TcpOption.NOP));
            int seq = Bytes.i32(synAck, hl + 8), ack = Bytes.i32(synAck, hl + 4) + 1;
            return frame(peer, new TcpRepr(Bytes.u16(synAck, hl + 2), Bytes.u16(synAck, hl), seq, ack, TcpRepr.ACK, 502, 0, options));
        }

        private static byte[] frame(Ipv4Address src, TcpRepr tcp) { return SynFloodWarmup.frame(src, US, tcp); }
    }

    /**
     * A connection request as an IPv4 frame: bare as hping3 sends it (window 512, no options), or
     * with a Linux client's options (MSS, SACK permitted, timestamps, window scale).
     */
    public static byte[] syn(Ipv4Address src, Ipv4Address dst, int srcPort, int dstPort, int seq, boolean clientOptions) {
        List<TcpOption> options = !clientOptions ? List.of() : List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(),
                new TcpOption.Timestamps(seq * 31, 0), TcpOption.NOP, new TcpOption.WindowScale(7));
        return frame(src, dst, new TcpRepr(srcPort, dstPort, seq, 0, TcpRepr.SYN, options.isEmpty() ? 512 : 64_240, 0, options));
    }

    private static byte[] frame(Ipv4Address src, Ipv4Address dst, TcpRepr tcp) {
        int len = tcp.headerLength();
        byte[] f = new byte[Ipv4Repr.MIN_HEADER_LENGTH + len];
        int at = Ipv4Repr.of(src, dst, Ipv4Repr.PROTO_TCP, 64, len).emit(f, 0);
        tcp.emit(src, dst, f, at, null, 0, 0);
        return f;
    }
}
