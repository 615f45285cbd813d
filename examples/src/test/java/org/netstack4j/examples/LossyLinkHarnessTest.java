package org.netstack4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.netstack4j.time.Time;

/**
 * The harness as a user would use it: "their" client and server, plain java.net code with a
 * length-prefixed upload protocol, run over a 5% lossy link. Nothing here knows netstack4j but
 * the two factories.
 */
class LossyLinkHarnessTest {
    /** The user's server: reads a length-prefixed blob, answers with its SHA-256. */
    static void serveOne(ServerSocket server) throws Exception {
        try (Socket s = server.accept()) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] blob = new byte[in.readInt()];
            in.readFully(blob);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.write(MessageDigest.getInstance("SHA-256").digest(blob));
            out.flush();
        }
    }

    /** The user's client: uploads, returns the server's digest. */
    static byte[] upload(Socket s, byte[] blob) throws IOException {
        s.setSoTimeout(60_000);
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeInt(blob.length);
        out.write(blob);
        out.flush();
        return new DataInputStream(s.getInputStream()).readNBytes(32);
    }

    @Test void theUsersClientAndServerOverALossyLink() throws Exception {
        byte[] blob = new byte[400_000];
        new SplittableRandom(3).nextBytes(blob);
        try (LossyLinkHarness net = LossyLinkHarness.start(0.05, Time.ms(5), 42);
             ServerSocket server = net.serverSockets().createServerSocket(7000)) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try {
                    serveOne(server);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket s = net.clientSockets().createSocket(LossyLinkHarness.SERVER, 7000)) {
                assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(blob), upload(s, blob));
            }
            served.get();
            assertTrue(net.clientCounter("tcp.retransmits") > 0, "the link really lost frames and TCP repaired them");
            assertEquals(0, net.failures().size(), () -> "loop failures: " + net.failures());
        }
    }

    @Test void theDemonstrationRuns() throws Exception {
        LossyLinkHarness.main(new String[0]);
    }
}
