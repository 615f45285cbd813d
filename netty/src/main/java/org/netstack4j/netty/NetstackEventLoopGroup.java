package org.netstack4j.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.AbstractEventExecutorGroup;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.netstack4j.socket.NetStack;

/**
 * Netty's {@link EventLoopGroup} on netstack4j: one {@link NetstackEventLoop} per stack given
 * (usually one; several shards of a multi-queue device give several). Use it as both the boss
 * and the worker group, with {@link NetstackServerSocketChannel} and {@link NetstackSocketChannel}:
 * <pre>{@code
 * EventLoopGroup group = new NetstackEventLoopGroup(netStack);
 * new ServerBootstrap().group(group).channel(NetstackServerSocketChannel.class)
 *         .childHandler(...).bind(8080).sync();
 * }</pre>
 * The group does not own the stacks: shutting it down closes its channels, not the stacks'
 * loops. Scheduled tasks share one small timer thread per group.
 */
public final class NetstackEventLoopGroup extends AbstractEventExecutorGroup implements EventLoopGroup {
    private final List<NetstackEventLoop> loops;
    private final ScheduledThreadPoolExecutor timer;
    private final AtomicInteger next = new AtomicInteger();
    private final Promise<Void> terminationFuture = new DefaultPromise<>(GlobalEventExecutor.INSTANCE);

    public NetstackEventLoopGroup(NetStack... stacks) {
        if (stacks.length == 0) throw new IllegalArgumentException("no stack");
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "netstack4j-netty-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        List<NetstackEventLoop> l = new ArrayList<>();
        for (NetStack s : stacks) l.add(new NetstackEventLoop(this, s, timer));
        loops = List.copyOf(l);
        AtomicInteger left = new AtomicInteger(loops.size());
        for (NetstackEventLoop loop : loops) {
            loop.terminationFuture().addListener(f -> {
                if (left.decrementAndGet() == 0) {
                    timer.shutdownNow();
                    terminationFuture.trySuccess(null);
                }
            });
        }
    }

    @Override public EventLoop next() {
        return loops.get(Math.floorMod(next.getAndIncrement(), loops.size()));
    }

    @Override public Iterator<EventExecutor> iterator() {
        return Collections.<EventExecutor>unmodifiableList(loops).iterator();
    }

    @Override public ChannelFuture register(Channel channel) { return next().register(channel); }

    @Override public ChannelFuture register(ChannelPromise promise) { return next().register(promise); }

    @Deprecated
    @Override public ChannelFuture register(Channel channel, ChannelPromise promise) { return next().register(channel, promise); }

    @Override public boolean isShuttingDown() {
        for (NetstackEventLoop l : loops) if (!l.isShuttingDown()) return false;
        return true;
    }

    @Override public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
        for (NetstackEventLoop l : loops) l.shutdownGracefully(quietPeriod, timeout, unit);
        return terminationFuture;
    }

    @Override public Future<?> terminationFuture() { return terminationFuture; }

    @Deprecated
    @Override public void shutdown() { shutdownGracefully(0, 0, TimeUnit.SECONDS); }

    @Override public boolean isShutdown() {
        for (NetstackEventLoop l : loops) if (!l.isShutdown()) return false;
        return true;
    }

    @Override public boolean isTerminated() {
        for (NetstackEventLoop l : loops) if (!l.isTerminated()) return false;
        return true;
    }

    @Override public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminationFuture.await(timeout, unit);
    }
}
