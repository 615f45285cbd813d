package org.netstack4j.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.runtime.Signal;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpError;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.tcp.TcpException;
import org.netstack4j.time.Time;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;

/**
 * One HTTP connection of {@code serve} served from its stack's event loop through the
 * non-blocking API: no thread per connection and no handoff per request. The request bytes
 * are taken from the receive buffer into this connection's buffer, each head is parsed there
 * once its empty line has arrived ({@link HttpFileServer#parseHead}), and what the server can
 * answer without a file system call (cached files, refusals) is written straight into the send
 * buffer, several pipelined answers in one push. Anything else (a file not in the cache or due
 * for revalidation, a large file, a directory) is handed with its body to a virtual thread,
 * which runs the same {@link HttpFileServer#handle} and writes through the loop; the loop takes
 * the connection back when it is done.
 *
 * <p>The limits of the thread path hold here too: the head of the first request must be
 * complete within the header timeout of the accept, later ones must start within the idle
 * timeout of the previous response and be complete (with their body) within the header timeout
 * of their first byte; a response that gets no room in the send buffer for the write timeout
 * resets the connection. Deadlines are checked by {@link #tick}, which the {@link
 * ConnectionServer} calls on the loop a few times per shortest timeout. Ending a connection
 * after a response is a lingering close: FIN once the response is queued, then up to 1 s and
 * 64 KiB of what the client still sends is read and dropped, so closing with unread data does
 * not turn into a reset that could destroy the response before the client read it (RFC 9112 9.6). Everything here runs on the loop thread
 * except {@link WorkerOutput#write}.
 */
final class HttpLoopConnection implements TcpEventListener, ConnectionServer.LoopConnection {
    /** The lingering close reads for at most this long and this many bytes. */
    private static final long LINGER_NS = Time.s(1);
    private static final int LINGER_BYTES = 64 << 10;
    /** Nobody reads the connection after its close: FIN-WAIT-2 lasts at most this (Linux tcp_fin_timeout). */
    private static final long ORPHAN_FIN_WAIT_2 = Time.s(60);
    private static final int INITIAL_BUFFER = 2048;
    private static final long NEVER = Long.MAX_VALUE;

    private enum State { READING, WORKER, CLOSING, DONE }

    /** What the connection waits for in READING: {@link #deadline} is that wait's end. */
    private enum Wait { NONE, HEADER, IDLE }

    private final HttpFileServer files;
    private final HttpFileServer.Limits limits;
    private final TcpConnection conn;
    private final EventLoop loop;
    private final String peer;
    private final Consumer<String> errors;
    private final Runnable done;
    private final int maxHead;
    private final int maxBuffer;
    private final LoopOutput out = new LoopOutput();

    /** Request bytes not yet used: {@code in[start, end)}. */
    private byte[] in = new byte[INITIAL_BUFFER];
    private int start, end;
    /** The empty-line scan of the head being received: bytes before {@code scan} seen, the current line empty so far. */
    private int scan;
    private boolean lineEmpty = true;
    /** The peer's FIN came after the bytes in the buffer. */
    private boolean eof;
    /** A head parsed whose body has not all arrived yet. */
    private HttpFileServer.Parsed waitingBody;

    /** Volatile: a worker reads it in its wait condition. */
    private volatile State state = State.READING;
    private Wait wait = Wait.NONE;
    private long deadline = NEVER;
    private boolean serviceQueued;
    /** Sends made with MSG_MORE since the last push. */
    private boolean unpushed;

    /** Response bytes that did not fit the send buffer, in order; the worker's chunks wait here too. */
    private final ArrayDeque<Chunk> pending = new ArrayDeque<>();
    private long writeDeadline = NEVER;
    private boolean finSent;
    private long lingerUntil;
    private int lingered;
    private boolean finished;
    /** The connection is gone (closed, reset or aborted): a worker's writes fail. */
    private volatile boolean ended;
    /** Where a worker waits for its chunk to be sent; made with the first worker. */
    private volatile Signal signal;

    HttpLoopConnection(HttpFileServer files, TcpConnection conn, boolean ipv4Mapped, EventLoop loop, Consumer<String> errors,
                       Runnable done) {
        this.files = files;
        this.limits = files.limits();
        this.conn = conn;
        this.loop = loop;
        this.errors = errors;
        this.done = done;
        this.maxHead = HttpFileServer.maxHeadBytes(limits);
        this.maxBuffer = maxHead + (int) Math.min(limits.maxBody(), 1 << 20);
        this.peer = (ipv4Mapped && conn.remoteAddress() instanceof Ipv4Address v4 ? Ipv6Address.mapped(v4) : conn.remoteAddress())
                + ":" + conn.remotePort();
    }

