package org.netstack4j.cli;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.socket.TcpServerSocket;
import org.netstack4j.socket.TcpSocket;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpState;

/**
 * Accepts connections on a netstack4j server socket and runs a handler for each on its own
 * virtual thread. Beyond {@code maxConnections} at once, a new connection is given to the
 * overload handler instead (e.g. a 503 and close) and counted as refused, so a flood of idle
 * connections cannot take an unbounded number of threads and buffers. {@link #close} stops
 * accepting, closes every open connection (FIN, or RST when unread data remains, like Linux) and
 * waits a little for the FIN handshakes. With several server sockets (one per shard of a
 * multi-queue TUN, all on the same port) it accepts from all of them and serves them as one.
 *
 * <p>With a {@link LoopHandler} instead of a {@link Handler}, connections are accepted and
 * served on their stack's event loop through the non-blocking API (no thread per connection):
 * the cap, the counters and {@link #close} work the same, and {@link #checkTimeouts} (run on
 * every loop a few times per {@code tickMs} by a timer thread) lets the connections enforce
 * their deadlines.
 */
final class ConnectionServer implements AutoCloseable {
    /** What to do with one connection; the server closes the socket afterwards. */
    @FunctionalInterface
    interface Handler {
        void handle(TcpSocket socket) throws IOException;
    }

    /** A connection served from its loop ({@link LoopHandler}); both methods run on the loop. */
    interface LoopConnection {
        /** Checks the connection's deadlines (called every {@code tickMs}). */
        void tick();

        /** The server is closing: end the connection now (FIN, or RST when unread data remains). */
        void close();
    }

    /** Serves connections from the loop. */
    @FunctionalInterface
    interface LoopHandler {
        /**
         * On the loop: starts serving {@code c} ({@code refuse}: over the cap, answer and end it);
         * {@code done} must be run, on the loop and after this returns, once the connection is finished with.
         */
        LoopConnection open(TcpConnection c, boolean ipv4Mapped, EventLoop loop, boolean refuse, Runnable done);
    }

    private final java.util.List<TcpServerSocket> servers;
    private final java.util.List<EventLoop> loops;
    private final Handler handler;
    private final Consumer<String> errors;
    private final int maxConnections;
    private final Handler overload;
    private final AtomicLong refused = new AtomicLong();
    private final Set<TcpSocket> refusing = ConcurrentHashMap.newKeySet();
    private final Set<TcpSocket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger peak = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean closing;
    private final LoopHandler loopHandler;
    private final long tickMs;
    /** Per loop: its connections (touched on that loop only). */
    private final java.util.List<Set<LoopConnection>> loopOpen = new java.util.ArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger loopActive = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger loopRefusing = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    private boolean acceptingOnLoops;

    /** {@code errors} gets a line when a connection fails unexpectedly (null: ignore). */
    ConnectionServer(TcpServerSocket server, EventLoop loop, Handler handler, Consumer<String> errors) {
        this(server, loop, handler, errors, Integer.MAX_VALUE, null);
    }

    /**
     * At most {@code maxConnections} served at once; a connection beyond that goes to
     * {@code overload} (null: closed at once), which should be quick.
     */
    ConnectionServer(TcpServerSocket server, EventLoop loop, Handler handler, Consumer<String> errors,
                     int maxConnections, Handler overload) {
        this(java.util.List.of(server), java.util.List.of(loop), handler, errors, maxConnections, overload);
    }

    /** One server socket per shard ({@code servers.get(i)} on {@code loops.get(i)}), served as one. */
    ConnectionServer(java.util.List<TcpServerSocket> servers, java.util.List<EventLoop> loops, Handler handler,
                     Consumer<String> errors, int maxConnections, Handler overload) {
        this(servers, loops, handler, overload, null, errors, maxConnections, 0);
    }

    /**
     * Serves from the loops: one server socket per shard, at most {@code maxConnections} at once
     * (beyond: {@code handler} opens the connection with {@code refuse}, at most as many refusals
     * at a time), deadlines checked every {@code tickMs} (0: only by {@link #checkTimeouts}).
     */
    ConnectionServer(java.util.List<TcpServerSocket> servers, java.util.List<EventLoop> loops, LoopHandler handler,
                     Consumer<String> errors, int maxConnections, long tickMs) {
        this(servers, loops, null, null, java.util.Objects.requireNonNull(handler, "handler"), errors, maxConnections, tickMs);
    }

