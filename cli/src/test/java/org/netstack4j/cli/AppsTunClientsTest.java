package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.netstack4j.linux.LinuxNet;

/**
 * The client commands end to end, each a whole {@code ./netstack4j} run that opens its own TUN
 * with {@code --netns} (the kernel side in a network namespace this test creates), against real
 * servers running in that namespace: {@code get ftp://} from vsftpd in passive and active mode,
 * {@code mail send} to aiosmtpd with the MX looked up through dnsmasq, and {@code get
 * http://NAME:PORT/} with the name resolved through dnsmasq. Files compared by SHA-256, the mail
 * byte for byte. Needs root, /dev/net/tun, ip, dnsmasq, vsftpd and python3 with aiosmtpd; skips
 * with the reason otherwise.
 */
class AppsTunClientsTest {
    private static final String KERNEL = "10.213.27.1";
    private static final String US = "10.213.27.2";

    private static String ns;
    private static Path dir;
    private static final List<Process> servers = new ArrayList<>();
    private static int tuns;

    @BeforeAll
    static void setUp() throws Exception {
        String why = LinuxNet.whyUnavailable();
        org.junit.jupiter.api.Assumptions.assumeTrue(why == null, "apps client TUN tests need a real TUN: " + why);
        dir = Files.createTempDirectory("nsj-appc");
        ns = "nsj-appc-" + ProcessHandle.current().pid();
        LinuxNet.netnsAdd(ns);
        LinuxNet.linkUp(ns, "lo");
        String dnsmasq = Tools.require("dnsmasq", "dnsmasq-base");
        // No --bind-interfaces: dnsmasq listens on the wildcard address, so it answers on each command's new TUN.
        start("dnsmasq", dnsmasq, "--no-daemon", "--port=53", "--no-resolv", "--no-hosts", "--local=/test/",
                "--host-record=web.test," + KERNEL, "--host-record=mail.test," + KERNEL, "--mx-host=mx.test,mail.test,10",
                "--pid-file=" + dir.resolve("dnsmasq.pid"));
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (Process p : servers) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        if (ns != null) LinuxNet.netnsDeleteQuietly(ns);
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Starts a server in the namespace, its output in DIR/NAME.log. */
    private static Process start(String name, String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of(LinuxNet.ipCommand(), "netns", "exec", ns));
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
        servers.add(p);
        return p;
    }

    /** Waits until something listens on TCP {@code port} in the namespace (ss), at most 20 s. */
    private static void waitForListener(int port, Process p, String name) throws Exception {
        for (int i = 0; i < 200; i++) {
            Process ss = new ProcessBuilder(LinuxNet.ipCommand(), "netns", "exec", ns, "ss", "-Htln", "sport", "= :" + port)
                    .redirectErrorStream(true).start();
            String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            ss.waitFor(5, TimeUnit.SECONDS);
            if (out.contains("LISTEN")) return;
            assertTrue(p.isAlive(), () -> name + " exited: " + log(name));
            p.waitFor(100, TimeUnit.MILLISECONDS);
        }
        fail(name + " did not listen on port " + port + ": " + log(name));
    }

    private static String log(String name) {
        try {
            return Files.readString(dir.resolve(name + ".log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** One ./netstack4j command on a new TUN whose kernel side (KERNEL/24) is in the namespace. */
    private static Cli netstack4j(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--tun", "nsjc" + ProcessHandle.current().pid() % 100000 + "x" + tuns++, "--address", US + "/24",
                "--host-address", KERNEL + "/24", "--netns", ns));
        return Cli.run(a.toArray(String[]::new));
    }

    private static String sha(byte[] b) throws Exception { return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)); }

    @Test
    void getFtpDownloadsFromVsftpdPassiveAndActive() throws Exception {
        String vsftpd = Tools.require("vsftpd", "vsftpd");
        Path root = Files.createDirectories(dir.resolve("anon"));
        byte[] data = new byte[3 << 20];
        new Random(27).nextBytes(data);
        Files.write(root.resolve("file.bin"), data);
        Files.createDirectories(Path.of("/var/run/vsftpd/empty"));
        Path conf = dir.resolve("vsftpd.conf");
        Files.writeString(conf, String.join("\n",
                "listen=YES", "listen_ipv6=NO", "listen_port=21", "background=NO",
                "anonymous_enable=YES", "no_anon_password=YES", "anon_root=" + root, "local_enable=NO", "write_enable=NO",
                "pasv_enable=YES", "port_enable=YES", "connect_from_port_20=NO", "seccomp_sandbox=NO",
                "secure_chroot_dir=/var/run/vsftpd/empty", "xferlog_enable=NO", ""));
        Process p = start("vsftpd", vsftpd, conf.toString());
        waitForListener(21, p, "vsftpd");
        for (boolean active : new boolean[] {false, true}) {
            Path out = dir.resolve((active ? "active" : "passive") + ".bin");
            List<String> args = new ArrayList<>(List.of("get", "ftp://" + KERNEL + "/file.bin", "-o", out.toString()));
            if (active) args.add("--active");
            Cli r = netstack4j(args.toArray(String[]::new));
            assertEquals(0, r.status(), r.out() + r.err() + "\nvsftpd: " + log("vsftpd"));
            assertTrue(r.out().contains(active ? "C: EPRT |1|" + US + "|" : "C: EPSV"), r.out());
            assertTrue(r.out().contains("sha256 " + sha(data)), r.out());
            assertEquals(sha(data), sha(Files.readAllBytes(out)), (active ? "active" : "passive") + " download intact");
        }
        Cli list = netstack4j("get", "ftp://" + KERNEL + "/", "-o", dir.resolve("list.txt").toString());
        assertEquals(0, list.status(), list.out() + list.err());
        assertTrue(Files.readString(dir.resolve("list.txt")).contains("file.bin"), "the listing names the file");
    }

