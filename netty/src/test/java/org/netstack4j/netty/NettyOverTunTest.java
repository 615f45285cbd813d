package org.netstack4j.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.netstack4j.linux.LinuxNet;
import org.netstack4j.linux.TunHost;

/**
 * A Netty HTTP server (HttpServerCodec) on netstack4j over a real TUN device, and the kernel's
 * clients in a network namespace this test creates: curl fetches a small and a 4 MiB response
 * (SHA-256 checked), then wrk loads it over keep-alive connections; its requests/s are printed.
 * Needs root, /dev/net/tun, ip, curl and wrk; skips with the reason otherwise.
 */
class NettyOverTunTest {
    private static final String KERNEL = "10.219.19.1";
    private static final String US = "10.219.19.2";
    private static final int PORT = 8080;
    private static final byte[] BIG = new byte[4 << 20];

    private static String ns;
    private static TunHost host;
    private static NetstackEventLoopGroup group;
    private static final AtomicLong served = new AtomicLong();
    private static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        String why = LinuxNet.whyUnavailable();
        Assumptions.assumeTrue(why == null, "Netty over TUN needs a real TUN: " + why);
        new SplittableRandom(19).nextBytes(BIG);
        dir = Files.createTempDirectory("nsj-netty");
        long pid = ProcessHandle.current().pid();
        ns = "nsj-netty-" + pid;
        LinuxNet.netnsAdd(ns);
        LinuxNet.linkUp(ns, "lo");
        host = TunHost.builder("nsjn" + pid % 100000).address(US + "/24").hostAddress(KERNEL + "/24").netns(ns).seed(19).open();
        group = new NetstackEventLoopGroup(host.net());
        new ServerBootstrap().group(group).channel(NetstackServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 16), new Handler());
                    }
                })
                .bind(US, PORT).sync();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (group != null) group.shutdownGracefully().await(10, TimeUnit.SECONDS);
        if (host != null) host.close();
        if (ns != null) LinuxNet.netnsDeleteQuietly(ns);
        if (dir != null) {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** "/" says hello; "/big" is {@link #BIG}. */
    static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            served.incrementAndGet();
            byte[] body = req.uri().equals("/big") ? BIG : ("hello from netty on netstack4j " + req.uri() + "\n").getBytes(StandardCharsets.UTF_8);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
            HttpUtil.setContentLength(res, body.length);
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(res, keepAlive);
            ChannelFuture f = ctx.writeAndFlush(res);
            if (!keepAlive) f.addListener(ChannelFutureListener.CLOSE);
        }

        @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // wrk ends its connections with a reset
        }
    }

    static String require(String tool, String aptPackage) {
        String path = LinuxNet.findOnPath(tool);
        Assumptions.assumeTrue(path != null, tool + " is not installed: apt-get install " + aptPackage + " (scripts/install-deps.sh installs it)");
        return path;
    }

    /** Runs a command in the namespace; returns its output, failing the test on a non-zero exit. */
    static String inNs(int timeoutSeconds, String... cmd) throws Exception {
        List<String> full = new ArrayList<>(List.of(LinuxNet.ipCommand(), "netns", "exec", ns));
        full.addAll(List.of(cmd));
        Path out = Files.createTempFile(dir, "cmd", ".log");
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        String text = Files.readString(out);
        assertTrue(done, "timed out: " + String.join(" ", cmd) + "\n" + text);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + text);
        return text;
    }

    @Test
    void curlGetsSmallAndLargeResponses() throws Exception {
        String curl = require("curl", "curl");
        String hello = inNs(30, curl, "-sS", "--max-time", "20", "http://" + US + ":" + PORT + "/hi");
        assertEquals("hello from netty on netstack4j /hi\n", hello);
        Path big = dir.resolve("big.bin");
        // two requests on one connection: keep-alive works with a kernel client too
        String v = inNs(60, curl, "-sS", "-v", "--max-time", "50", "-o", big.toString(), "http://" + US + ":" + PORT + "/big",
                "-o", dir.resolve("hi2").toString(), "http://" + US + ":" + PORT + "/hi2");
        assertEquals(sha(BIG), sha(Files.readAllBytes(big)), "4 MiB body intact");
        assertTrue(v.contains("Re-using existing connection") || v.contains("Reusing existing"), v);
        assertEquals("hello from netty on netstack4j /hi2\n", Files.readString(dir.resolve("hi2")));
    }

    @Test
    void wrkLoadsTheServer() throws Exception {
        String wrk = require("wrk", "wrk");
        long before = served.get();
        String out = inNs(60, wrk, "-t2", "-c16", "-d3s", "--timeout", "5s", "http://" + US + ":" + PORT + "/");
        System.out.println("[netty-over-tun] wrk -t2 -c16 -d3s:\n" + out);
        Matcher rps = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
        assertTrue(rps.find(), out);
        Matcher total = Pattern.compile("(\\d+) requests in").matcher(out);
        assertTrue(total.find(), out);
        long requests = Long.parseLong(total.group(1));
        assertTrue(requests > 100, "wrk completed only " + requests + " requests: " + out);
        assertFalse(out.contains("Non-2xx"), out);
        assertFalse(out.contains("Socket errors"), out);
        assertTrue(served.get() - before >= requests, "the server answered every request wrk counted");
        System.out.println("[netty-over-tun] wrk requests/s: " + rps.group(1));
    }

    private static String sha(byte[] b) throws Exception { return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)); }
}
