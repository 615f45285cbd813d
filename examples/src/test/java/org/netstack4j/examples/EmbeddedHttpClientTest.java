package org.netstack4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.netstack4j.javanet.NetstackSocketFactory;
import org.netstack4j.linux.LinuxNet;
import org.netstack4j.linux.TunHost;

/**
 * The embedded HTTP client over a real TUN: the TUN's kernel side is moved into a network
 * namespace this test makes, where python3's http.server serves a file; the client fetches it
 * through netstack4j. Skips with the reason when not root, no /dev/net/tun or no python3.
 */
class EmbeddedHttpClientTest {
    @TempDir Path dir;
    String ns;
    Process server;

    @AfterEach void cleanUp() throws Exception {
        if (server != null) {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
        if (ns != null) LinuxNet.exec(List.of("ip", "netns", "del", ns));
    }

    @Test void fetchesAFileFromTheKernelSideThroughNetstack4j() throws Exception {
        String why = LinuxNet.whyUnavailable();
        assumeTrue(why == null, "needs root and /dev/net/tun: " + why);
        assumeTrue(LinuxNet.findOnPath("python3") != null, "need python3 for the HTTP server in the namespace (apt-get install python3)");
        byte[] file = new byte[2_000_000];
        new SplittableRandom(8).nextBytes(file);
        Files.write(dir.resolve("data.bin"), file);

        long pid = ProcessHandle.current().pid() % 100000;
        ns = "nsj-ex-" + pid;
        LinuxNet.run("ip", "netns", "add", ns);
        try (TunHost tun = TunHost.builder("nsjx" + pid).address("10.88.0.2/24").hostAddress("10.88.0.1/24").netns(ns).seed(8).open()) {
            server = new ProcessBuilder("ip", "netns", "exec", ns, "python3", "-m", "http.server", "8000", "--bind", "10.88.0.1",
                    "--directory", dir.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
            EmbeddedHttpClient.Response r = null;
            // python needs a moment to bind: retry the connect (refused) for up to 20 s
            for (int i = 0; i < 200 && r == null; i++) {
                try {
                    r = EmbeddedHttpClient.get(NetstackSocketFactory.of(tun.net()), URI.create("http://10.88.0.1:8000/data.bin"));
                } catch (java.net.ConnectException refused) {
                    server.waitFor(100, TimeUnit.MILLISECONDS);
                }
            }
            assumeTrue(r != null, "python3 -m http.server did not start in the namespace");
            assertEquals(200, r.status());
            assertEquals(String.valueOf(file.length), r.headers().get("content-length"));
            assertArrayEquals(file, r.body());
        }
    }
}
