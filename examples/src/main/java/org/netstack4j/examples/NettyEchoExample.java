package org.netstack4j.examples;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.netstack4j.host.TwoHostNetwork;
import org.netstack4j.netty.NetstackEventLoopGroup;
import org.netstack4j.netty.NetstackServerSocketChannel;
import org.netstack4j.netty.NetstackSocketChannel;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.socket.NetStack;

/**
 * A Netty echo server and client on netstack4j: two simulated hosts on one link, a Netty
 * server on one, a Netty client on the other; the handlers are plain Netty. Over a real TUN,
 * use {@code new NetstackEventLoopGroup(tunHost.net())} instead.
 */
public final class NettyEchoExample {
    private NettyEchoExample() {}

    /** Sends {@code message} to the echo server and returns what came back. */
    public static String run(String message) throws Exception {
        try (TwoHostNetwork net = TwoHostNetwork.builder().seed(1).build();
             EventLoop loop = EventLoop.start(net.sim())) {
            NetstackEventLoopGroup server = new NetstackEventLoopGroup(NetStack.of(loop, net.server().tcp(), net.server().ip()));
            NetstackEventLoopGroup client = new NetstackEventLoopGroup(NetStack.of(loop, net.client().tcp(), net.client().ip()));
            try {
                InetSocketAddress address = new InetSocketAddress(TwoHostNetwork.SERVER_ADDRESS.toInetAddress(), 7);
                new ServerBootstrap().group(server).channel(NetstackServerSocketChannel.class)
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override protected void initChannel(SocketChannel ch) {
                                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                    @Override public void channelRead(ChannelHandlerContext ctx, Object msg) { ctx.write(msg); }
                                    @Override public void channelReadComplete(ChannelHandlerContext ctx) { ctx.flush(); }
                                });
                            }
                        })
                        .bind(address).sync();
                CompletableFuture<String> reply = new CompletableFuture<>();
                byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
                StringBuilder got = new StringBuilder();
                Channel ch = new Bootstrap().group(client).channel(NetstackSocketChannel.class)
                        .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                            @Override protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                got.append(msg.toString(StandardCharsets.UTF_8));
                                if (got.toString().getBytes(StandardCharsets.UTF_8).length >= bytes.length) reply.complete(got.toString());
                            }
                        })
                        .connect(address).sync().channel();
                ch.writeAndFlush(Unpooled.wrappedBuffer(bytes));
                String echoed = reply.get(30, TimeUnit.SECONDS);
                ch.close().sync();
                return echoed;
            } finally {
                client.shutdownGracefully().await(10, TimeUnit.SECONDS);
                server.shutdownGracefully().await(10, TimeUnit.SECONDS);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        String message = args.length > 0 ? String.join(" ", args) : "hello, Netty on netstack4j";
        System.out.println("echoed: " + run(message));
    }
}