    /** Either {@code handler} (a thread per connection) or {@code loopHandler}. */
    private ConnectionServer(java.util.List<TcpServerSocket> servers, java.util.List<EventLoop> loops, Handler handler, Handler overload,
                             LoopHandler loopHandler, Consumer<String> errors, int maxConnections, long tickMs) {
        if (maxConnections < 1) throw new IllegalArgumentException("maxConnections < 1");
        if (servers.isEmpty() || servers.size() != loops.size()) throw new IllegalArgumentException("one loop per server socket");
        if (tickMs < 0) throw new IllegalArgumentException("tickMs < 0");
        this.servers = java.util.List.copyOf(servers);
        this.loops = java.util.List.copyOf(loops);
        this.handler = handler;
        this.errors = errors;
        this.maxConnections = maxConnections;
        this.overload = overload;
        this.loopHandler = loopHandler;
        this.tickMs = tickMs;
        for (int i = 0; i < servers.size(); i++) loopOpen.add(new java.util.HashSet<>());
    }

    /** Connections refused because {@code maxConnections} were being served. */
    long refused() { return refused.get(); }

    /** Connections accepted so far. */
    long accepted() { return accepted.get(); }

    /** Connections being served now. */
    int active() { return open.size() + loopActive.get(); }

    /** The most connections served at the same time so far. */
    int peakActive() { return peak.get(); }

    /** Accepts until {@link #close}; returns then (with several server sockets, once every one stopped). */
    void run() throws IOException {
        if (loopHandler != null) {
            runOnLoops();
            return;
        }
        if (servers.size() == 1) {
            run(servers.getFirst());
            return;
        }
        java.util.List<Thread> others = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<IOException> failed = new java.util.concurrent.atomic.AtomicReference<>();
        for (TcpServerSocket server : servers.subList(1, servers.size())) {
            others.add(Thread.ofVirtual().name("accept-" + server.getLocalPort()).start(() -> {
                try {
                    run(server);
                } catch (IOException e) {
                    failed.compareAndSet(null, e);
                }
            }));
        }
        try {
            run(servers.getFirst());
        } finally {
            for (Thread t : others) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (failed.get() != null) throw failed.get();
    }

    private void run(TcpServerSocket server) throws IOException {
        while (!closing) {
            TcpSocket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (closing || server.isClosed()) return;
                throw e;
            }
            if (open.size() >= maxConnections) {
                refused.incrementAndGet();
                refuse(s);
                continue;
            }
            accepted.incrementAndGet();
            open.add(s);
            peak.accumulateAndGet(open.size(), Math::max);
            if (closing) { // close() may have swept the set before we added this one
                open.remove(s);
                s.close();
                return;
            }
            Thread.ofVirtual().name("conn-" + s.getPort()).start(() -> serve(s));
        }
    }

