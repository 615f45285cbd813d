package org.netstack4j.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The workloads of the socket rows, written once against {@link Conn}: a client loop that
 * counts completed work in a counter until told to stop, and the server that answers it.
 * The same code serves netstack4j (in-process) and the kernel (in {@link KernelPeer}).
 */
final class Workloads {
    static final int CHUNK = 64 * 1024;

    private Workloads() {}

    // ---- clients: count until stop ----

    /** Writes 64 KiB chunks; counts bytes written. */
    static void bulkClient(Conn.Dialer d, AtomicLong bytes, AtomicBoolean stop) throws IOException {
        byte[] chunk = new byte[CHUNK];
        for (int i = 0; i < chunk.length; i++) chunk[i] = (byte) (i * 31);
        try (Conn c = d.dial()) {
            OutputStream out = c.out();
            while (!stop.get()) {
                out.write(chunk);
                bytes.addAndGet(chunk.length);
            }
        }
    }

    /** Open, 1-byte request, 1-byte response, end of stream, close; counts completed exchanges. */
    static void connectClient(Conn.Dialer d, AtomicLong done, AtomicBoolean stop) throws IOException {
        while (!stop.get()) {
            try (Conn c = d.dial()) {
                c.out().write('q');
                InputStream in = c.in();
                if (in.read() < 0) throw new IOException("connect: server closed before answering");
                // The server closes first (TIME-WAIT stays there, so client ports are reusable at once).
                if (in.read() >= 0) throw new IOException("connect: more than one byte in the answer");
            }
            done.incrementAndGet();
        }
    }

    /** 1-byte round trips on one connection; counts round trips. */
    static void pingpongClient(Conn.Dialer d, AtomicLong trips, AtomicBoolean stop) throws IOException {
        try (Conn c = d.dial()) {
            InputStream in = c.in();
            OutputStream out = c.out();
            while (!stop.get()) {
                out.write('p');
                if (in.read() < 0) throw new IOException("pingpong: server closed");
                trips.incrementAndGet();
            }
        }
    }

    // ---- servers: run until the acceptor is closed ----

    /** Reads and discards everything on every accepted connection (one thread each). */
    static void sinkServer(Conn.Acceptor a) {
        acceptLoop(a, c -> {
            byte[] buf = new byte[CHUNK];
            InputStream in = c.in();
            while (in.read(buf) >= 0) {
                // discard
            }
        });
    }

    /** Answers each connection's one byte with one byte and closes it; connections are served in turn. */
    static void connectServer(Conn.Acceptor a) {
        while (true) {
            Conn c;
            try {
                c = a.accept();
            } catch (IOException e) {
                return; // acceptor closed
            }
            try (c) {
                if (c.in().read() >= 0) c.out().write('r');
            } catch (IOException ignored) {
                // the client went away: next
            }
        }
    }

    /** Echoes each byte (one thread per connection). */
    static void echoServer(Conn.Acceptor a) {
        acceptLoop(a, c -> {
            InputStream in = c.in();
            OutputStream out = c.out();
            int b;
            while ((b = in.read()) >= 0) out.write(b);
        });
    }

    /** Accepts connections and keeps them open, doing nothing with them. */
    static void holdServer(Conn.Acceptor a, List<Conn> held) {
        while (true) {
            try {
                held.add(a.accept());
            } catch (IOException e) {
                return;
            }
        }
    }

    interface Handler {
        void handle(Conn c) throws IOException;
    }

    private static void acceptLoop(Conn.Acceptor a, Handler h) {
        while (true) {
            Conn c;
            try {
                c = a.accept();
            } catch (IOException e) {
                return;
            }
            Thread.ofPlatform().daemon(true).name("bench-server-conn").start(() -> {
                try (c) {
                    h.handle(c);
                } catch (IOException ignored) {
                    // client closed or reset: done
                }
            });
        }
    }
}
