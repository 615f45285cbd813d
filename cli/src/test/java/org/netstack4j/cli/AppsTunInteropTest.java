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
    private static AppServices services, accounts;
    private static final int IDLE_MS = 3000;
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
        Files.writeString(dir.resolve("secret.txt"), "outside the root\n");
        Files.createSymbolicLink(pub.resolve("escape.txt"), dir.resolve("secret.txt"));
        Path users = Files.writeString(dir.resolve("ftp-users"), "# FTP accounts\n"
                + org.netstack4j.apps.ftp.FtpUsers.line("alice", "s3cret pass", org.netstack4j.apps.ftp.FtpUsers.MIN_ITERATIONS) + "\n");

        long pid = ProcessHandle.current().pid();
        ns = "nsj-apps-" + pid;
        LinuxNet.netnsAdd(ns);
        LinuxNet.linkUp(ns, "lo");
        host = TunHost.builder("nsja" + pid % 100000).address(US + "/24").hostAddress(KERNEL + "/24").netns(ns).seed(17).open();
        services = AppServices.start(new NetstackNetwork(host.net()),
                new AppServices.Plan(dir.resolve("zone.txt"), 53, dir.resolve("mail"), 25, pub, 21, null, IDLE_MS), US, log::add);
        accounts = AppServices.start(new NetstackNetwork(host.net()), new AppServices.Plan(null, 0, null, 0, pub, 2121, users, IDLE_MS), US, log::add);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (services != null) {
            System.out.println("[apps] " + services.summary());
            services.close();
        }
        if (accounts != null) accounts.close();
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
        StringBuilder big = new StringBuilder("From: a@c\r\nSubject: 10 MB\r\n\r\n");
        Random r = new Random(17);
        String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,;:!?'()[]{}<>=+-_*/#&@~"; // not \ or %: swaks rewrites them
        while (big.length() < 10_000_000) { // lines of 0-199 characters, one in ten starting with a dot (stuffed on the wire)
            if (r.nextInt(10) == 0) big.append('.');
            for (int i = r.nextInt(200); i > 0; i--) big.append(chars.charAt(r.nextInt(chars.length())));
            big.append("\r\n");
        }
        big.append("last");
        String[] bodies = {"From: a@c\r\nSubject: plain\r\n\r\nhello", "From: a@c\r\nSubject: dots\r\n\r\n.\r\n..\r\n.x\r\nend", big.toString()};
        Path mail = dir.resolve("mail");
        int n = (int) Files.list(mail).filter(p -> p.toString().endsWith(".eml")).count();
        for (String body : bodies) {
            for (boolean pipeline : body.length() > 1_000_000 ? new boolean[] {true} : new boolean[] {false, true}) {
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
    void curlLogsInWithAnFtpAccount() throws Exception {
        String curl = Tools.require("curl", "curl");
        byte[] data = Files.readAllBytes(dir.resolve("pub/data.bin"));
        Path got = dir.resolve("account.bin");
        ok(60, curl, "-sS", "--max-time", "50", "-o", got.toString(), "ftp://alice:s3cret%20pass@" + US + ":2121/data.bin");
        assertEquals(sha(data), sha(Files.readAllBytes(got)), "the account's download intact");
        String[] wrong = inNs(30, curl, "-sS", "--max-time", "20", "ftp://alice:wrong@" + US + ":2121/");
        assertEquals("67", wrong[0], "curl: login denied (67): " + wrong[1]);
        String[] anon = inNs(30, curl, "-sS", "--max-time", "20", "ftp://" + US + ":2121/");
        assertNotEquals("0", anon[0], "anonymous is off with --ftp-users: " + anon[1]);
    }

    /**
     * Slow clients (silent on SMTP and FTP, half a length prefix on DNS over TCP) are held open
     * while good clients are served, then closed by the idle timeouts; malformed, oversized and
     * path-escaping requests get their error replies, too many errors end a session with 421, and
     * each of those events is one log line without control characters.
     */
    @Test
    void hostileClientsDoNotStopTheServers() throws Exception {
        String python = Tools.require("python3", "python3");
        String dig = Tools.require("dig", "bind9-dnsutils");
        String swaks = Tools.require("swaks", "swaks");
        String curl = Tools.require("curl", "curl");
        Path script = Files.writeString(dir.resolve("hostile.py"), HOSTILE);
        List<String> cmd = List.of(LinuxNet.ipCommand(), "netns", "exec", ns, python, script.toString(), US);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> results = new ArrayList<>();
        String line;
        while ((line = out.readLine()) != null && !line.equals("holding")) results.add(line);
        assertEquals("holding", line, "the script opened its slow connections: " + results);
        // While the slow and hostile clients are connected, good clients are served.
        long t0 = System.nanoTime();
        assertEquals("10.213.17.2", ok(30, dig, "@" + US, "+time=2", "+tries=2", "+short", "www.example.test", "A").strip());
        assertEquals("10.213.17.2", ok(30, dig, "@" + US, "+time=2", "+tries=2", "+short", "+tcp", "www.example.test", "A").strip());
        ok(30, swaks, "--server", US, "--from", "a@c", "--to", "b@example.test", "--silent", "2");
        assertTrue(ok(30, curl, "-sS", "--max-time", "20", "ftp://" + US + "/").contains("data.bin"));
        double goodSeconds = (System.nanoTime() - t0) / 1e9;
        while ((line = out.readLine()) != null) results.add(line);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String all = String.join("\n", results);
        assertEquals(0, p.exitValue(), all);
        System.out.printf(java.util.Locale.ROOT, "[apps] good clients served in %.2f s beside the hostile ones; %s%n", goodSeconds, all.replace('\n', ' '));
        java.util.Map<String, String> r = new java.util.HashMap<>();
        for (String l : results) if (l.contains("=")) r.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
        assertEquals("1", r.get("dns_loop_rcode"), "a compression loop gets FORMERR: " + all);
        assertEquals("0", r.get("dns_after_garbage_rcode"), "a good query after the garbage is answered: " + all);
        assertTrue(r.get("smtp_long_line").startsWith("500 5.5.2 Line too long"), all);
        assertTrue(r.get("smtp_size").startsWith("552"), all);
        assertTrue(r.get("smtp_end").startsWith("421") && r.get("smtp_end").endsWith("EOF"), all);
        assertTrue(r.get("ftp_dotdot").startsWith("550"), "RETR ../../etc/passwd: " + all);
        assertEquals("257 \"/\" is the current directory", r.get("ftp_pwd_after_cdup"), all);
        assertTrue(r.get("ftp_symlink").startsWith("550"), "RETR of a link out of the root: " + all);
        assertTrue(r.get("ftp_bounce").startsWith("500 Illegal PORT"), "PORT to another host: " + all);
        assertTrue(r.get("ftp_end").startsWith("421") && r.get("ftp_end").endsWith("EOF"), all);
        for (String slow : new String[] {"smtp", "ftp"}) {
            double secs = Double.parseDouble(r.get("slow_" + slow + "_closed_after"));
            assertTrue(secs >= IDLE_MS / 1000.0 - 0.2 && secs < IDLE_MS / 1000.0 + 5, slow + " slow client closed after " + secs + " s");
        }
        double dnsSecs = Double.parseDouble(r.get("slow_dns_closed_after"));
        assertTrue(dnsSecs >= 9.8 && dnsSecs < 16, "DNS over TCP slow client closed after its 10 s idle timeout: " + dnsSecs);
        List<String> lines = List.copyOf(log);
        for (String l : lines) assertTrue(l.chars().allMatch(c -> c >= ' ' && c != 0x7f), "no control characters in the log: " + l);
        for (String event : new String[] {"smtp: " + KERNEL + " idle for " + IDLE_MS + " ms, closed", "ftp: " + KERNEL + " idle for " + IDLE_MS + " ms, closed",
                "dns-tcp: " + KERNEL + " idle for 10000 ms, closed", "smtp: " + KERNEL + " too many errors (10), closed after 421",
                "ftp: " + KERNEL + " too many errors (20), closed after 421"})
            assertEquals(1, lines.stream().filter(event::equals).count(), "one log line '" + event + "' in " + lines);
        assertFalse(Files.exists(dir.resolve("mail/escape.txt")));
    }

    /** The hostile client, run in the namespace; prints key=value results and "holding" once its slow connections are open. */
    private static final String HOSTILE = """
            import os, socket, struct, sys, time
            us = sys.argv[1]
            def conn(port):
                return socket.create_connection((us, port), timeout=30)
            def line(f):
                return f.readline().decode('latin-1').rstrip('\\r\\n')
            def reply(f):  # the last line of a (multi-line) reply
                l = line(f)
                while len(l) > 3 and l[3] == '-':
                    l = line(f)
                return l
            def flood(s, bad):  # one bad command at a time until the 421 (sent with the last error reply), then the close
                for i in range(50):
                    s.sendall(bad)
                    got = b''
                    while not got.endswith(b'\\n'):
                        d = s.recv(4096)
                        if not d:
                            return 'EOF before 421: ' + got.decode('latin-1')
                        got += d
                    if b'\\n421 ' in b'\\n' + got:
                        break
                last = got.decode('latin-1').strip().split('\\r\\n')[-1]
                return last + (' EOF' if not s.recv(4096) else ' and more')
            slow = {}
            for name, port in (('smtp', 25), ('ftp', 21), ('dns', 53)):
                slow[name] = (conn(port), time.monotonic())
            slow['dns'][0].sendall(b'\\x00')  # half a length prefix, then nothing
            print('holding', flush=True)
            # DNS over UDP: garbage, then a compression pointer to itself, then a good query
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.settimeout(3)
            for g in (b'', b'\\x00', b'\\xff' * 12, os.urandom(700), b'\\x12\\x34' + b'\\x00' * 3):
                u.sendto(g, (us, 53))
            u.sendto(struct.pack('!HHHHHH', 0x4242, 0x0100, 1, 0, 0, 0) + b'\\xc0\\x0c' + b'\\x00\\x01\\x00\\x01', (us, 53))
            def answer(qid):
                while True:
                    d = u.recv(4096)
                    if len(d) >= 4 and struct.unpack('!H', d[:2])[0] == qid:
                        return d[3] & 0x0f
            print('dns_loop_rcode=%d' % answer(0x4242), flush=True)
            u.sendto(struct.pack('!HHHHHH', 0x4343, 0x0100, 1, 0, 0, 0) + b'\\x03www\\x07example\\x04test\\x00\\x00\\x01\\x00\\x01', (us, 53))
            print('dns_after_garbage_rcode=%d' % answer(0x4343), flush=True)
            # SMTP: a 100 KB line, an oversized SIZE, then errors with control characters until 421
            s = conn(25); f = s.makefile('rb')
            reply(f)
            s.sendall(b'EHLO hostile\\r\\n'); reply(f)
            s.sendall(b'A' * 100000 + b'\\r\\n'); print('smtp_long_line=' + reply(f), flush=True)
            s.sendall(b'MAIL FROM:<a@b> SIZE=999999999999\\r\\n'); print('smtp_size=' + reply(f), flush=True)
            print('smtp_end=' + flood(s, b'\\x1b[2J\\x00BOGUS\\r\\n'), flush=True)
            # FTP: path escapes, a bounce, then errors until 421
            s = conn(21); f = s.makefile('rb')
            reply(f)
            s.sendall(b'USER anonymous\\r\\n'); reply(f)
            s.sendall(b'PASS x@\\r\\n'); reply(f)
            s.sendall(b'RETR ../../etc/passwd\\r\\n'); print('ftp_dotdot=' + reply(f), flush=True)
            s.sendall(b'CWD ../../..\\r\\n'); reply(f)
            s.sendall(b'PWD\\r\\n'); print('ftp_pwd_after_cdup=' + reply(f), flush=True)
            s.sendall(b'RETR escape.txt\\r\\n'); print('ftp_symlink=' + reply(f), flush=True)
            s.sendall(b'PORT 10,213,17,99,0,25\\r\\n'); print('ftp_bounce=' + reply(f), flush=True)
            print('ftp_end=' + flood(s, b'\\x1b]0;owned\\x07 BOGUS\\r\\n'), flush=True)
            # the slow ones: closed by the servers' idle timeouts
            for name, (c, t0) in slow.items():
                c.settimeout(30)
                while c.recv(4096):
                    pass
                print('slow_%s_closed_after=%.2f' % (name, time.monotonic() - t0), flush=True)
            """;

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
