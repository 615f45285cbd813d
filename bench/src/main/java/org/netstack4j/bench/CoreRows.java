package org.netstack4j.bench;

import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.wire.Ipv4Address;

/**
 * The {@code _nb} rows: the same work as the socket rows through the non-blocking
 * {@link org.netstack4j.tcp.TcpLayer} API, both hosts driven by this one thread with
 * {@link MemNet#pumpWithTimers} (no EventLoop, no thread handoffs). Time is
 * {@link System#nanoTime()}, passed in as the core expects.
 */
final class CoreRows {
    static final int PORT = 5002;

    private CoreRows() {}

    /**
     * The time handed to the core: read once per step and used by every call and callback of
     * that step, so the core never sees time go backwards (its timestamps come from it).
     */
    private static long clock;

    private static long tick() { return clock = Math.max(clock, System.nanoTime()); }

    /** Work counted between the end of the warm-up and the end of the window. */
    private static final class Window {
        final long warmEnd, end;
        long counted, t0 = -1, t1;

        Window(Measure.Durations d) {
            long now = tick();
            warmEnd = now + d.warmupNs();
            end = warmEnd + d.measureNs();
        }

        /** Adds n units done at {@code now}; false once the window is over. */
        boolean add(long now, long n) {
            if (now < warmEnd) return true;
            if (t0 < 0) {
                t0 = now;
                return true;
            }
            counted += n;
            t1 = now;
            return now < end;
        }

        double rate() { return t1 <= t0 ? 0 : counted / ((t1 - t0) / 1e9); }
    }

    /** Bytes per second, one connection, sender and receiver in this thread. */
    static double bulk(Measure.Durations d) {
        MemNet net = new MemNet(TcpConfig.defaults());
        TcpConnection[] server = new TcpConnection[1];
        long now = tick();
        net.b.tcp().listen(now, Ipv4Address.ANY, PORT, 16, l -> server[0] = l.accept());
        TcpConnection c = net.a.tcp().connect(now, MemNet.A, 0, MemNet.B, PORT, TcpEventListener.NONE);
        net.pumpWithTimers(now);
        if (server[0] == null || c.state() != TcpState.ESTABLISHED) throw new IllegalStateException("bulk_nb: no connection");
        byte[] chunk = new byte[Workloads.CHUNK];
        byte[] buf = new byte[Workloads.CHUNK];
        for (int i = 0; i < chunk.length; i++) chunk[i] = (byte) (i * 31);
        Window w = new Window(d);
        long lastProgress = tick();
        while (true) {
            now = tick();
            while (c.send(now, chunk, 0, chunk.length) > 0) {
                // fill the send buffer; each send pushes out what the windows allow
            }
            net.pumpWithTimers(now);
            long got = 0;
            int n;
            while ((n = server[0].receive(now, buf, 0, buf.length)) > 0) got += n;
            net.pumpWithTimers(now);
            if (got > 0) lastProgress = now;
            else if (now - lastProgress > 2_000_000_000L)
                throw new IllegalStateException("bulk_nb: no progress for 2 s after " + w.counted + " bytes; sender "
                        + c.status() + "; receiver " + server[0].status());
            if (!w.add(now, got)) break;
        }
        return w.rate();
    }

    /** Connections per second: open, 1-byte request, 1-byte response, close. */
    static double connect(Measure.Durations d) { return connectOn(new MemNet(NetstackRows.CONNECT_CONFIG), d, 1_000_000); }

    static double connectOn(MemNet net, Measure.Durations d, int maxSpins) {
        byte[] one = new byte[1];
        TcpEventListener serverSide = new TcpEventListener() {
            @Override public void onReadable(TcpConnection s) { answer(s); }
        };
        long start = tick();
        net.b.tcp().listen(start, Ipv4Address.ANY, PORT, 1024, l -> {
            TcpConnection s;
            while ((s = l.accept()) != null) {
                s.setListener(serverSide);
                if (s.readable() > 0) answer(s);
            }
        });
        TcpEventListener clientSide = new TcpEventListener() {
            @Override public void onEstablished(TcpConnection c) { c.send(clock, one, 0, 1); }

            @Override public void onReadable(TcpConnection c) { drain(c); }

            @Override public void onRemoteClosed(TcpConnection c) { drain(c); }

            // Like the socket client: read the answer, then the end of stream, then close
            // (the server closes first, so TIME-WAIT stays on the server, as with the kernel).
            private void drain(TcpConnection c) {
                long t = clock;
                int n;
                while ((n = c.receive(t, one, 0, 1)) > 0) {
                    // the 1-byte answer
                }
                if (n < 0 && c.state() == TcpState.CLOSE_WAIT) c.close(t);
            }
        };
        slowConnects = 0;
        Window w = new Window(d);
        while (true) {
            long now = tick();
            TcpConnection c = net.a.tcp().connect(now, MemNet.A, 0, MemNet.B, PORT, clientSide);
            while (c.state() != TcpState.CLOSED) {
                long t = tick();
                if (t - now > 10_000_000_000L) throw new IllegalStateException("connect_nb: stuck in " + c.state() + " for 10 s");
                net.pumpWithTimers(t);
            }
            if (tick() - now > 100_000_000L) slowConnects++;
            if (c.error() != null) throw new IllegalStateException("connect_nb: " + c.error());
            if (!w.add(tick(), 1)) break;
        }
        return w.rate();
    }

    /** Connections of the last {@link #connect} run that took over 100 ms (each waited for a retransmission). */
    static long slowConnects;

    private static void answer(TcpConnection s) {
        long now = clock;
        byte[] b = new byte[1];
        if (s.state() == TcpState.ESTABLISHED || s.state() == TcpState.CLOSE_WAIT) {
            if (s.receive(now, b, 0, 1) == 1) {
                s.send(now, b, 0, 1);
                s.close(now);
            }
        }
    }

    /** 1-byte round trips per second on one connection (Nagle off on both ends). */
    static double pingpong(Measure.Durations d) {
        MemNet net = new MemNet(TcpConfig.defaults());
        TcpConnection[] server = new TcpConnection[1];
        long now = tick();
        TcpEventListener echo = new TcpEventListener() {
            final byte[] b = new byte[1];

            @Override public void onReadable(TcpConnection s) {
                long t = clock;
                while (s.receive(t, b, 0, 1) == 1) s.send(t, b, 0, 1);
            }
        };
        net.b.tcp().listen(now, Ipv4Address.ANY, PORT, 16, l -> {
            server[0] = l.accept();
            server[0].setNoDelay(true);
            server[0].setListener(echo);
        });
        TcpConnection c = net.a.tcp().connect(now, MemNet.A, 0, MemNet.B, PORT, TcpEventListener.NONE);
        c.setNoDelay(true);
        net.pumpWithTimers(now);
        if (server[0] == null || c.state() != TcpState.ESTABLISHED) throw new IllegalStateException("pingpong_nb: no connection");
        byte[] b = {'p'};
        Window w = new Window(d);
        while (true) {
            now = tick();
            c.send(now, b, 0, 1);
            net.pumpWithTimers(now);
            if (c.receive(now, b, 0, 1) != 1) throw new IllegalStateException("pingpong_nb: no answer");
            if (!w.add(now, 1)) break;
        }
        return w.rate();
    }
}
