package org.netstack4j.apps;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
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

/**
 * The protocol code against the real programs people use, on loopback: swaks and curl as clients
 * of our SMTP and FTP servers, vsftpd and aiosmtpd as servers for our clients. (The same servers
 * and clients run on netstack4j's sockets over TUN in the CLI tests.) A missing tool skips the
 * test with its name, except in CI (CI=true), where the install script must have provided it.
 */
public class RealPeersTest {
    static final Network NET = new JavaNetwork(InetAddress.getLoopbackAddress());
    final List<String> log = new ArrayList<>();
    @TempDir Path tmp;

    public static void need(String tool) {
        boolean present = Files.isExecutable(Path.of(tool)) || List.of("/usr/bin", "/usr/sbin", "/bin").stream()
                .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
        if (!present && "true".equals(System.getenv("CI"))) fail(tool + " is missing in CI: scripts/install-deps.sh should install it");
        Assumptions.assumeTrue(present, tool + " is not installed (scripts/install-deps.sh installs it as root)");
    }

    public static String runOut(List<String> cmd, int timeoutS) throws Exception { return run(cmd, timeoutS); }

    static String run(List<String> cmd, int timeoutS) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(timeoutS, TimeUnit.SECONDS), "timed out: " + cmd);
        String s = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), cmd + " failed:\n" + s);
        return s;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) { return s.getLocalPort(); }
    }

    @Test void swaksDeliversPlainPipelinedBigAndDotStuffedMail() throws Exception {
        need("swaks");
        MailStore store = new MailStore(tmp.resolve("mail"));
        try (Server server = new Server("smtp", NET.listen(0, 8), 8, 30_000, log::add,
                Smtp.server("mx.test", store, SmtpServerSession.Limits.DEFAULT))) {
            StringBuilder big = new StringBuilder("From: a@c\r\nSubject: big\r\n\r\n");
            Random r = new Random(3);
            while (big.length() < 10_000_000) {
                int n = r.nextInt(200);
                StringBuilder line = new StringBuilder(r.nextInt(10) == 0 ? "." : "");
                // Printable ASCII but the backslash and percent sign, which swaks itself rewrites (escapes, %TOKENS%).
                for (int i = 0; i < n; i++) line.append("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,;:!?'()[]{}<>=+-_*/#&@~".charAt(r.nextInt(88)));
                big.append(line).append("\r\n");
            }
            // swaks ends the data with CR LF . CR LF after the file's last byte, so the file has no final line end.
            String[] bodies = {"From: a@c\r\nSubject: plain\r\n\r\nhello", "From: a@c\r\nSubject: dots\r\n\r\n.\r\n..\r\n.x\r\nend",
                    big.substring(0, big.length() - 2)};
            int n = 0;
            for (String body : bodies) {
                for (boolean pipeline : new boolean[] {false, true}) {
                    Path f = tmp.resolve("m" + n + ".eml");
                    Files.writeString(f, body, StandardCharsets.ISO_8859_1);
                    List<String> cmd = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port", String.valueOf(server.port()),
                            "--from", "a@c", "--to", "b@mx.test", "--data", "@" + f, "--silent", "2"));
                    if (pipeline) cmd.add("--pipeline");
                    run(cmd, 120);
                    n++;
                    assertArrayEquals((body + "\r\n").getBytes(StandardCharsets.ISO_8859_1), Files.readAllBytes(store.dir().resolve(n + ".eml")),
                            "message " + n + " stored byte for byte" + (pipeline ? " (pipelined)" : ""));
                }
            }
        }
    }

    @Test void curlDownloadsAndListsFromOurFtpServerPassiveAndActive() throws Exception {
        need("curl");
        Path root = Files.createDirectories(tmp.resolve("ftp"));
        byte[] data = new byte[5_000_000];
        new Random(9).nextBytes(data);
        Files.write(root.resolve("data.bin"), data);
        Files.writeString(root.resolve("notes.txt"), "line one\nline two\n");
        try (Server server = new Server("ftp", NET.listen(0, 8), 8, 30_000, log::add,
                Ftp.server(root, FtpServerSession.Config.ANONYMOUS, NET))) {
            String base = "ftp://127.0.0.1:" + server.port() + "/";
            Path out = tmp.resolve("got.bin");
            run(List.of("curl", "-sS", "-o", out.toString(), base + "data.bin"), 60);
            assertArrayEquals(data, Files.readAllBytes(out), "passive (EPSV)");
            Files.delete(out);
            run(List.of("curl", "-sS", "--ftp-port", "127.0.0.1", "-o", out.toString(), base + "data.bin"), 60);
            assertArrayEquals(data, Files.readAllBytes(out), "active (EPRT/PORT: the server connects back)");
            String list = run(List.of("curl", "-sS", base), 30);
            assertTrue(list.contains("data.bin") && list.contains("notes.txt"), list);
            Files.write(out, java.util.Arrays.copyOf(data, 1000)); // a download cut short after 1000 bytes
            run(List.of("curl", "-sS", "-o", out.toString(), "-C", "-", base + "data.bin"), 60);
            assertArrayEquals(data, Files.readAllBytes(out), "resumed with REST 1000 then RETR");
            String ascii = run(List.of("curl", "-sS", "--use-ascii", base + "notes.txt"), 30);
            assertEquals("line one\r\nline two\r\n".replace("\r\n", System.lineSeparator()).length(), ascii.replace("\r\n", "\n").length());
        }
    }

    @Test void ourFtpClientDownloadsFromVsftpdPassiveAndActive() throws Exception {
        need("vsftpd");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "vsftpd needs root");
        Path root = Files.createDirectories(tmp.resolve("anon"));
        byte[] data = new byte[4_000_000];
        new Random(11).nextBytes(data);
        Files.write(root.resolve("file.bin"), data);
        Files.createDirectories(Path.of("/var/run/vsftpd/empty"));
        int port = freePort();
        Path conf = tmp.resolve("vsftpd.conf");
        Files.writeString(conf, String.join("\n",
                "listen=YES", "listen_ipv6=NO", "listen_address=127.0.0.1", "listen_port=" + port, "background=NO",
                "anonymous_enable=YES", "no_anon_password=YES", "anon_root=" + root, "local_enable=NO", "write_enable=NO",
                "pasv_enable=YES", "port_enable=YES", "connect_from_port_20=NO", "seccomp_sandbox=NO",
                "secure_chroot_dir=/var/run/vsftpd/empty", "xferlog_enable=NO", "") );
        Process vsftpd = new ProcessBuilder("vsftpd", conf.toString()).redirectErrorStream(true).start();
        try {
            waitForPort(port, vsftpd);
            for (boolean active : new boolean[] {false, true}) {
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                Ftp.Download d = Ftp.retrieve(NET, "127.0.0.1", port, "anonymous", "x@y", "file.bin", active, false, got);
                assertArrayEquals(data, got.toByteArray(), (active ? "active" : "passive") + " " + d.transcript());
            }
        } finally {
            vsftpd.destroy();
            vsftpd.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test void ourSmtpClientDeliversToAiosmtpd() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "no /usr/bin/python3");
        Process check = new ProcessBuilder("/usr/bin/python3", "-c", "import aiosmtpd").start();
        boolean present = check.waitFor() == 0;
        if (!present && "true".equals(System.getenv("CI"))) fail("python3-aiosmtpd is missing in CI");
        Assumptions.assumeTrue(present, "python3-aiosmtpd is not installed");
        int port = freePort();
        Path box = tmp.resolve("maildir");
        Process smtpd = new ProcessBuilder("/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + port,
                "-c", "aiosmtpd.handlers.Mailbox", box.toString()).redirectErrorStream(true).start();
        try {
            waitForPort(port, smtpd);
            byte[] msg = "From: a@c\r\nSubject: to aiosmtpd\r\n\r\n.starts with a dot\r\nend\r\n".getBytes(StandardCharsets.ISO_8859_1);
            SmtpClientSession s = Smtp.send(NET, "127.0.0.1", port, 10_000, "client.test", "a@c", List.of("b@d", "e@f"), msg);
            assertTrue(s.delivered(), s.result() + "\n" + String.join("\n", s.transcript()));
            try (var files = Files.walk(box.resolve("new"))) {
                Path f = files.filter(Files::isRegularFile).findFirst().orElseThrow();
                String stored = Files.readString(f, StandardCharsets.ISO_8859_1);
                assertTrue(stored.contains("\n.starts with a dot\n"), "dot-stuffing undone by the real server: " + stored);
                assertTrue(stored.contains("X-RcptTo: b@d, e@f"), stored);
            }
        } finally {
            smtpd.destroy();
            smtpd.waitFor(5, TimeUnit.SECONDS);
        }
    }

    static void waitForPort(int port, Process p) throws Exception {
        for (int i = 0; i < 200; i++) { // bounded: at most 20 s for the server to listen
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                if (!p.isAlive()) fail("server exited: " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                p.waitFor(100, TimeUnit.MILLISECONDS);
            }
        }
        fail("server did not listen on " + port);
    }
}
