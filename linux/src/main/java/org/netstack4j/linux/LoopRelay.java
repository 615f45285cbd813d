package org.netstack4j.linux;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpError;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.tcp.TcpException;

/**
 * The gateway's relay for host sockets it owns ({@link Upstream.Direct}): each intercepted
 * connection is copied to and from a non-blocking {@link SocketChannel} by the stack's own loop,
 * with no thread of its own per flow. Client to host: when the connection has data, the loop
 * reads it and writes the host socket at once (no hand-off to another thread); only a full host
 * socket makes it wait, for OP_WRITE. Host to client: one selector thread (per gateway) waits
 * for OP_READ and hands the flow to its loop, which reads the host socket until it is empty or
 * the connection's send buffer is full (then it waits for the connection's onWritable).
 *
 * <p>Copies go through direct buffers of {@link TunGateway#COPY_MAX}, one loop's at a time
 * ({@link Scratch}): the receive ring is copied into one and the host socket writes it, the host
 * socket reads into one and the send ring takes it ({@code TcpConnection.receive/send(ByteBuffer)}),
 * with no heap array between and no JDK copy into a temporary direct buffer (issue 14).
 * The pool is the loop's: at most {@link Scratch#KEPT} buffers stay in it. A flow
 * keeps a buffer only while the host socket has not taken all of it; idle flows hold none.
 * Memory stays bounded: a slow side stops the other through TCP's windows (the stack stops
 * reading the connection, the host socket's send buffer fills). A FIN is passed on as a
 * half-close, a reset as a reset.
 */
final class LoopRelay implements AutoCloseable {
    /** Called once per flow when it ended: bytes each way, whether it was reset. */
    interface Ended { void ended(long up, long down, boolean reset); }

    private final Selector selector;
    private final Thread thread;
    /** Interest to add (or a registration), from the loops; applied by the selector thread. */
    private final ConcurrentLinkedQueue<Arm> arms = new ConcurrentLinkedQueue<>();
    private final AtomicLong bytesUp, bytesDown;
    /** The flows not yet ended: their host sockets are closed with the relay. */
    private final java.util.Set<Flow> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private record Arm(Flow flow, int ops) {}

    /**
     * A loop's direct buffers: lent for one copy, or kept by a flow while the host socket has
     * part of one left to take. At most {@link #KEPT} stay pooled per loop; used only under the loop.
     */
    private static final class Scratch {
        static final int KEPT = 4;
        private final java.util.ArrayDeque<ByteBuffer> free = new java.util.ArrayDeque<>();

        ByteBuffer take() {
            ByteBuffer b = free.poll();
            return b != null ? b.clear() : ByteBuffer.allocateDirect(TunGateway.COPY_MAX);
        }

        void give(ByteBuffer b) { if (b != null && free.size() < KEPT) free.push(b); }
    }

    /**
     * Per loop, not per thread: a Flow's methods run under its loop, on the loop's thread or on one
     * that entered the loop ({@link EventLoop#execute} runs a task in place when the loop is free).
     */
    private final java.util.Map<EventLoop, Scratch> scratches = new java.util.concurrent.ConcurrentHashMap<>();

    LoopRelay(String name, AtomicLong bytesUp, AtomicLong bytesDown) throws IOException {
        this.selector = Selector.open();
        this.bytesUp = bytesUp;
        this.bytesDown = bytesDown;
        this.thread = Thread.ofPlatform().name("netstack4j-relay-" + name).daemon(true).start(this::run);
    }

    /**
     * A listener for {@code TcpIntercept.HeldSyn.accept}: relays the connection to {@code ch}
     * (connected; made non-blocking here) on {@code loop} once it is established.
     */
    Flow flow(EventLoop loop, SocketChannel ch, Ended ended) throws IOException {
        ch.configureBlocking(false);
        Flow f = new Flow(loop, ch, ended);
        open.add(f);
        return f;
    }

