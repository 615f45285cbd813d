package org.netstack4j.netty;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannelConfig;
import java.util.Map;

/**
 * The options of a {@link NetstackSocketChannel}. {@code TCP_NODELAY}, {@code SO_KEEPALIVE},
 * {@code SO_SNDBUF}, {@code SO_LINGER} (0: close resets) and {@code IP_TOS} (the DSCP bits of
 * every segment; the ECN bits are TCP's) act on the connection; {@code ALLOW_HALF_CLOSURE} as in
 * Netty. {@code SO_RCVBUF} and {@code SO_REUSEADDR} are kept and reported but change nothing:
 * the receive buffer is the stack's {@link org.netstack4j.tcp.TcpConfig}'s, and netstack4j has
 * no address reuse rules.
 */
public final class NetstackSocketChannelConfig extends DefaultChannelConfig implements SocketChannelConfig {
    private final NetstackSocketChannel ch;
    private volatile Boolean tcpNoDelay;      // null: the stack's TcpConfig
    private volatile boolean keepAlive;
    private volatile int sendBufferSize;      // 0: the stack's
    private volatile int receiveBufferSize;
    private volatile int soLinger = -1;
    private volatile boolean reuseAddress;
    private volatile int trafficClass;
    private volatile boolean allowHalfClosure;

    NetstackSocketChannelConfig(NetstackSocketChannel channel) {
        super(channel);
        this.ch = channel;
    }

    @Override public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), ChannelOption.TCP_NODELAY, ChannelOption.SO_KEEPALIVE,
                ChannelOption.SO_SNDBUF, ChannelOption.SO_RCVBUF, ChannelOption.SO_LINGER,
                ChannelOption.SO_REUSEADDR, ChannelOption.IP_TOS, ChannelOption.ALLOW_HALF_CLOSURE);
    }

    @SuppressWarnings("unchecked")
    @Override public <T> T getOption(ChannelOption<T> option) {
        if (option == ChannelOption.TCP_NODELAY) return (T) Boolean.valueOf(isTcpNoDelay());
        if (option == ChannelOption.SO_KEEPALIVE) return (T) Boolean.valueOf(isKeepAlive());
        if (option == ChannelOption.SO_SNDBUF) return (T) Integer.valueOf(getSendBufferSize());
        if (option == ChannelOption.SO_RCVBUF) return (T) Integer.valueOf(getReceiveBufferSize());
        if (option == ChannelOption.SO_LINGER) return (T) Integer.valueOf(getSoLinger());
        if (option == ChannelOption.SO_REUSEADDR) return (T) Boolean.valueOf(isReuseAddress());
        if (option == ChannelOption.IP_TOS) return (T) Integer.valueOf(getTrafficClass());
        if (option == ChannelOption.ALLOW_HALF_CLOSURE) return (T) Boolean.valueOf(isAllowHalfClosure());
        return super.getOption(option);
    }

    @Override public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == ChannelOption.TCP_NODELAY) setTcpNoDelay((Boolean) value);
        else if (option == ChannelOption.SO_KEEPALIVE) setKeepAlive((Boolean) value);
        else if (option == ChannelOption.SO_SNDBUF) setSendBufferSize((Integer) value);
        else if (option == ChannelOption.SO_RCVBUF) setReceiveBufferSize((Integer) value);
        else if (option == ChannelOption.SO_LINGER) setSoLinger((Integer) value);
        else if (option == ChannelOption.SO_REUSEADDR) setReuseAddress((Boolean) value);
        else if (option == ChannelOption.IP_TOS) setTrafficClass((Integer) value);
        else if (option == ChannelOption.ALLOW_HALF_CLOSURE) setAllowHalfClosure((Boolean) value);
        else return super.setOption(option, value);
        return true;
    }

    /** The TCP_NODELAY asked for, or null to keep the stack's default. */
    Boolean tcpNoDelayOrNull() { return tcpNoDelay; }

    @Override public boolean isTcpNoDelay() {
        Boolean v = tcpNoDelay;
        return v != null ? v : ch.stackNoDelay();
    }

    @Override public NetstackSocketChannelConfig setTcpNoDelay(boolean on) {
        tcpNoDelay = on;
        ch.applyOptions();
        return this;
    }

    @Override public int getSoLinger() { return soLinger; }

    @Override public NetstackSocketChannelConfig setSoLinger(int seconds) {
        soLinger = seconds;
        return this;
    }

    @Override public int getSendBufferSize() {
        int v = sendBufferSize;
        return v > 0 ? v : ch.stackSendBufferSize();
    }

    int sendBufferSizeOrZero() { return sendBufferSize; }

    @Override public NetstackSocketChannelConfig setSendBufferSize(int bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("SO_SNDBUF must be positive: " + bytes);
        sendBufferSize = bytes;
        ch.applyOptions();
        return this;
    }

    @Override public int getReceiveBufferSize() {
        int v = receiveBufferSize;
        return v > 0 ? v : ch.stackReceiveBufferSize();
    }

    @Override public NetstackSocketChannelConfig setReceiveBufferSize(int bytes) {
        receiveBufferSize = bytes;
        return this;
    }

    @Override public boolean isKeepAlive() { return keepAlive; }

    boolean keepAliveSet() { return keepAlive; }

    @Override public NetstackSocketChannelConfig setKeepAlive(boolean on) {
        keepAlive = on;
        ch.applyOptions();
        return this;
    }

    @Override public int getTrafficClass() { return trafficClass; }

    @Override public NetstackSocketChannelConfig setTrafficClass(int tc) {
        if (tc < 0 || tc > 255) throw new IllegalArgumentException("IP_TOS must be 0..255: " + tc);
        trafficClass = tc & ~0b11; // the ECN bits are TCP's (RFC 3168)
        ch.applyOptions();
        return this;
    }

    @Override public boolean isReuseAddress() { return reuseAddress; }

    @Override public NetstackSocketChannelConfig setReuseAddress(boolean on) {
        reuseAddress = on;
        return this;
    }

    @Override public NetstackSocketChannelConfig setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        return this;
    }

    @Override public boolean isAllowHalfClosure() { return allowHalfClosure; }

    @Override public NetstackSocketChannelConfig setAllowHalfClosure(boolean on) {
        allowHalfClosure = on;
        return this;
    }

    @Override public NetstackSocketChannelConfig setConnectTimeoutMillis(int ms) {
        super.setConnectTimeoutMillis(ms);
        return this;
    }

    @Deprecated
    @Override public NetstackSocketChannelConfig setMaxMessagesPerRead(int n) {
        super.setMaxMessagesPerRead(n);
        return this;
    }

    @Override public NetstackSocketChannelConfig setWriteSpinCount(int n) {
        super.setWriteSpinCount(n);
        return this;
    }

    @Override public NetstackSocketChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override public NetstackSocketChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override public NetstackSocketChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override public NetstackSocketChannelConfig setAutoClose(boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override public NetstackSocketChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    @Override public NetstackSocketChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark mark) {
        super.setWriteBufferWaterMark(mark);
        return this;
    }

    @Deprecated
    @Override public NetstackSocketChannelConfig setWriteBufferHighWaterMark(int n) {
        super.setWriteBufferHighWaterMark(n);
        return this;
    }

    @Deprecated
    @Override public NetstackSocketChannelConfig setWriteBufferLowWaterMark(int n) {
        super.setWriteBufferLowWaterMark(n);
        return this;
    }
}
