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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.netstack4j.apps.dns.Dns;
import org.netstack4j.apps.net.NetstackNetwork;
import org.netstack4j.linux.LinuxNet;
import org.netstack4j.linux.TunHost;

/**
 * {@code serve --dns/--smtp/--ftp}'s services (the same {@link AppServices}) on netstack4j over a
 * real TUN, against the kernel's clients in a network namespace this test creates (as
 * {@link TunInteropTest}): dig over UDP and TCP (and a truncated answer retried over TCP), swaks
 * delivering plain, pipelined and dot-stuffed mail stored byte for byte, curl downloading and
 * listing by FTP in passive and active ({@code -P -}: netstack4j connects back) mode; and the
 * other way, netstack4j's resolver (what {@code resolve}, {@code get --dns} and {@code mail send}
 * use) asking a real dnsmasq on the kernel's side. Needs root, /dev/net/tun, ip, dig, swaks, curl
 * and dnsmasq; skips with the reason otherwise.
 */
class AppsTunInteropTest {
    private static final String KERNEL = "10.213.17.1";
    private static final String US = "10.213.17.2";
    static final String ZONE = """
            $ORIGIN example.test.
            $TTL 300
            @     IN SOA ns hostmaster 1 7200 3600 1209600 60
                  IN NS ns
                  IN MX 10 mail
            ns    IN A 10.213.17.2
            mail  IN A 10.213.17.2
            www   IN A 10.213.17.2
                  IN AAAA fd00:17::2
            alias IN CNAME www
            """;

    private static String ns;
    private static Path dir;
    private static TunHost host;
    private static AppServices services;
    private static final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        String why = LinuxNet.whyUnavailable();
        org.junit.jupiter.api.Assumptions.assumeTrue(why == null, "apps TUN tests need a real TUN: " + why);
        dir = Files.createTempDirectory("nsj-apps");
        StringBuilder zone = new StringBuilder(ZONE);
        for (int i = 0; i < 8; i++) zone.append("huge IN TXT \"").append(String.valueOf(i).repeat(200)).append("\"\n");
        Files.writeString(dir.resolve("zone.txt"), zone);
        Path pub = Files.createDirectory(dir.resolve("pub"));
        byte[] data = new byte[2 << 20];
        new Random(17).nextBytes(data);
        Files.write(pub.resolve("data.bin"), data);