    /**
     * Takes the connection's events and starts serving it (from a task: {@code done} is never
     * called before this returns); {@code refuse}: over the connection cap, it gets the 503 of
     * {@link HttpFileServer#overloaded} and is closed.
     */
    HttpLoopConnection start(boolean refuse) {
        conn.setListener(this);
        conn.setNoDelay(true);
        if (refuse) {
            execute(() -> guarded(now -> {
                HttpFileServer.overloaded(out);
                beginClose(now);
            }));
        } else {
            armHeader();
            queueService();
        }
        return this;
    }

    // ---- events ----

    @Override public void onReadable(TcpConnection c) { queueService(); }

    @Override public void onRemoteClosed(TcpConnection c) { queueService(); }

    @Override public void onWritable(TcpConnection c) {
        if (!pending.isEmpty()) queueService();
    }

    @Override public void onClosed(TcpConnection c, TcpError e) {
        ended = true;
        wakeWorker();
        state = State.DONE;
        pending.clear();
        if (!finished) {
            finished = true;
            done.run();
        }
    }

    /**
     * Serves after the packets that arrived together were all processed (a task queued from a
     * callback runs after the poll round), so pipelined requests are parsed and answered in one go.
     */
    private void queueService() {
        if (serviceQueued || state == State.DONE) return;
        serviceQueued = true;
        execute(() -> {
            serviceQueued = false;
            service();
        });
    }

