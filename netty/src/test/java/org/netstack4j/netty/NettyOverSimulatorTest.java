package org.netstack4j.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;
import org.netstack4j.host.TwoHostNetwork;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.socket.NetStack;
import org.netstack4j.time.Time;

/**
 * Netty servers and clients, written as for NIO, over two simulated hosts joined by a lossy
 * link and driven in real time: an echo of random data (checked byte for byte), several
 * connections at once, a refused connect, half-closure, scheduled tasks, and an HTTP/1.1
 * server built from HttpServerCodec answering a Netty HTTP client over keep-alive.
 */
class NettyOverSimulatorTest {
    static final InetSocketAddress SERVER = new InetSocketAddress(TwoHostNetwork.SERVER_ADDRESS.toInetAddress(), 7);

    final List<Throwable> loopFailures = new CopyOnWriteArrayList<>();
    TwoHostNetwork net;
    EventLoop loop;
    NetstackEventLoopGroup clientGroup;
    NetstackEventLoopGroup serverGroup;

    @BeforeEach void network() {
        LinkConfig link = LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(Time.ms(1)).loss(0.02).build();
        net = TwoHostNetwork.builder().seed(19).link(link).build();
        loop = EventLoop.start("netty-sim", net.sim(), loopFailures::add);
        clientGroup = new NetstackEventLoopGroup(NetStack.of(loop, net.client().tcp(), net.client().ip()));
        serverGroup = new NetstackEventLoopGroup(NetStack.of(loop, net.server().tcp(), net.server().ip()));
    }

    @AfterEach void stop() throws Exception {
        assertTrue(clientGroup.shutdownGracefully().await(10, TimeUnit.SECONDS));
        assertTrue(serverGroup.shutdownGracefully().await(10, TimeUnit.SECONDS));
        loop.close();
        net.close();
        assertTrue(loopFailures.isEmpty(), () -> "event loop failures: " + loopFailures);
    }

