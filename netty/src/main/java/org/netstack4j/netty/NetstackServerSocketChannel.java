package org.netstack4j.netty;

import io.netty.channel.AbstractServerChannel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ServerSocketChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.UnresolvedAddressException;
import org.netstack4j.socket.NetStack;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpException;
import org.netstack4j.tcp.TcpListener;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;

/**
 * A Netty {@link ServerSocketChannel} over a netstack4j {@link TcpListener}: accepted
 * connections become {@link NetstackSocketChannel}s on the same stack (the child group must be
 * a {@link NetstackEventLoopGroup} over that stack). Binding the wildcard address listens on
 * every address of both families. Port 0 is refused: netstack4j has no ephemeral listening ports.
 */
public class NetstackServerSocketChannel extends AbstractServerChannel implements ServerSocketChannel {
    private final NetstackServerSocketChannelConfig config = new NetstackServerSocketChannelConfig(this);
    private volatile NetstackEventLoop loop;
    private volatile TcpListener listener;
    private volatile boolean open = true;
    private volatile InetSocketAddress local;
    // loop only
    private boolean readPending;
    private boolean readQueued;

    public NetstackServerSocketChannel() {}

    @Override public NetstackServerSocketChannelConfig config() { return config; }

    @Override public boolean isOpen() { return open; }

    @Override public boolean isActive() { return open && listener != null; }

    @Override public InetSocketAddress localAddress() { return (InetSocketAddress) super.localAddress(); }

    @Override public InetSocketAddress remoteAddress() { return null; }

    @Override protected SocketAddress localAddress0() { return local; }

    @Override protected boolean isCompatible(EventLoop l) { return l instanceof NetstackEventLoop; }

    /** The stack, once registered. */
    NetStack stack() {
        NetstackEventLoop l = loop;
        return l == null ? null : l.stack();
    }

    @Override protected void doRegister(ChannelPromise promise) {
        NetstackEventLoop l = (NetstackEventLoop) eventLoop();
        loop = l;
        l.registered(this);
        promise.setSuccess();
    }

    @Override protected void doDeregister() {
        NetstackEventLoop l = loop;
        if (l != null) l.deregistered(this);
    }

    @Override protected void doBind(SocketAddress localAddress) throws Exception {
        InetSocketAddress a = (InetSocketAddress) localAddress;
        if (a.isUnresolved()) throw new UnresolvedAddressException();
        if (a.getPort() == 0) throw new SocketException("netstack4j listens on a given port only (port 0 asked)");
        // the wildcard of either family: every address of both (TcpLayer.listen on ANY)
        IpAddress ip = a.getAddress().isAnyLocalAddress() ? Ipv4Address.ANY : IpAddress.of(a.getAddress());
        try {
            listener = stack().tcp().listen(loop.now(), ip, a.getPort(), Math.max(1, config.getBacklog()), l -> queueRead());
        } catch (TcpException e) {
            throw NetstackSocketChannel.exception(e.error(), false);
        }
        local = new InetSocketAddress(a.getAddress(), a.getPort());
    }

    @Override protected void doBeginRead() {
        readPending = true;
        queueRead();
    }

    private void queueRead() {
        if (readQueued || !isRegistered()) return;
        readQueued = true;
        loop.execute(this::acceptNow);
    }

    /** On the loop: hands established connections to the pipeline (ServerBootstrap registers them). */
    private void acceptNow() {
        readQueued = false;
        TcpListener l = listener;
        // nothing to accept: wait for the listener (a read round that finds nothing fires nothing,
        // or the pipeline's read() after readComplete would spin)
        if (!open || l == null || !readPending || l.pending() == 0) return;
        ChannelPipeline pipeline = pipeline();
        RecvByteBufAllocator.Handle h = unsafe().recvBufAllocHandle();
        h.reset(config);
        do {
            TcpConnection c = l.accept();
            if (c == null) break;
            h.incMessagesRead(1);
            readPending = false;
            pipeline.fireChannelRead(new NetstackSocketChannel(this, loop, c));
        } while (h.continueReading() && open);
        h.readComplete();
        pipeline.fireChannelReadComplete();
        // more waiting than one round takes: the pipeline's next read() picks them up
    }

    @Override protected void doClose() {
        open = false;
        TcpListener l = listener;
        if (l != null) l.close(loop.now());
    }
}
