package org.netstack4j.apps;

import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.netstack4j.apps.net.Network;
import org.netstack4j.trace.LogText;

/**
 * The accept loop every application server shares: one virtual thread per connection, a cap on
 * connections (those over it are closed at once and counted), an idle timeout on every read, and
 * one escaped log line per event.
 */
public final class Server implements AutoCloseable {
    /** What a server does with one connection; exceptions end that connection only. */
    @FunctionalInterface
    public interface Handler {
        void handle(Network.Connection c) throws IOException;
    }

    private final String name;
    private final Network.Listener listener;
    private final Handler handler;
    private final Semaphore slots;
    private final int idleTimeoutMs;
    private final Consumer<String> log;
    private final AtomicLong accepted = new AtomicLong(), refused = new AtomicLong(), failed = new AtomicLong();
    private final Thread acceptor;
    private volatile boolean closed;

    public Server(String name, Network.Listener listener, int maxConnections, int idleTimeoutMs, Consumer<String> log, Handler handler) {
        this.name = name;
        this.listener = listener;
        this.handler = handler;
        this.slots = new Semaphore(maxConnections);
        this.idleTimeoutMs = idleTimeoutMs;
        this.log = log;
        this.acceptor = Thread.ofVirtual().name(name + "-accept").start(this::acceptLoop);
    }

    private void acceptLoop() {
        while (!closed) {
            Network.Connection c;
            try {
                c = listener.accept();
            } catch (IOException e) {
                if (!closed) log.accept(name + ": accept failed: " + LogText.controls(String.valueOf(e.getMessage())));
                if (closed) return;
                continue;
            }
            if (!slots.tryAcquire()) {
                refused.incrementAndGet();
                log.accept(name + ": " + c.peerHost() + " refused: connection limit reached");
                closeQuietly(c);
                continue;
            }
            accepted.incrementAndGet();
            Thread.ofVirtual().name(name + "-conn").start(() -> {
                try (c) {
                    c.setReadTimeout(idleTimeoutMs);
                    handler.handle(c);
                } catch (java.net.SocketTimeoutException e) {
                    failed.incrementAndGet();
                    log.accept(name + ": " + c.peerHost() + " idle for " + idleTimeoutMs + " ms, closed");
                } catch (IOException | RuntimeException e) {
                    failed.incrementAndGet();
                    log.accept(name + ": " + c.peerHost() + " " + LogText.controls(String.valueOf(e.getMessage())));
                } finally {
                    slots.release();
                }
            });
        }
    }

    private static void closeQuietly(Network.Connection c) {
        try { c.close(); } catch (IOException ignored) { /* already gone */ }
    }

    public int port() { return listener.port(); }
    public long accepted() { return accepted.get(); }
    /** Connections closed at once because the cap was reached. */
    public long refused() { return refused.get(); }
    /** Connections that ended with an error or an idle timeout. */
    public long failed() { return failed.get(); }

    @Override public void close() throws IOException {
        closed = true;
        listener.close();
        acceptor.interrupt();
    }

    @Override public String toString() {
        return name + ": " + accepted.get() + " connections, " + refused.get() + " refused over the cap, " + failed.get() + " ended by errors or timeouts";
    }
}