    /** The echo server of Netty's examples. */
    static final class EchoServerHandler extends ChannelInboundHandlerAdapter {
        @Override public void channelRead(ChannelHandlerContext ctx, Object msg) { ctx.write(msg); }
        @Override public void channelReadComplete(ChannelHandlerContext ctx) { ctx.flush(); }
        @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) { ctx.close(); }
    }

    Channel echoServer() throws InterruptedException {
        return new ServerBootstrap().group(serverGroup).channel(NetstackServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 64)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override protected void initChannel(SocketChannel ch) { ch.pipeline().addLast(new EchoServerHandler()); }
                })
                .bind(SERVER).sync().channel();
    }

    /** Connects, sends {@code data} and collects the echo; closes once it has as many bytes as it sent. */
    CompletableFuture<byte[]> echo(byte[] data) { return exchange(data, false); }

    /**
     * Connects and sends {@code data}; with {@code halfClose}, shuts its output down after it and
     * closes at the server's FIN (ChannelInputShutdownEvent), else closes once it has as many
     * bytes back as it sent. Completes with what came back when the channel goes inactive.
     */
    CompletableFuture<byte[]> exchange(byte[] data, boolean halfClose) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        new Bootstrap().group(clientGroup).channel(NetstackSocketChannel.class)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                            @Override public void channelActive(ChannelHandlerContext ctx) {
                                ChannelFuture w = ctx.writeAndFlush(Unpooled.wrappedBuffer(data));
                                if (halfClose) w.addListener(f -> ((SocketChannel) ctx.channel()).shutdownOutput());
                            }
                            @Override public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                if (evt instanceof ChannelInputShutdownEvent) ctx.close();
                            }
                            @Override protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                byte[] b = new byte[msg.readableBytes()];
                                msg.readBytes(b);
                                got.writeBytes(b);
                                if (!halfClose && got.size() == data.length) ctx.close();
                            }
                            @Override public void channelInactive(ChannelHandlerContext ctx) { result.complete(got.toByteArray()); }
                            @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                result.completeExceptionally(cause);
                                ctx.close();
                            }
                        });
                    }
                })
                .connect(SERVER).addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) result.completeExceptionally(f.cause());
                });
        return result;
    }

    @Test void echoServerReturnsEveryByteOverALossyLink() throws Exception {
        Channel server = echoServer();
        byte[] data = new byte[1 << 20];
        new SplittableRandom(1).nextBytes(data);
        byte[] back = echo(data).get(60, TimeUnit.SECONDS);
        assertEquals(data.length, back.length);
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), MessageDigest.getInstance("SHA-256").digest(back));
        server.close().sync();
        assertFalse(server.isActive());
    }

    @Test void manyConnectionsAtOnce() throws Exception {
        echoServer();
        List<byte[]> sent = new ArrayList<>();
        List<CompletableFuture<byte[]>> got = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < 20; i++) {
            byte[] d = new byte[1000 + r.nextInt(40_000)];
            r.nextBytes(d);
            sent.add(d);
            got.add(echo(d));
        }
        for (int i = 0; i < sent.size(); i++) assertArrayEquals(sent.get(i), got.get(i).get(60, TimeUnit.SECONDS), "connection " + i);
    }

    @Test void connectToAClosedPortFailsWithConnectionRefused() throws Exception {
        ChannelFuture f = new Bootstrap().group(clientGroup).channel(NetstackSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(new InetSocketAddress(SERVER.getAddress(), 9)).await();
        assertFalse(f.isSuccess());
        assertInstanceOf(ConnectException.class, f.cause());
        assertTrue(f.cause().getMessage().startsWith("Connection refused"), f.cause().getMessage());
        assertFalse(f.channel().isOpen());
    }

    @Test void halfClosureAndScheduledTasks() throws Exception {
        // the server answers after the client's FIN (input shutdown), 50 ms later by a scheduled task
        LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        new ServerBootstrap().group(serverGroup).channel(NetstackServerSocketChannel.class)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            int bytes;
                            @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                bytes += ((ByteBuf) msg).readableBytes();
                                ((ByteBuf) msg).release();
                            }
                            @Override public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                if (evt instanceof ChannelInputShutdownEvent) {
                                    events.add("input shutdown after " + bytes);
                                    assertTrue(ctx.executor().inEventLoop());
                                    ctx.executor().schedule(() -> {
                                        events.add("scheduled ran on loop: " + ctx.executor().inEventLoop());
                                        ctx.writeAndFlush(Unpooled.copiedBuffer("got " + bytes, StandardCharsets.US_ASCII))
                                                .addListener(f -> ctx.close());
                                    }, 50, TimeUnit.MILLISECONDS);
                                }
                            }
                        });
                    }
                })
                .bind(SERVER).sync();
        byte[] reply = exchange(new byte[12345], true).get(30, TimeUnit.SECONDS);
        assertEquals("got 12345", new String(reply, StandardCharsets.US_ASCII));
        assertEquals("input shutdown after 12345", events.poll(5, TimeUnit.SECONDS));
        assertEquals("scheduled ran on loop: true", events.poll(5, TimeUnit.SECONDS));
    }

    @Test void httpServerCodecAnswersAKeepAliveClient() throws Exception {
        new ServerBootstrap().group(serverGroup).channel(NetstackServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new HelloHttpHandler());
                    }
                })
                .bind(new InetSocketAddress(SERVER.getAddress(), 80)).sync();
        LinkedBlockingQueue<FullHttpResponse> responses = new LinkedBlockingQueue<>();
        Channel client = new Bootstrap().group(clientGroup).channel(NetstackSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20),
                                new SimpleChannelInboundHandler<FullHttpResponse>() {
                                    @Override protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                        responses.add(r.retainedDuplicate());
                                    }
                                });
                    }
                })
                .connect(new InetSocketAddress(SERVER.getAddress(), 80)).sync().channel();
        for (int i = 0; i < 5; i++) {
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/item/" + i);
            req.headers().set(HttpHeaderNames.HOST, "10.0.0.2");
            client.writeAndFlush(req);
            FullHttpResponse r = responses.poll(20, TimeUnit.SECONDS);
            assertEquals(HttpResponseStatus.OK, r.status(), "request " + i);
            assertEquals("hello /item/" + i + "\n", r.content().toString(StandardCharsets.UTF_8));
            assertTrue(HttpUtil.isKeepAlive(r));
            r.release();
        }
        assertTrue(client.isActive(), "one connection carried every request");
        client.close().sync();
    }

    /** Answers "hello PATH" with keep-alive. */
    static final class HelloHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            byte[] body = ("hello " + req.uri() + "\n").getBytes(StandardCharsets.UTF_8);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            HttpUtil.setContentLength(res, body.length);
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(res, keepAlive);
            ChannelFuture f = ctx.writeAndFlush(res);
            if (!keepAlive) f.addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        }
    }
}
