package org.netstack4j.apps.dns;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.netstack4j.apps.RealPeersTest;
import org.netstack4j.apps.net.JavaNetwork;
import org.netstack4j.apps.net.Network;
import org.netstack4j.time.Time;

/** Our DNS server asked by dig, our resolver asking dnsmasq and our own server, on loopback. */
class DnsPeersTest {
    static final Network NET = new JavaNetwork(InetAddress.getLoopbackAddress());
    final List<String> log = new ArrayList<>();

    static Authority authority() throws Exception {
        StringBuilder zone = new StringBuilder(AuthorityTest.ZONE);
        for (int i = 0; i < 8; i++) zone.append("huge IN TXT \"").append(String.valueOf(i).repeat(200)).append("\"\n");
        return new Authority(List.of(Zone.parse(zone.toString(), null)));
    }

    static String dig(int port, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", String.valueOf(port), "+time=2", "+tries=1"));
        cmd.addAll(List.of(args));
        return RealPeersTest.runOut(cmd, 30);
    }

    @Test void digAsksOurServerOverUdpAndTcp() throws Exception {
        RealPeersTest.need("dig");
        try (Dns.Running server = Dns.serve(NET, 0, authority(), 8, log::add)) {
            int p = server.port();
            assertTrue(dig(p, "+short", "www.example.test", "A").contains("10.7.0.2"));
            assertTrue(dig(p, "+short", "+tcp", "www.example.test", "AAAA").contains("fd00:7::2"));
            String mx = dig(p, "example.test", "MX");
            assertTrue(mx.contains("status: NOERROR") && mx.contains("flags: qr aa rd") && mx.contains("10 mail.example.test."), mx);
            assertTrue(mx.contains("mail.example.test.\t3600\tIN\tA\t10.7.0.3"), "additional section: " + mx);
            String nx = dig(p, "nope.example.test", "A");
            assertTrue(nx.contains("status: NXDOMAIN") && nx.contains("SOA"), nx);
            String big = dig(p, "+noedns", "huge.example.test", "TXT");
            assertTrue(big.contains("Truncated, retrying in TCP mode") && big.contains("ANSWER: 8"), big);
            assertTrue(server.tcp().accepted() >= 2, "dig used TCP for +tcp and after TC");
        }
    }

    @Test void ourClientAsksOurServer() throws Exception {
        try (Dns.Running server = Dns.serve(NET, 0, authority(), 8, log::add)) {
            Resolver r = new Resolver(new Resolver.Config(List.of(InetAddress.getLoopbackAddress()), server.port(), Time.s(2), 2, 64, 86_400), 5);
            Dns.Client c = new Dns.Client(NET, r);
            var a = assertInstanceOf(Resolver.Result.Answer.class, c.lookup(DnsName.parse("alias.example.test"), DnsType.A));
            assertEquals("10.7.0.2", a.records().getFirst().data().toString());
            var big = assertInstanceOf(Resolver.Result.Answer.class, c.lookup(DnsName.parse("huge.example.test"), DnsType.TXT));
            assertEquals(8, big.records().size());
            assertEquals(1, r.stats().tcpFallbacks());
            assertInstanceOf(Resolver.Result.NxDomain.class, c.lookup(DnsName.parse("nope.example.test"), DnsType.A));
        }
    }

    @Test void ourClientAsksDnsmasq() throws Exception {
        RealPeersTest.need("dnsmasq");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "dnsmasq needs root here");
        int port = RealPeersTest.freePort();
        Process d = new ProcessBuilder("dnsmasq", "--no-daemon", "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces",
                "--no-resolv", "--no-hosts", "--host-record=web.test,10.7.0.5,fd00::5", "--mx-host=test,mail.test,10",
                "--txt-record=t.test,hello", "--local=/test/", "--local-ttl=60").redirectErrorStream(true).start();
        try {
            Resolver r = new Resolver(new Resolver.Config(List.of(InetAddress.getLoopbackAddress()), port, Time.ms(500), 10, 64, 86_400), 6);
            Dns.Client c = new Dns.Client(NET, r);
            var a = assertInstanceOf(Resolver.Result.Answer.class, c.lookup(DnsName.parse("web.test"), DnsType.A), "dnsmasq answered");
            assertEquals("10.7.0.5", a.records().getFirst().data().toString());
            var six = assertInstanceOf(Resolver.Result.Answer.class, c.lookup(DnsName.parse("web.test"), DnsType.AAAA));
            assertEquals("fd00:0:0:0:0:0:0:5", six.records().getFirst().data().toString());
            var mx = assertInstanceOf(Resolver.Result.Answer.class, c.lookup(DnsName.parse("test"), DnsType.MX));
            assertEquals("10 mail.test.", mx.records().getFirst().data().toString());
            assertInstanceOf(Resolver.Result.NxDomain.class, c.lookup(DnsName.parse("none.test"), DnsType.A));
            assertTrue(((Resolver.Result.Answer) c.lookup(DnsName.parse("web.test"), DnsType.A)).fromCache());
        } finally {
            d.destroy();
            d.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