    private void run() {
        while (!closed) {
            try {
                selector.select();
            } catch (IOException | RuntimeException e) {
                if (closed) return;
                continue;
            }
            Arm a;
            while ((a = arms.poll()) != null) {
                Flow f = a.flow();
                try {
                    if (f.key == null) f.key = f.ch.register(selector, a.ops(), f);
                    else f.key.interestOps(f.key.interestOps() | a.ops());
                } catch (ClosedChannelException | CancelledKeyException gone) {
                    // the flow ended meanwhile
                }
            }
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey k = it.next();
                it.remove();
                Flow f = (Flow) k.attachment();
                int ready;
                try {
                    ready = k.readyOps();
                    k.interestOps(k.interestOps() & ~ready); // level-triggered: wait no more until the loop asks again
                } catch (CancelledKeyException gone) {
                    continue;
                }
                try {
                    f.loop.execute(() -> f.hostReady(ready));
                } catch (RejectedExecutionException loopClosed) {
                    // the gateway is closing
                }
            }
        }
    }

    @Override public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // the loops are gone (the stack closes first): what is still open is reset
        for (Flow f : open) {
            try {
                f.ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                f.ch.close();
            } catch (IOException | RuntimeException ignored) {
                // best effort
            }
        }
        open.clear();
        try {
            selector.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** One relayed connection; every method runs under its loop. */
    final class Flow implements TcpEventListener {
        final EventLoop loop;
        final SocketChannel ch;
        private final Ended ended;
        private final Scratch scratch;
        volatile SelectionKey key; // selector thread
        private TcpConnection c;
        /** Read from the connection, not yet taken by the host socket: a {@link Scratch} buffer this flow keeps till then. */
        private ByteBuffer upPending;
        private boolean upQueued, downQueued, waitingForSpace, upDone, downDone, finished;
        private long up, down;

        private Flow(EventLoop loop, SocketChannel ch, Ended ended) {
            this.loop = loop;
            this.ch = ch;
            this.ended = ended;
            this.scratch = scratches.computeIfAbsent(loop, l -> new Scratch());
        }

        /** For a flow whose connection never came (the held SYN was no longer pending): closes the host socket. */
        void discard() {
            open.remove(this);
            try {
                ch.close();
            } catch (IOException ignored) {
                // best effort
            }
        }

        private void arm(int ops) {
            arms.add(new Arm(this, ops));
            selector.wakeup();
        }

        @Override public void onEstablished(TcpConnection conn) {
            this.c = conn;
            pumpDown();
            pumpUp(); // data that came with the handshake's ACK
        }

        // A burst of segments (or ACKs) raises many events: one pump after all of them.
        @Override public void onReadable(TcpConnection conn) { scheduleUp(); }

        @Override public void onRemoteClosed(TcpConnection conn) { scheduleUp(); }

        @Override public void onWritable(TcpConnection conn) {
            if (!waitingForSpace || downQueued) return;
            downQueued = true;
            loop.execute(() -> {
                downQueued = false;
                pumpDown();
            });
        }

        @Override public void onClosed(TcpConnection conn, TcpError e) {
            if (c == null) c = conn;
            if (e != null) reset(false);
            else {
                // closed in order: both FINs went through; what the host still had is moot
                upDone = downDone = true;
                finish(false);
            }
        }

        private void scheduleUp() {
            if (upQueued || c == null) return;
            upQueued = true;
            loop.execute(() -> {
                upQueued = false;
                pumpUp();
            });
        }

        /** From the selector: the host socket can take more (OP_WRITE) or has data (OP_READ). */
        void hostReady(int ready) {
            if (finished) return;
            if ((ready & SelectionKey.OP_WRITE) != 0) pumpUp();
            if ((ready & SelectionKey.OP_READ) != 0) pumpDown();
        }

        /** Connection to host socket, until the connection has nothing or the host socket is full. */
        private void pumpUp() {
            if (finished || upDone || c == null) return;
            long now = loop.now();
            Scratch s = scratch;
            try {
                while (true) {
                    if (upPending != null) {
                        ch.write(upPending);
                        if (upPending.hasRemaining()) {
                            arm(SelectionKey.OP_WRITE);
                            return;
                        }
                        s.give(upPending);
                        upPending = null;
                    }
                    ByteBuffer b = s.take();
                    int n = c.receive(now, b); // the ring straight into the direct buffer the host socket writes
                    if (n <= 0) {
                        s.give(b);
                        if (n == 0) return;
                        upDone = true;
                        ch.shutdownOutput(); // the client's FIN goes on: a half-close
                        if (downDone) finish(false);
                        return;
                    }
                    up += n;
                    bytesUp.addAndGet(n);
                    upPending = b.flip();
                }
            } catch (IOException | TcpException e) {
                reset(true);
            }
        }

        /** Host socket to connection, until the host socket is empty or the connection's send buffer full. */
        private void pumpDown() {
            if (finished || downDone || c == null) return;
            long now = loop.now();
            Scratch s = scratch;
            ByteBuffer buf = s.take(); // lent for this pump: every copy below ends in the send ring
            try {
                while (true) {
                    int space = c.writable();
                    if (space <= 0) {
                        waitingForSpace = true; // onWritable resumes
                        return;
                    }
                    waitingForSpace = false;
                    int n = ch.read(buf.clear().limit(Math.min(space, buf.capacity())));
                    if (n == 0) {
                        arm(SelectionKey.OP_READ);
                        return;
                    }
                    if (n < 0) {
                        downDone = true;
                        c.close(now); // the host's FIN goes on after the data
                        if (upDone) finish(false);
                        return;
                    }
                    int w = c.send(now, buf.flip()); // the direct buffer straight into the send ring
                    if (w != n) throw new IOException("relay: the connection took " + w + " of " + n + " bytes it had room for");
                    down += n;
                    bytesDown.addAndGet(n);
                }
            } catch (IOException | TcpException e) {
                reset(true);
            } finally {
                s.give(buf);
            }
        }

        /** A reset (or a failed read or write) on one side resets the other. */
        private void reset(boolean abortConnection) {
            if (finished) return;
            if (abortConnection && c != null) c.abort(loop.now());
            try {
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException ignored) {
                // closing anyway
            }
            finish(true);
        }

        private void finish(boolean reset) {
            if (finished) return;
            finished = true;
            open.remove(this);
            scratch.give(upPending); // under the loop, as every Flow method
            upPending = null;
            try {
                ch.close();
            } catch (IOException ignored) {
                // best effort
            }
            selector.wakeup(); // lets the selector drop the cancelled key (and the descriptor) now
            ended.ended(up, down, reset);
        }
    }
}
