package org.netstack4j.apps;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.netstack4j.apps.ftp.Ftp;
import org.netstack4j.apps.ftp.FtpServerSession;
import org.netstack4j.apps.net.JavaNetwork;
import org.netstack4j.apps.net.Network;
import org.netstack4j.apps.smtp.MailStore;
import org.netstack4j.apps.smtp.Smtp;
import org.netstack4j.apps.smtp.SmtpClientSession;
import org.netstack4j.apps.smtp.SmtpServerSession;

/** The servers and clients over the JDK's sockets on loopback: the same code runs on netstack4j's. */
class LoopbackAppsTest {
    static final Network NET = new JavaNetwork(InetAddress.getLoopbackAddress());
    final List<String> log = new CopyOnWriteArrayList<>();
    @TempDir Path tmp;

    @Test void smtpDeliversAMessageByteIdentical() throws Exception {
        MailStore store = new MailStore(tmp.resolve("mail"));
        try (Server server = new Server("smtp", NET.listen(0, 8), 4, 5000, log::add,
                Smtp.server("mx.test", store, SmtpServerSession.Limits.DEFAULT))) {
            byte[] msg = ("From: a@c\r\nSubject: hi\r\n\r\n" + ".dot\r\n".repeat(3) + "x".repeat(998) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            SmtpClientSession s = Smtp.send(NET, "127.0.0.1", server.port(), 5000, "client.test", "a@c", List.of("b@mx.test"), msg);
            assertTrue(s.delivered(), s.result() + " " + s.transcript());
            assertArrayEquals(msg, Files.readAllBytes(store.dir().resolve("1.eml")));
            assertEquals("MAIL FROM:<a@c>\nRCPT TO:<b@mx.test>\n", Files.readString(store.dir().resolve("1.envelope")));
        }
    }

    @Test void ftpDownloadsPassiveAndActiveIntact() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("ftp"));
        byte[] data = new byte[3_000_000];
        new Random(7).nextBytes(data);
        Files.write(root.resolve("big.bin"), data);
        try (Server server = new Server("ftp", NET.listen(0, 8), 4, 5000, log::add,
                Ftp.server(root, FtpServerSession.Config.ANONYMOUS, NET))) {
            for (boolean active : new boolean[] {false, true}) {
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                Ftp.Download d = Ftp.retrieve(NET, "127.0.0.1", server.port(), "anonymous", "x@y", "big.bin", active, false, got);
                assertEquals(data.length, d.bytes(), d.transcript().toString());
                assertEquals(sha(data), sha(got.toByteArray()), active ? "active" : "passive");
                assertTrue(d.transcript().stream().anyMatch(l -> l.startsWith(active ? "C: EPRT" : "C: EPSV")), d.transcript().toString());
            }
            ByteArrayOutputStream listing = new ByteArrayOutputStream();
            Ftp.retrieve(NET, "127.0.0.1", server.port(), "anonymous", "x@y", "/", false, true, listing);
            assertTrue(listing.toString(StandardCharsets.UTF_8).contains(" big.bin\r\n"), listing.toString());
        }
    }

    @Test void connectionsOverTheCapAreClosedAndCounted() throws Exception {
        try (Server server = new Server("smtp", NET.listen(0, 8), 1, 5000, log::add,
                Smtp.server("mx.test", (f, t, m) -> null, SmtpServerSession.Limits.DEFAULT))) {
            try (Network.Connection held = NET.connect("127.0.0.1", server.port(), 5000)) {
                assertTrue(new String(held.input().readNBytes(4), StandardCharsets.ISO_8859_1).startsWith("220"));
                try (Network.Connection second = NET.connect("127.0.0.1", server.port(), 5000)) {
                    second.setReadTimeout(5000);
                    assertEquals(-1, second.input().read(), "closed at once");
                }
                assertEquals(1, server.refused());
            }
        }
        assertTrue(log.stream().anyMatch(l -> l.contains("connection limit")), log.toString());
    }

    static String sha(byte[] b) throws Exception { return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)); }
}
