package org.netstack4j.netty;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ServerSocketChannelConfig;
import java.util.Map;

/**
 * The options of a {@link NetstackServerSocketChannel}: {@code SO_BACKLOG} (the accept queue,
 * set before bind; default 128) acts on the listener; {@code SO_RCVBUF} and
 * {@code SO_REUSEADDR} are kept and reported only (see {@link NetstackSocketChannelConfig}).
 */
public final class NetstackServerSocketChannelConfig extends DefaultChannelConfig implements ServerSocketChannelConfig {
    private volatile int backlog = 128;
    private volatile boolean reuseAddress;
    private volatile int receiveBufferSize;

    NetstackServerSocketChannelConfig(NetstackServerSocketChannel channel) {
        super(channel, new ServerChannelRecvByteBufAllocator());
    }

    @Override public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), ChannelOption.SO_BACKLOG, ChannelOption.SO_REUSEADDR, ChannelOption.SO_RCVBUF);
    }

    @SuppressWarnings("unchecked")
    @Override public <T> T getOption(ChannelOption<T> option) {
        if (option == ChannelOption.SO_BACKLOG) return (T) Integer.valueOf(getBacklog());
        if (option == ChannelOption.SO_REUSEADDR) return (T) Boolean.valueOf(isReuseAddress());
        if (option == ChannelOption.SO_RCVBUF) return (T) Integer.valueOf(getReceiveBufferSize());
        return super.getOption(option);
    }

    @Override public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == ChannelOption.SO_BACKLOG) setBacklog((Integer) value);
        else if (option == ChannelOption.SO_REUSEADDR) setReuseAddress((Boolean) value);
        else if (option == ChannelOption.SO_RCVBUF) setReceiveBufferSize((Integer) value);
        else return super.setOption(option, value);
        return true;
    }

    @Override public int getBacklog() { return backlog; }

    @Override public NetstackServerSocketChannelConfig setBacklog(int n) {
        if (n < 0) throw new IllegalArgumentException("backlog must be >= 0: " + n);
        backlog = n;
        return this;
    }

    @Override public boolean isReuseAddress() { return reuseAddress; }

    @Override public NetstackServerSocketChannelConfig setReuseAddress(boolean on) {
        reuseAddress = on;
        return this;
    }

    @Override public int getReceiveBufferSize() { return receiveBufferSize; }

    @Override public NetstackServerSocketChannelConfig setReceiveBufferSize(int bytes) {
        receiveBufferSize = bytes;
        return this;
    }

    @Override public NetstackServerSocketChannelConfig setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        return this;
    }

    @Override public NetstackServerSocketChannelConfig setConnectTimeoutMillis(int ms) {
        super.setConnectTimeoutMillis(ms);
        return this;
    }

    @Deprecated
    @Override public NetstackServerSocketChannelConfig setMaxMessagesPerRead(int n) {
        super.setMaxMessagesPerRead(n);
        return this;
    }

    @Override public NetstackServerSocketChannelConfig setWriteSpinCount(int n) {
        super.setWriteSpinCount(n);
        return this;
    }

    @Override public NetstackServerSocketChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override public NetstackServerSocketChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override public NetstackServerSocketChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override public NetstackServerSocketChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    @Deprecated
    @Override public NetstackServerSocketChannelConfig setWriteBufferHighWaterMark(int n) {
        super.setWriteBufferHighWaterMark(n);
        return this;
    }

    @Deprecated
    @Override public NetstackServerSocketChannelConfig setWriteBufferLowWaterMark(int n) {
        super.setWriteBufferLowWaterMark(n);
        return this;
    }

    @Override public NetstackServerSocketChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark mark) {
        super.setWriteBufferWaterMark(mark);
        return this;
    }
}
