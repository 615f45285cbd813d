package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** serve --dns/--smtp/--ftp, resolve, mail send and get ftp://: misuse is one clear line and exit status 2, before any TUN is opened. */
class AppsCommandsUsageTest {
    @TempDir Path tmp;

    private static void misuse(String expected, String... args) {
        Cli r = Cli.run(args);
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
        assertTrue(r.err().strip().lines().count() <= 2, "one line (and where to get help): " + r.err());
        assertEquals("", r.out());
    }

    private static final String[] TUN = {"--tun", "nsjx0", "--address", "10.7.0.2/24"};

    private static String[] with(String... args) {
        String[] r = java.util.Arrays.copyOf(args, args.length + TUN.length);
        System.arraycopy(TUN, 0, r, args.length, TUN.length);
        return r;
    }

    @Test
    void serveAppServices() throws Exception {
        misuse("name a service", with("serve"));
        Path bad = Files.writeString(tmp.resolve("bad.zone"), "$ORIGIN example.test.\nwww IN A 10.1.2\n");
        misuse("--dns: " + bad + ": line 2", with("serve", "--dns", bad.toString()));
        misuse("--dns: cannot read zone file", with("serve", "--dns", tmp.resolve("missing.zone").toString()));
        misuse("--ftp: /nonexistent-dir is not a directory", with("serve", "--ftp", "/nonexistent-dir"));
        Path file = Files.writeString(tmp.resolve("file"), "x");
        misuse("--smtp: " + file + " is not a directory", with("serve", "--smtp", file.toString()));
        misuse("--dns-port", with("serve", "--ftp", tmp.toString(), "--dns-port", "0"));
        misuse("use --dns-port, --smtp-port or --ftp-port", with("serve", "--ftp", tmp.toString(), "--port", "2121"));
        Path users = Files.writeString(tmp.resolve("users"), "# accounts\nalice:pbkdf2-sha256:100:AAAAAAAAAAA=:AAAA\n");
        misuse("--ftp-users: " + users + ": line 2: ITERATIONS must be from 10000", with("serve", "--ftp", tmp.toString(), "--ftp-users", users.toString()));
        misuse("--ftp-users: cannot read", with("serve", "--ftp", tmp.toString(), "--ftp-users", tmp.resolve("none").toString()));
        misuse("--ftp-users needs --ftp DIR", with("serve", "--smtp", tmp.toString(), "--ftp-users", users.toString()));
        misuse("--netns: no network namespace nsj-none-17", with("serve", "--ftp", tmp.toString(), "--netns", "nsj-none-17"));
    }

    @Test
    void resolve() {
        misuse("--dns", with("resolve", "www.example.test"));
        misuse("unknown record type 'BOGUS'", with("resolve", "www.example.test", "BOGUS", "--dns", "10.7.0.1"));
        misuse("two types given", with("resolve", "www.example.test", "A", "--type", "MX", "--dns", "10.7.0.1"));
        misuse("--dns wants the DNS server's address", with("resolve", "www.example.test", "--dns", "ns.example.test"));
        misuse("--dns: bad port", with("resolve", "www.example.test", "--dns", "10.7.0.1:99999"));
        misuse("is not a DNS name", with("resolve", "a..b", "--dns", "10.7.0.1"));
    }

    @Test
    void mailSend() throws Exception {
        Path msg = Files.writeString(tmp.resolve("m.eml"), "Subject: hi\r\n\r\nhello\r\n");
        misuse("give --server HOST, or --dns ADDR", with("mail", "send", msg.toString(), "--to", "b@example.test"));
        misuse("--to: 'bob' is not a mail address", with("mail", "send", msg.toString(), "--to", "bob", "--server", "10.7.0.1"));
        misuse("no such file", with("mail", "send", tmp.resolve("none.eml").toString(), "--to", "b@x.test", "--server", "10.7.0.1"));
        misuse("is a name: give --dns ADDR", with("mail", "send", msg.toString(), "--to", "b@x.test", "--server", "mx.x.test"));
        misuse("missing subcommand", "mail");
    }

    @Test
    void getFtpAndNames() {
        misuse("no DNS server was given", with("get", "ftp://files.example.test/a"));
        misuse("--active is for ftp:// URLs", with("get", "http://10.7.0.1/", "--active"));
        misuse("bad port", with("get", "ftp://10.7.0.1:0/a"));
        misuse("neither an IPv4 address nor a host name", with("get", "http://10.7.0/"));
    }

    @Test
    void urlsAndServerAddresses() {
        GetCommand.FtpUrl f = GetCommand.FtpUrl.parse("ftp://bob:s%40cret@10.7.0.1:2121/pub/a%20b.iso");
        assertEquals("bob", f.user());
        assertEquals("s@cret", f.password());
        assertEquals("10.7.0.1", f.host());
        assertEquals(2121, f.port());
        assertEquals("/pub/a b.iso", f.path());
        assertFalse(f.listing());
        GetCommand.FtpUrl anon = GetCommand.FtpUrl.parse("FTP://[fd00::1]/pub/");
        assertEquals("anonymous", anon.user());
        assertEquals("fd00::1", anon.host());
        assertEquals(21, anon.port());
        assertTrue(anon.listing());
        assertEquals("ftp://[fd00::1]/pub/", anon.toString());

        HttpGet.Url named = HttpGet.Url.parse("http://www.example.test:8080/x");
        assertNull(named.host());
        assertEquals("www.example.test", named.name());
        HttpGet.Url r = named.resolved(org.netstack4j.wire.Ipv4Address.parse("10.7.0.9"));
        assertEquals("10.7.0.9", r.host().toString());
        assertEquals("www.example.test:8080", r.hostHeader(), "the Host header keeps the name");

        assertEquals(new DnsOption.Server(java.net.InetAddress.getLoopbackAddress(), 5353), DnsOption.parse("127.0.0.1:5353"));
        assertEquals(53, DnsOption.parse("fd00::53").port());
        assertEquals(5353, DnsOption.parse("[fd00::53]:5353").port());
    }
}