    /** The loop mode's run: the loops accept and serve; this thread checks deadlines until {@link #close}. */
    private void runOnLoops() throws IOException {
        if (!acceptOnLoops()) return;
        try {
            while (!closing) {
                if (tickMs == 0 ? stopped.await(1, java.util.concurrent.TimeUnit.HOURS)
                        : stopped.await(tickMs, java.util.concurrent.TimeUnit.MILLISECONDS)) return;
                checkTimeouts();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Hands every server socket's connections to its loop (once); false if closed meanwhile. */
    private synchronized boolean acceptOnLoops() throws IOException {
        if (acceptingOnLoops) return true;
        for (int i = 0; i < servers.size(); i++) {
            int shard = i;
            try {
                servers.get(i).acceptOnLoop((c, mapped) -> acceptedOnLoop(shard, c, mapped));
            } catch (IOException e) {
                if (closing || servers.get(i).isClosed()) return false;
                throw e;
            }
        }
        acceptingOnLoops = true;
        return true;
    }

    /** On loop {@code shard}: a connection was accepted. */
    private void acceptedOnLoop(int shard, TcpConnection c, boolean mapped) {
        EventLoop loop = loops.get(shard);
        Set<LoopConnection> set = loopOpen.get(shard);
        if (closing) {
            c.abort(loop.now());
            return;
        }
        int n = loopActive.incrementAndGet();
        if (n > maxConnections || open.size() + n > maxConnections) {
            loopActive.decrementAndGet();
            refused.incrementAndGet();
            if (loopRefusing.incrementAndGet() > maxConnections) { // refusals are bounded too
                loopRefusing.decrementAndGet();
                c.abort(loop.now());
                return;
            }
            LoopConnection[] self = new LoopConnection[1];
            self[0] = loopHandler.open(c, mapped, loop, true, () -> {
                loopRefusing.decrementAndGet();
                set.remove(self[0]);
            });
            set.add(self[0]);
            return;
        }
        accepted.incrementAndGet();
        peak.accumulateAndGet(open.size() + n, Math::max);
        LoopConnection[] self = new LoopConnection[1];
        self[0] = loopHandler.open(c, mapped, loop, false, () -> {
            loopActive.decrementAndGet();
            set.remove(self[0]);
        });
        set.add(self[0]);
    }

    /** Runs every loop connection's deadline check, on its loop (waits for it). */
    void checkTimeouts() {
        for (int i = 0; i < loops.size(); i++) onLoop(i, LoopConnection::tick);
    }

    /** Runs {@code action} for each connection of loop {@code shard}, on that loop; nothing once the loop is closed. */
    private void onLoop(int shard, Consumer<LoopConnection> action) {
        Set<LoopConnection> set = loopOpen.get(shard);
        try {
            loops.get(shard).call(() -> {
                for (LoopConnection lc : java.util.List.copyOf(set)) action.accept(lc);
                return null;
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the stack is gone, and its connections with it
        }
    }

    /**
     * Starts {@link #run} on a virtual thread; in the loop mode the loops accept before this
     * returns (a connection made afterwards is served even if that thread has not run yet).
     */
    Thread start() {
        if (loopHandler != null) {
            try {
                acceptOnLoops();
            } catch (IOException e) {
                if (errors != null) errors.accept("accept failed: " + e.getMessage());
            }
        }
        return Thread.ofVirtual().name("accept-" + servers.getFirst().getLocalPort()).start(() -> {
            try {
                run();
            } catch (IOException e) {
                if (errors != null) errors.accept("accept failed: " + e.getMessage());
            }
        });
    }

    private void refuse(TcpSocket s) {
        if (overload == null || refusing.size() >= maxConnections) { // refusals are bounded too
            s.close();
            return;
        }
        refusing.add(s);
        Thread.ofVirtual().name("refuse-" + s.getPort()).start(() -> {
            try {
                overload.handle(s);
            } catch (IOException e) {
                // the peer went away; nothing to report
            } finally {
                refusing.remove(s);
                s.close();
            }
        });
    }

    private void serve(TcpSocket s) {
        String peer = s.remoteAddress() + ":" + s.getPort();
        try {
            handler.handle(s);
        } catch (IOException e) {
            if (!closing && errors != null) errors.accept(peer + ": " + e.getMessage());
        } finally {
            open.remove(s);
            s.close();
        }
    }

    /** Stops accepting, closes every connection and waits up to {@code waitMs} for them to finish closing. */
    void close(long waitMs) {
        closing = true;
        for (TcpServerSocket server : servers) server.close();
        for (TcpSocket s : open) s.close();
        for (TcpSocket s : refusing) s.close();
        if (loopHandler != null) {
            for (int i = 0; i < loops.size(); i++) onLoop(i, LoopConnection::close);
            stopped.countDown();
        }
        long deadline = System.nanoTime() + waitMs * 1_000_000L;
        for (EventLoop loop : loops) waitQuiet(loop, deadline);
    }

    /** Until {@code deadline}: waits for every connection of {@code loop}'s host to be closed or in TIME-WAIT. */
    private static void waitQuiet(EventLoop loop, long deadline) {
        while (System.nanoTime() < deadline && !loop.isClosed()) {
            boolean quiet;
            try {
                quiet = loop.call(() -> {
                    for (TcpConnection c : loop.stack() instanceof org.netstack4j.host.Host h ? h.tcp().connections() : java.util.List.<TcpConnection>of()) {
                        TcpState st = c.state();
                        if (st != TcpState.TIME_WAIT && st != TcpState.CLOSED) return false;
                    }
                    return true;
                });
            } catch (RuntimeException e) {
                return;
            }
            if (quiet) return;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override public void close() { close(2000); }
}
