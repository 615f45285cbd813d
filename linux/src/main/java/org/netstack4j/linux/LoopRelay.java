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
 * <p>Memory stays bounded as in the thread relay: one buffer per direction, from
 * {@link TunGateway#COPY_MIN} doubling to {@link TunGateway#COPY_MAX} while reads fill it; a slow
 * side stops the other through TCP's windows (the stack stops reading the connection, the host
 * socket's send buffer fills). A FIN is passed on as a half-close, a reset as a reset.
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

    /** One relayed connection; every method runs on its loop. */
    final class Flow implements TcpEventListener {
        final EventLoop loop;
        final SocketChannel ch;
        private final Ended ended;
        volatile SelectionKey key; // selector thread
        private TcpConnection c;
        private byte[] upBuf = new byte[TunGateway.COPY_MIN], downBuf = new byte[TunGateway.COPY_MIN];
        /** Read from the connection, not yet taken by the host socket. */
        private ByteBuffer upPending;
        private boolean upQueued, downQueued, waitingForSpace, upDone, downDone, finished;
        private long up, down;

        private Flow(EventLoop loop, SocketChannel ch, Ended ended) {
            this.loop = loop;
            this.ch = ch;
            this.ended = ended;
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
            try {
                while (true) {
                    if (upPending != null) {
                        ch.write(upPending);
                        if (upPending.hasRemaining()) {
                            arm(SelectionKey.OP_WRITE);
                            return;
                        }
                        upPending = null;
                    }
                    int n = c.receive(now, upBuf, 0, upBuf.length);
                    if (n == 0) return;
                    if (n < 0) {
                        upDone = true;
                        ch.shutdownOutput(); // the client's FIN goes on: a half-close
                        if (downDone) finish(false);
                        return;
                    }
                    up += n;
                    bytesUp.addAndGet(n);
                    upPending = ByteBuffer.wrap(upBuf, 0, n);
                    if (n == upBuf.length && upBuf.length < TunGateway.COPY_MAX) upBuf = new byte[upBuf.length * 2];
                }
            } catch (IOException | TcpException e) {
                reset(true);
            }
        }

        /** Host socket to connection, until the host socket is empty or the connection's send buffer full. */
        private void pumpDown() {
            if (finished || downDone || c == null) return;
            long now = loop.now();
            try {
                while (true) {
                    int space = c.writable();
                    if (space <= 0) {
                        waitingForSpace = true; // onWritable resumes
                        return;
                    }
                    waitingForSpace = false;
                    int n = ch.read(ByteBuffer.wrap(downBuf, 0, Math.min(space, downBuf.length)));
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
                    int w = c.send(now, downBuf, 0, n);
                    if (w != n) throw new IOException("relay: the connection took " + w + " of " + n + " bytes it had room for");
                    down += n;
                    bytesDown.addAndGet(n);
                    if (n == downBuf.length && downBuf.length < TunGateway.COPY_MAX) downBuf = new byte[downBuf.length * 2];
                }
            } catch (IOException | TcpException e) {
                reset(true);
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
            upPending = null;
            upBuf = downBuf = null;
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
