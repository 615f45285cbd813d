package org.netstack4j.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.netstack4j.socket.NetStack;

/**
 * A Netty {@link EventLoop} that is a netstack4j stack's {@link org.netstack4j.runtime.EventLoop}:
 * its tasks run while holding that loop (on the loop thread, or inline on a caller that found
 * the loop free, as netstack4j does), so {@link #inEventLoop()} is true exactly where the TCP
 * layer may be touched. Scheduled tasks wait in Netty's own queue; the group's timer thread
 * only hands "run what is due" back to the loop when the earliest deadline passes.
 */
public final class NetstackEventLoop extends AbstractScheduledEventExecutor implements EventLoop {
    private static final int RUNNING = 0, SHUTTING_DOWN = 1, TERMINATED = 2;

    private final NetstackEventLoopGroup parent;
    private final NetStack stack;
    private final org.netstack4j.runtime.EventLoop loop;
    private final ScheduledExecutorService timer;
    private final Promise<Void> terminationFuture = new DefaultPromise<>(GlobalEventExecutor.INSTANCE);
    /** Channels registered here (loop only): closed when the loop shuts down, as Netty's loops do. */
    private final Set<Channel> channels = new LinkedHashSet<>();
    private volatile int state = RUNNING;
    /** Scratch for copies between direct buffers and the TCP buffers (loop only). */
    private byte[] scratch = new byte[16 * 1024];

    NetstackEventLoop(NetstackEventLoopGroup parent, NetStack stack, ScheduledExecutorService timer) {
        super(parent);
        this.parent = parent;
        this.stack = Objects.requireNonNull(stack, "stack");
        this.loop = stack.loop();
        this.timer = timer;
    }

    /** The stack whose sockets this loop's channels use. */
    public NetStack stack() { return stack; }

    @Override public EventLoopGroup parent() { return parent; }

    @Override public EventLoop next() { return this; }

    @Override public boolean inEventLoop(Thread thread) {
        // The loop can be held by the loop thread or by a caller running work inline; only the
        // holder itself can know it holds it.
        return thread == Thread.currentThread() && loop.inLoop();
    }

    /** The loop clock (ns), the TCP layer's time. */
    long now() { return loop.now(); }

    byte[] scratch(int n) {
        if (scratch.length < n) scratch = new byte[Math.max(n, scratch.length * 2)];
        return scratch;
    }

    @Override public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (state == TERMINATED) throw new RejectedExecutionException("event loop shut down");
        loop.execute(task);
    }

    @Override public ChannelFuture register(Channel channel) {
        return register(new DefaultChannelPromise(channel, this));
    }

    @Override public ChannelFuture register(ChannelPromise promise) {
        Objects.requireNonNull(promise, "promise");
        promise.channel().unsafe().register(this, promise);
        return promise;
    }

    @Deprecated
    @Override public ChannelFuture register(Channel channel, ChannelPromise promise) {
        channel.unsafe().register(this, promise);
        return promise;
    }

    void registered(Channel c) { channels.add(c); }

    void deregistered(Channel c) { channels.remove(c); }

    // ---- scheduling -----------------------------------------------------------------------

    @Override public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        ScheduledFuture<?> f = super.schedule(command, delay, unit);
        arm(unit.toNanos(delay));
        return f;
    }

    @Override public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        ScheduledFuture<V> f = super.schedule(callable, delay, unit);
        arm(unit.toNanos(delay));
        return f;
    }

    @Override public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        ScheduledFuture<?> f = super.scheduleAtFixedRate(command, initialDelay, period, unit);
        arm(unit.toNanos(initialDelay));
        return f;
    }

    @Override public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        ScheduledFuture<?> f = super.scheduleWithFixedDelay(command, initialDelay, delay, unit);
        arm(unit.toNanos(initialDelay));
        return f;
    }

    /** After {@code delayNs}, runs the due scheduled tasks on the loop. */
    private void arm(long delayNs) {
        if (state == TERMINATED) return;
        try {
            timer.schedule(this::runDueLater, Math.max(0, delayNs), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException groupGone) {
            // the group has shut down: nothing runs any more
        }
    }

    private void runDueLater() {
        try {
            execute(this::runDue);
        } catch (RejectedExecutionException stopped) {
            // the stack or this loop is closed
        }
    }

    /** On the loop: runs the scheduled tasks whose time has come, and arms for the next one (periodic tasks re-queue themselves). */
    private void runDue() {
        long now = getCurrentTimeNanos();
        Runnable t;
        while ((t = pollScheduledTask(now)) != null) safeExecute(t);
        long next = nextScheduledTaskNano();
        if (next >= 0) arm(next);
    }

    // ---- life cycle -----------------------------------------------------------------------

    @Override public boolean isShuttingDown() { return state >= SHUTTING_DOWN; }

    @Override public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
        if (state != RUNNING) return terminationFuture;
        state = SHUTTING_DOWN;
        try {
            loop.execute(this::shutdownOnLoop);
        } catch (RejectedExecutionException stackClosed) {
            state = TERMINATED; // the netstack4j loop is gone, and the connections with it
            terminationFuture.trySuccess(null);
        }
        return terminationFuture;
    }

    private void shutdownOnLoop() {
        List<Channel> open = new ArrayList<>(channels);
        for (Channel c : open) c.unsafe().close(c.unsafe().voidPromise());
        cancelScheduledTasks();
        state = TERMINATED;
        terminationFuture.trySuccess(null);
    }

    @Override public Future<?> terminationFuture() { return terminationFuture; }

    @Deprecated
    @Override public void shutdown() { shutdownGracefully(0, 0, TimeUnit.SECONDS); }

    @Override public boolean isShutdown() { return state >= SHUTTING_DOWN; }

    @Override public boolean isTerminated() { return state == TERMINATED; }

    @Override public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminationFuture.await(timeout, unit);
    }

    @Override public String toString() { return "NetstackEventLoop[" + stack + "]"; }
}