    private void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException closed) {
            // the stack is gone, and the connection with it
        }
    }

    private void service() {
        if (state == State.DONE) return;
        guarded(now -> {
            drain(now);
            switch (state) {
                case READING -> {
                    receive(now);
                    serveRequests(now);
                }
                case WORKER -> receive(now); // pipelined requests wait in the buffer (bounded)
                case CLOSING -> linger(now);
                case DONE -> { }
            }
        });
    }

    /** A step of the loop's work on this connection, which may write. */
    @FunctionalInterface
    private interface Step {
        void run(long now) throws IOException;
    }

    /** Runs {@code step} and pushes what it wrote; a reset meanwhile (TcpException) or a failed write ends the connection. */
    private void guarded(Step step) {
        long now = loop.now();
        try {
            step.run(now);
            push(now);
        } catch (TcpException e) {
            finish(now, true); // onClosed may already have ended it
        } catch (IOException e) {
            report(e);
            finish(now, true);
        }
    }

    // ---- input ----

    /** Moves what TCP holds into the buffer (up to its bound: beyond it, the window closes). */
    private void receive(long now) {
        while (!eof) {
            if (end == in.length && !makeRoom()) return;
            int n = conn.receive(now, in, end, in.length - end);
            if (n < 0) eof = true;
            if (n <= 0) return;
            end += n;
        }
    }

    /** Room at the end of the buffer: moves the unused bytes to the front, or grows it up to its bound. */
    private boolean makeRoom() {
        if (start > 0) {
            System.arraycopy(in, start, in, 0, end - start);
            end -= start;
            scan -= start;
            start = 0;
            return true;
        }
        if (in.length >= maxBuffer) return false;
        in = Arrays.copyOf(in, (int) Math.min(maxBuffer, 2L * in.length));
        return true;
    }

    /** Whether an empty line arrived since the last look: a head may be complete (or only empty lines were). */
    private boolean emptyLineArrived() {
        for (int i = scan; i < end; i++) {
            byte b = in[i];
            if (b == '\n') {
                if (lineEmpty) {
                    scan = i + 1;
                    return true;
                }
                lineEmpty = true;
            } else if (b != '\r') {
                lineEmpty = false;
            }
        }
        scan = end;
        return false;
    }

    /** The request at {@code start} is used up to {@code length}: the next one's scan starts there. */
    private void consume(int length) {
        start += length;
        scan = start;
        lineEmpty = true;
        if (start == end) start = end = scan = 0;
    }

    /** Answers the complete requests in the buffer, in order, while their answers fit the send buffer. */
    private void serveRequests(long now) throws IOException {
        while (state == State.READING && pending.isEmpty()) {
            if (start == end && !eof) {
                if (wait != Wait.HEADER && wait != Wait.IDLE) armIdle();
                return;
            }
            if (wait != Wait.HEADER) armHeader(); // the request's first byte is here
            HttpFileServer.Parsed p = waitingBody;
            while (p == null) {
                boolean full = end - start >= maxHead;
                if (!emptyLineArrived() && !eof && !full) return;
                try {
                    p = HttpFileServer.parseHead(in, start, end - start, limits, eof);
                    if (p == null && full) // cannot happen (readHead refuses before): never wait on a full buffer
                        throw new HttpFileServer.HttpError(431, "Request Header Fields Too Large", "request head too large", null);
                } catch (HttpFileServer.HttpError e) {
                    files.refuseHead(out, e, peer);
                    beginClose(now);
                    return;
                }
            }
            if (p.head() == null) { // the client closed between requests
                beginClose(now);
                return;
            }
            long announced = HttpFileServer.bodyLength(p.head());
            int body = announced > 0 && announced <= limits.maxBody() ? (int) announced : 0;
            if (end - start < p.length() + body && !eof) {
                waitingBody = p; // under the header deadline, as the thread path's body read
                if (end == in.length) makeRoom();
                return;
            }
            waitingBody = null;
            body = Math.min(body, end - start - p.length());
            int bodyAt = start + p.length();
            int outcome = files.handle(p.head(), new ByteArrayInputStream(in, bodyAt, body), out, peer, false);
            if (outcome == HttpFileServer.BLOCKS) {
                byte[] copy = Arrays.copyOfRange(in, bodyAt, bodyAt + body);
                consume(p.length() + body);
                startWorker(p.head(), copy);
                return;
            }
            consume(p.length() + body);
            if (outcome == HttpFileServer.CLOSE) {
                beginClose(now);
                return;
            }
            wait = Wait.NONE;
        }
    }

    private void armHeader() {
        wait = Wait.HEADER;
        deadline = after(limits.headerTimeoutMs());
    }

    private void armIdle() {
        wait = Wait.IDLE;
        deadline = after(limits.idleTimeoutMs());
    }

    /** {@code ms} from now on the server's clock; 0: no deadline. */
    private long after(int ms) { return ms == 0 ? NEVER : files.nanoTime() + ms * 1_000_000L; }

    // ---- output ----

    /** A piece of response waiting for room in the send buffer; a worker's is its own array, not copied. */
    private static final class Chunk {
        final byte[] bytes;
        int off, len;
        final boolean fromWorker;
        volatile boolean sent;

        Chunk(byte[] bytes, int off, int len, boolean fromWorker) {
            this.bytes = bytes;
            this.off = off;
            this.len = len;
            this.fromWorker = fromWorker;
        }
    }

    /** Sends what waits, in order, as far as the send buffer takes it; closes once a closing connection's last byte is queued. */
    private void drain(long now) {
        if (pending.isEmpty()) return;
        while (!pending.isEmpty()) {
            Chunk c = pending.peek();
            int n = conn.send(now, c.bytes, c.off, c.len);
            if (n > 0) writeDeadline = after(limits.writeTimeoutMs());
            c.off += n;
            c.len -= n;
            if (c.len > 0) return;
            pending.poll();
            if (c.fromWorker) {
                c.sent = true;
                wakeWorker();
            }
        }
        writeDeadline = NEVER;
        if (state == State.READING && wait == Wait.IDLE) armIdle(); // idle from when the last response is out
        if (state == State.CLOSING && !finSent) sendFin(now);
    }

    private void push(long now) {
        if (!unpushed || state == State.DONE) return;
        unpushed = false;
        conn.push(now);
    }

    /** The loop's responses: straight into the send buffer with MSG_MORE (one push after the round), the rest queued. */
    private final class LoopOutput extends OutputStream {
        @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

        @Override public void write(byte[] b, int off, int len) throws IOException {
            if (state == State.DONE) throw new SocketException("connection closed");
            if (pending.isEmpty()) {
                int n;
                try {
                    n = conn.send(loop.now(), b, off, len, true);
                } catch (TcpException e) {
                    throw new SocketException(e.getMessage());
                }
                unpushed = true;
                off += n;
                len -= n;
            }
            if (len > 0) {
                if (pending.isEmpty()) writeDeadline = after(limits.writeTimeoutMs());
                pending.add(new Chunk(Arrays.copyOfRange(b, off, off + len), 0, len, false));
            }
        }
    }

    // ---- the worker ----

    private void startWorker(HttpFileServer.Head head, byte[] body) {
        state = State.WORKER;
        wait = Wait.NONE;
        if (signal == null) signal = new Signal(loop);
        WorkerOutput o = new WorkerOutput();
        Thread.ofVirtual().name("http-" + peer).start(() -> {
            int outcome;
            try {
                outcome = files.handle(head, new ByteArrayInputStream(body), o, peer, true);
            } catch (IOException e) {
                if (!ended) report(e);
                outcome = -1;
            }
            int result = outcome;
            execute(() -> workerDone(result));
        });
    }

    /** On the loop: the worker answered; {@code outcome} {@link HttpFileServer#KEEP}, CLOSE, or -1 (failed: end the connection). */
    private void workerDone(int outcome) {
        if (state != State.WORKER) return;
        if (outcome == HttpFileServer.KEEP) {
            state = State.READING;
            armIdle();
            service();
        } else {
            guarded(now -> {
                if (outcome == HttpFileServer.CLOSE) beginClose(now);
                else finish(now, true);
            });
        }
    }

    /**
     * The worker's responses: each write waits until the loop has put all of it into the send
     * buffer (so the caller may reuse its array; the send buffer keeps the wire busy meanwhile).
     */
    private final class WorkerOutput extends OutputStream {
        @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

        @Override public void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) return;
            if (ended) throw new SocketException("connection closed");
            Chunk c = new Chunk(b, off, len, true);
            execute(() -> {
                if (state != State.WORKER) {
                    wakeWorker();
                    return;
                }
                if (pending.isEmpty()) writeDeadline = after(limits.writeTimeoutMs());
                pending.add(c);
                drain(loop.now());
            });
            try {
                signal.await(() -> c.sent || ended || state != State.WORKER, Time.NEVER);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SocketException("Closed by interrupt");
            }
            if (!c.sent) throw new SocketException("connection closed");
        }
    }

    private void wakeWorker() {
        Signal s = signal;
        if (s != null) s.signal();
    }

    // ---- ending ----

    /** Ends the connection after what is queued: FIN once it is all in the send buffer, then the lingering read. */
    private void beginClose(long now) {
        state = State.CLOSING;
        wait = Wait.NONE;
        lingerUntil = files.nanoTime() + LINGER_NS;
        if (pending.isEmpty()) sendFin(now);
    }

    private void sendFin(long now) {
        finSent = true;
        conn.close(now);
        linger(now);
    }

    /** Reads and drops what the client still sends, until its FIN, 64 KiB, or the linger time. */
    private void linger(long now) {
        if (!finSent) return;
        byte[] sink = in;
        while (true) {
            int n = conn.receive(now, sink, 0, sink.length);
            if (n < 0 || (lingered += Math.max(0, n)) >= LINGER_BYTES) {
                finish(now, false);
                return;
            }
            if (n == 0) return;
        }
    }

    /**
     * Lets go of the connection as {@code TcpSocket.close} does: a reset when unread data remains
     * or {@code abort}, else the FIN (sent now if not yet) and the connection left as an orphan.
     */
    private void finish(long now, boolean abort) {
        if (state == State.DONE && finished) return;
        state = State.DONE;
        ended = true;
        pending.clear();
        try {
            if (abort || conn.readable() > 0) {
                conn.abort(now);
            } else {
                if (!finSent) conn.close(now);
                finSent = true;
                conn.orphan(now, ORPHAN_FIN_WAIT_2);
                conn.setListener(null);
            }
        } catch (TcpException ignored) {
            // already closed or closing
        }
        wakeWorker();
        if (!finished) {
            finished = true;
            done.run();
        }
    }

    // ---- ConnectionServer.LoopConnection ----

    @Override public void tick() {
        if (state == State.DONE) return;
        long t = files.nanoTime();
        guarded(now -> {
            if (!pending.isEmpty() && t - writeDeadline >= 0) {
                files.countWriteTimeout(); // the client stopped reading: reset, what is queued would never be read
                finish(now, true);
                return;
            }
            switch (state) {
                case READING -> {
                    if (!pending.isEmpty() || wait == Wait.NONE || t - deadline < 0) return;
                    if (wait == Wait.IDLE) {
                        files.countIdleClose();
                    } else if (waitingBody != null) {
                        HttpFileServer.Head head = waitingBody.head();
                        waitingBody = null;
                        files.handle(head, TIMED_OUT, out, peer, false); // 408: the body did not arrive in time
                    } else {
                        files.headerTimedOut(out, peer);
                    }
                    beginClose(now);
                }
                case CLOSING -> {
                    if (t - lingerUntil >= 0) finish(now, false);
                }
                case WORKER, DONE -> { }
            }
        });
    }

    @Override public void close() { finish(loop.now(), false); }

    /** A body that did not arrive within the header timeout: what the thread path's read reports then. */
    private static final InputStream TIMED_OUT = new InputStream() {
        @Override public int read() throws IOException { throw new SocketTimeoutException("the request body did not arrive in time"); }
    };

    private void report(IOException e) {
        if (errors != null) errors.accept(peer + ": " + e.getMessage());
    }
}