        long pid = ProcessHandle.current().pid();
        ns = "nsj-apps-" + pid;
        LinuxNet.netnsAdd(ns);
        LinuxNet.linkUp(ns, "lo");
        host = TunHost.builder("nsja" + pid % 100000).address(US + "/24").hostAddress(KERNEL + "/24").netns(ns).seed(17).open();
        services = AppServices.start(new NetstackNetwork(host.net()),
                new AppServices.Plan(dir.resolve("zone.txt"), 53, dir.resolve("mail"), 25, pub, 21), US, log::add);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (services != null) {
            System.out.println("[apps] " + services.summary());
            services.close();
        }
        if (host != null) host.close();
        if (ns != null) LinuxNet.netnsDeleteQuietly(ns);
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Runs a command in the namespace: {exit code or "timeout", merged output}. */
    private static String[] inNs(int timeoutSeconds, String... cmd) throws Exception {
        List<String> full = new ArrayList<>(List.of(LinuxNet.ipCommand(), "netns", "exec", ns));
        full.addAll(List.of(cmd));
        Path out = Files.createTempFile(dir, "cmd", ".log");
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            return new String[] {"timeout", Files.readString(out)};
        }
        return new String[] {Integer.toString(p.exitValue()), Files.readString(out)};
    }

    private static String ok(int timeoutSeconds, String... cmd) throws Exception {
        String[] r = inNs(timeoutSeconds, cmd);
        assertEquals("0", r[0], String.join(" ", cmd) + ": " + r[1] + "\nserver log: " + log);
        return r[1];
    }

    private static String sha(byte[] b) throws Exception { return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)); }

    @Test
    void digAsksServeDnsOverUdpAndTcp() throws Exception {
        String dig = Tools.require("dig", "bind9-dnsutils");
        String[] base = {dig, "@" + US, "+time=2", "+tries=2"};
        assertEquals("10.213.17.2", ok(30, concat(base, "+short", "www.example.test", "A")).strip());
        assertEquals("fd00:17::2", ok(30, concat(base, "+short", "+tcp", "www.example.test", "AAAA")).strip());
        String alias = ok(30, concat(base, "+short", "alias.example.test", "A"));
        assertTrue(alias.contains("www.example.test.") && alias.contains("10.213.17.2"), alias);
        String mx = ok(30, concat(base, "example.test", "MX"));
        assertTrue(mx.contains("status: NOERROR") && mx.contains("flags: qr aa") && mx.contains("10 mail.example.test."), mx);
        String nx = ok(30, concat(base, "nope.example.test", "A"));
        assertTrue(nx.contains("status: NXDOMAIN") && nx.contains("SOA"), nx);
        String big = ok(30, concat(base, "+noedns", "huge.example.test", "TXT"));
        assertTrue(big.contains("Truncated, retrying in TCP mode") && big.contains("ANSWER: 8"), big);
        assertTrue(services.dns().tcp().accepted() >= 2, "dig used TCP for +tcp and after TC");
    }

    @Test
    void swaksDeliversToServeSmtp() throws Exception {
        String swaks = Tools.require("swaks", "swaks");
        String[] bodies = {"From: a@c\r\nSubject: plain\r\n\r\nhello", "From: a@c\r\nSubject: dots\r\n\r\n.\r\n..\r\n.x\r\nend",
                "From: a@c\r\nSubject: longer\r\n\r\n" + "0123456789 abcdefghij\r\n".repeat(20_000) + "last"};
        Path mail = dir.resolve("mail");
        int n = (int) Files.list(mail).filter(p -> p.toString().endsWith(".eml")).count();
        for (String body : bodies) {
            for (boolean pipeline : new boolean[] {false, true}) {
                Path f = Files.writeString(dir.resolve("m" + n + ".txt"), body, StandardCharsets.ISO_8859_1);
                List<String> cmd = new ArrayList<>(List.of(swaks, "--server", US, "--port", "25", "--from", "a@c", "--to", "b@example.test",
                        "--data", "@" + f, "--silent", "2"));
                if (pipeline) cmd.add("--pipeline");
                ok(120, cmd.toArray(String[]::new));
                n++;
                // swaks ends the data with CR LF . CR LF after the file's last byte
                assertArrayEquals((body + "\r\n").getBytes(StandardCharsets.ISO_8859_1), Files.readAllBytes(mail.resolve(n + ".eml")),
                        "message " + n + " stored byte for byte" + (pipeline ? " (pipelined)" : ""));
                assertEquals("MAIL FROM:<a@c>\nRCPT TO:<b@example.test>\n", Files.readString(mail.resolve(n + ".envelope")));
            }
        }
    }

    @Test
    void curlDownloadsFromServeFtpPassiveAndActive() throws Exception {
        String curl = Tools.require("curl", "curl");
        byte[] data = Files.readAllBytes(dir.resolve("pub/data.bin"));
        Path passive = dir.resolve("passive.bin"), active = dir.resolve("active.bin");
        ok(60, curl, "-sS", "--max-time", "50", "-o", passive.toString(), "ftp://" + US + "/data.bin");
        assertEquals(sha(data), sha(Files.readAllBytes(passive)), "passive (EPSV) download intact");
        // -P -: curl sends EPRT/PORT with the control connection's address; netstack4j connects back to it
        String v = ok(60, curl, "-v", "-sS", "--max-time", "50", "-P", "-", "-o", active.toString(), "ftp://" + US + "/data.bin");
        assertTrue(v.contains("EPRT") || v.contains("PORT "), v);
        assertEquals(sha(data), sha(Files.readAllBytes(active)), "active download intact");
        String list = ok(30, curl, "-sS", "--max-time", "20", "ftp://" + US + "/");
        assertTrue(list.contains("data.bin"), list);
        String activeList = ok(30, curl, "-sS", "--max-time", "20", "-P", "-", "ftp://" + US + "/");
        assertTrue(activeList.contains("data.bin"), activeList);
        String[] escape = inNs(30, curl, "-sS", "--max-time", "20", "ftp://" + US + "/../../etc/passwd");
        assertNotEquals("0", escape[0], "no path leads out of the root: " + escape[1]);
    }

    @Test
    void ourResolverAsksDnsmasqThroughTheTun() throws Exception {
        String dnsmasq = Tools.require("dnsmasq", "dnsmasq");
        List<String> cmd = new ArrayList<>(List.of(LinuxNet.ipCommand(), "netns", "exec", ns, dnsmasq, "--no-daemon", "--port=53",
                "--listen-address=" + KERNEL, "--bind-interfaces", "--no-resolv", "--no-hosts", "--host-record=web.test," + KERNEL,
                "--mx-host=test,mail.test,10", "--host-record=mail.test,10.213.17.25", "--local=/test/", "--pid-file=" + dir.resolve("dnsmasq.pid")));
        Process d = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("dnsmasq.log").toFile()).start();
        try {
            DnsOption.Server server = DnsOption.parse(KERNEL);
            NetstackNetwork net = new NetstackNetwork(host.net());
            IOException last = null;
            List<String> web = null;
            for (int i = 0; i < 20 && web == null; i++) { // dnsmasq needs a moment to bind
                try {
                    web = DnsOption.client(net, server, i).addresses("web.test");
                } catch (IOException e) {
                    last = e;
                    assertTrue(d.isAlive(), () -> "dnsmasq died: " + read(dir.resolve("dnsmasq.log")));
                }
            }
            IOException why = last;
            assertNotNull(web, () -> "dnsmasq never answered: " + why + " " + read(dir.resolve("dnsmasq.log")));
            assertEquals(KERNEL, GetCommand.ipv4(web, "web.test").toString(), "what get http://web.test/ --dns connects to");
            Dns.Client c = DnsOption.client(net, server, 99);
            assertEquals(List.of("10.213.17.25"), org.netstack4j.apps.smtp.Smtp.mailHosts(c, "test"), "what mail send --dns finds");
            assertThrows(java.net.UnknownHostException.class, () -> c.addresses("none.test"));
        } finally {
            d.destroy();
            d.waitFor(5, TimeUnit.SECONDS);
            d.destroyForcibly();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