    @Test
    void mailSendDeliversToAiosmtpdThroughTheMxDnsmasqGives() throws Exception {
        Path python = Path.of("/usr/bin/python3"); // the system python, where Debian's python3-aiosmtpd goes
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(python), "no /usr/bin/python3");
        Process check = new ProcessBuilder(python.toString(), "-c", "import aiosmtpd").start();
        org.junit.jupiter.api.Assumptions.assumeTrue(check.waitFor() == 0,
                "python3-aiosmtpd is not installed: apt-get install python3-aiosmtpd (scripts/install-deps.sh installs it)");
        Path stored = dir.resolve("received.eml");
        Path envelope = dir.resolve("received.envelope");
        // The message as the server got it after undoing the dot-stuffing (envelope.original_content), nothing added.
        Path script = Files.writeString(dir.resolve("smtpd.py"), """
                import sys, time
                from aiosmtpd.controller import Controller
                class Keep:
                    async def handle_DATA(self, server, session, envelope):
                        open(sys.argv[2], 'wb').write(envelope.original_content)
                        open(sys.argv[3], 'w').write(envelope.mail_from + '\\n' + '\\n'.join(envelope.rcpt_tos) + '\\n')
                        return '250 OK kept'
                c = Controller(Keep(), hostname=sys.argv[1], port=25, data_size_limit=0)
                c.start()
                print('listening', flush=True)
                while True:
                    time.sleep(3600)
                """);
        Process p = start("aiosmtpd", python.toString(), script.toString(), "0.0.0.0", stored.toString(), envelope.toString());
        waitForListener(25, p, "aiosmtpd");
        StringBuilder body = new StringBuilder("From: a@us.test\r\nTo: b@mx.test\r\nSubject: over TUN\r\n\r\n");
        Random r = new Random(27);
        for (int i = 0; body.length() < 1_000_000; i++) // dots at line starts (stuffed on the wire), 8-bit bytes, long lines
            body.append(i % 7 == 0 ? "." : "").append(i % 11 == 0 ? ".." : "").append("line ").append(i).append(' ')
                    .append("x\u00e9".repeat(r.nextInt(300))).append("\r\n");
        byte[] message = body.toString().getBytes(StandardCharsets.ISO_8859_1);
        Path file = Files.write(dir.resolve("out.eml"), message);
        Cli c = netstack4j("mail", "send", file.toString(), "--to", "b@mx.test,c@mx.test", "--from", "a@us.test", "--dns", KERNEL);
        assertEquals(0, c.status(), c.out() + c.err() + "\naiosmtpd: " + log("aiosmtpd") + "\ndnsmasq: " + log("dnsmasq"));
        assertTrue(c.out().contains("MX for mx.test: " + KERNEL), c.out());
        assertTrue(c.out().contains("delivered to " + KERNEL + " port 25"), c.out());
        assertArrayEquals(message, Files.readAllBytes(stored), "the message arrived byte for byte");
        assertEquals("a@us.test\nb@mx.test\nc@mx.test\n", Files.readString(envelope));
    }

    @Test
    void getHttpByNameResolvesThroughDnsmasq() throws Exception {
        Path www = Files.createDirectories(dir.resolve("www"));
        byte[] data = new byte[1 << 20];
        new Random(28).nextBytes(data);
        Files.write(www.resolve("f.bin"), data);
        Process p = start("http", "/usr/bin/python3", "-m", "http.server", "8000", "--bind", "0.0.0.0", "--directory", www.toString());
        waitForListener(8000, p, "http");
        Path out = dir.resolve("f.bin");
        Cli c = netstack4j("get", "http://web.test:8000/f.bin", "--dns", KERNEL, "-o", out.toString());
        assertEquals(0, c.status(), c.out() + c.err() + "\ndnsmasq: " + log("dnsmasq"));
        assertTrue(c.out().contains("web.test is " + KERNEL + " (asked " + KERNEL + ")"), c.out());
        assertEquals(sha(data), sha(Files.readAllBytes(out)), "downloaded intact by name");
        Cli none = netstack4j("get", "http://none.test:8000/f.bin", "--dns", KERNEL);
        assertEquals(1, none.status(), none.out() + none.err());
        assertTrue(none.err().contains("cannot resolve none.test"), none.err());
    }
}
