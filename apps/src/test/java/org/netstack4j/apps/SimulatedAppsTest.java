package org.netstack4j.apps;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.netstack4j.apps.dns.Authority;
import org.netstack4j.apps.dns.Dns;
import org.netstack4j.apps.dns.DnsName;
import org.netstack4j.apps.dns.DnsType;
import org.netstack4j.apps.dns.Resolver;
import org.netstack4j.apps.dns.Zone;
import org.netstack4j.apps.ftp.Ftp;
import org.netstack4j.apps.ftp.FtpServerSession;
import org.netstack4j.apps.net.NetstackNetwork;
import org.netstack4j.apps.smtp.MailStore;
import org.netstack4j.apps.smtp.Smtp;
import org.netstack4j.apps.smtp.SmtpClientSession;
import org.netstack4j.apps.smtp.SmtpServerSession;
import org.netstack4j.device.FaultConfig;
import org.netstack4j.device.Medium;
import org.netstack4j.host.TwoHostNetwork;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.socket.NetStack;
import org.netstack4j.time.Time;

/**
 * DNS, SMTP and FTP between two complete netstack4j hosts on the simulator's link (10.0.0.1 and
 * 10.0.0.2, fd00::1 and fd00::2), driven in real time by an event loop, the applications on
 * blocking threads through {@link NetstackNetwork}. Losses are chosen frames (a DNS query, a
 * SYN) or seeded random loss on the link, so each run loses the same way.
 */
class SimulatedAppsTest {
    static final String ZONE = """
            $ORIGIN sim.test.
            $TTL 300
            @     IN SOA ns hostmaster 1 7200 3600 1209600 60
                  IN NS ns
                  IN MX 10 mx
            ns    IN A 10.0.0.2
            mx    IN A 10.0.0.2
                  IN AAAA fd00::2
            www   IN A 10.0.0.2
            alias IN CNAME www
            """;

    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    final List<String> log = new CopyOnWriteArrayList<>();
    @TempDir Path tmp;
    TwoHostNetwork net;
    EventLoop loop;
    NetstackNetwork client, server;

    @BeforeEach void start() {
        LinkConfig link = LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(Time.ms(1)).build();
        net = TwoHostNetwork.builder().seed(17).link(link).ipv6(true).build();
        loop = EventLoop.start("netstack4j-loop", net.sim(), failures::add);
        client = new NetstackNetwork(NetStack.of(loop, net.client().tcp(), net.client().ip()), 1);
        server = new NetstackNetwork(NetStack.of(loop, net.server().tcp(), net.server().ip()), 2);
    }

    @AfterEach void stop() {
        loop.close();
        net.close();
        assertTrue(failures.isEmpty(), () -> "loop failures: " + failures);
    }

    static Authority authority() throws Exception {
        StringBuilder z = new StringBuilder(ZONE);
        for (int i = 0; i < 8; i++) z.append("huge IN TXT \"").append(String.valueOf(i).repeat(200)).append("\"\n");
        return new Authority(List.of(Zone.parse(z.toString(), null)));
    }

    Dns.Client resolver(InetAddress dnsServer, long timeoutMs, int attempts) {
        Resolver r = new Resolver(new Resolver.Config(List.of(dnsServer), 53, Time.ms(timeoutMs), attempts, 64, 86_400), 9);
        return new Dns.Client(client, r);
    }

    /** An Ethernet frame carrying IPv4 {@code proto} to {@code port} (UDP or TCP), with the TCP flags {@code tcpFlags} if nonzero. */
    static Predicate<byte[]> ipv4To(int proto, int port, int tcpFlags) {
        return f -> {
            if (f.length < 14 + 20 + 14 || (f[12] & 0xff) != 0x08 || f[13] != 0) return false;
            int ihl = (f[14] & 0x0f) * 4;
            if ((f[14 + 9] & 0xff) != proto) return false;
            int l4 = 14 + ihl;
            int dport = (f[l4 + 2] & 0xff) << 8 | (f[l4 + 3] & 0xff);
            return dport == port && (tcpFlags == 0 || (f[l4 + 13] & 0xff) == tcpFlags);
        };
    }

    @Test void resolverRetriesALostQueryThenFallsBackToTcpOverALossyLink() throws Exception {
        try (Dns.Running dns = Dns.serve(server, 53, authority(), 8, log::add)) {
            Dns.Client c = resolver(TwoHostNetwork.SERVER_ADDRESS.toInetAddress(), 300, 3);
            // the first query is lost on the wire: the resolver asks again after its timeout
            net.clientFaults().dropOnce(ipv4To(17, 53, 0));
            var www = assertInstanceOf(Resolver.Result.Answer.class, c.lookup(DnsName.parse("alias.sim.test"), DnsType.A));
            assertEquals("10.0.0.2", www.records().getFirst().data().toString());
            assertEquals(1, net.clientFaults().filtered(), "exactly the first query was lost");
            assertEquals(1, c.resolver().stats().retransmits());
            assertEquals(1, dns.udpQueries(), "only the retry reached the server");

            // truncated over UDP, then TCP (RFC 7766) whose first SYN is lost, on a link losing 3% each way
            net.clientFaults().dropOnce(ipv4To(6, 53, 0x02));
            net.clientFaults().setConfig(FaultConfig.builder().loss(0.03).build());
            net.serverFaults().setConfig(FaultConfig.builder().loss(0.03).build());
            var huge = assertInstanceOf(Resolver.Result.Answer.class, c.lookup(DnsName.parse("huge.sim.test"), DnsType.TXT));
            assertEquals(8, huge.records().size());
            assertEquals(1, c.resolver().stats().tcpFallbacks());
            assertEquals(1, dns.tcp().accepted());

            assertInstanceOf(Resolver.Result.NxDomain.class, c.lookup(DnsName.parse("nope.sim.test"), DnsType.A));
            assertInstanceOf(Resolver.Result.NoData.class, c.lookup(DnsName.parse("www.sim.test"), DnsType.AAAA));
            // asked again within its TTL: answered from the cache, no new query reaches the server
            long before = dns.udpQueries();
            var cached = assertInstanceOf(Resolver.Result.Answer.class, c.lookup(DnsName.parse("alias.sim.test"), DnsType.A));
            assertTrue(cached.fromCache());
            assertEquals(before, dns.udpQueries());
        }
    }

    @Test void resolverAsksOverIpv6AndGivesUpOnASilentServer() throws Exception {
        try (Dns.Running dns = Dns.serve(server, 53, authority(), 8, log::add)) {
            Dns.Client c = resolver(TwoHostNetwork.SERVER_ADDRESS6.toInetAddress(), 300, 2);
            assertEquals(List.of("10.0.0.2"), c.addresses("alias.sim.test"));
            var aaaa = assertInstanceOf(Resolver.Result.Answer.class, c.lookup(DnsName.parse("mx.sim.test"), DnsType.AAAA));
            assertEquals(TwoHostNetwork.SERVER_ADDRESS6.toInetAddress(), InetAddress.getByName(aaaa.records().getFirst().data().toString()));
            assertEquals(2, dns.udpQueries(), "both questions went over IPv6 UDP");
            // the order to try them in (RFC 6724 default policy: IPv6 first), asking only the families the host has
            InetAddress six = TwoHostNetwork.SERVER_ADDRESS6.toInetAddress();
            List<String> both = c.addresses("mx.sim.test", true, true);
            assertEquals(2, both.size(), both.toString());
            assertEquals(six, InetAddress.getByName(both.get(0)), "AAAA before A: " + both);
            assertEquals("10.0.0.2", both.get(1));
            assertEquals(List.of("10.0.0.2"), c.addresses("mx.sim.test", true, false));
            assertEquals(six, InetAddress.getByName(c.addresses("mx.sim.test", false, true).getFirst()));
            assertEquals(List.of("10.0.0.2"), c.addresses("www.sim.test", true, true), "no AAAA: the A address");
            var noSix = assertThrows(java.net.UnknownHostException.class, () -> c.addresses("www.sim.test", false, true));
            assertTrue(noSix.getMessage().contains("no AAAA record (this host has IPv6 only)"), noSix.getMessage());
            var literal = assertThrows(java.net.UnknownHostException.class, () -> c.addresses("fd00::2", true, false));
            assertTrue(literal.getMessage().contains("is an IPv6 address and this host has no IPv6"), literal.getMessage());
            assertThrows(java.net.UnknownHostException.class, () -> c.addresses("nope.sim.test", true, true), "NXDOMAIN");
        }
        // nobody listens any more: every attempt times out
        Dns.Client c = resolver(TwoHostNetwork.SERVER_ADDRESS.toInetAddress(), 100, 2);
        var f = assertInstanceOf(Resolver.Result.Failure.class, c.lookup(DnsName.parse("www.sim.test"), DnsType.A));
        assertFalse(f.reason().isBlank());
    }

    @Test void smtpClientFindsTheMxAndDeliversByteIdenticalOverIpv6() throws Exception {
        MailStore store = new MailStore(tmp.resolve("mail"));
        try (Dns.Running dns = Dns.serve(server, 53, authority(), 8, log::add);
             Server smtp = new Server("smtp", server.listen(25, 8), 4, 10_000, log::add,
                     Smtp.server("mx.sim.test", store, SmtpServerSession.Limits.DEFAULT))) {
            Dns.Client c = resolver(TwoHostNetwork.SERVER_ADDRESS.toInetAddress(), 300, 3);
            assertEquals(List.of("10.0.0.2"), Smtp.mailHosts(c, "sim.test"), "MX 10 mx.sim.test, its A record");
            assertEquals(List.of("10.0.0.2"), Smtp.mailHosts(c, "www.sim.test"), "no MX: the implicit MX, the domain's own address");
            assertThrows(java.net.UnknownHostException.class, () -> Smtp.mailHosts(c, "nope.sim.test"));
            String v6 = "fd00::2";

            StringBuilder body = new StringBuilder("From: a@client.test\r\nTo: b@sim.test\r\nSubject: sim\r\n\r\n");
            Random rnd = new Random(5);
            for (int i = 0; i < 3000; i++) body.append(i % 7 == 0 ? "." : "").append("line ").append(rnd.nextLong()).append("\r\n");
            byte[] msg = body.toString().getBytes(StandardCharsets.US_ASCII);
            net.serverFaults().setConfig(FaultConfig.builder().loss(0.02).build());
            SmtpClientSession s = Smtp.send(client, v6, 25, 10_000, "client.test", "a@client.test", List.of("b@sim.test"), msg);
            assertTrue(s.delivered(), s.result() + " " + s.transcript());
            assertArrayEquals(msg, Files.readAllBytes(store.dir().resolve("1.eml")));
            assertEquals("MAIL FROM:<a@client.test>\nRCPT TO:<b@sim.test>\n", Files.readString(store.dir().resolve("1.envelope")));
        }
    }

    @Test void ftpPassiveAndActiveOverALossyLink() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("ftp"));
        byte[] data = new byte[600_000];
        new Random(11).nextBytes(data);
        Files.write(root.resolve("file.bin"), data);
        net.clientFaults().setConfig(FaultConfig.builder().loss(0.01).build());
        net.serverFaults().setConfig(FaultConfig.builder().loss(0.01).build());
        try (Server ftp = new Server("ftp", server.listen(21, 8), 4, 10_000, log::add, Ftp.server(root, FtpServerSession.Config.ANONYMOUS, server))) {
            for (String host : List.of("10.0.0.2", "fd00::2")) {
                for (boolean active : new boolean[] {false, true}) {
                    ByteArrayOutputStream got = new ByteArrayOutputStream();
                    Ftp.Download d = Ftp.retrieve(client, host, 21, "anonymous", "sim@test", "file.bin", active, false, got);
                    String what = host + (active ? " active" : " passive");
                    assertEquals(data.length, d.bytes(), what + " " + d.transcript());
                    assertEquals(LoopbackAppsTest.sha(data), LoopbackAppsTest.sha(got.toByteArray()), what);
                    // active: the server opened the data connection to the port the client named
                    assertTrue(d.transcript().stream().anyMatch(l -> l.startsWith(active ? "C: EPRT |" + (host.contains(":") ? 2 : 1) : "C: EPSV")),
                            d.transcript().toString());
                }
            }
            ByteArrayOutputStream listing = new ByteArrayOutputStream();
            Ftp.retrieve(client, "10.0.0.2", 21, "anonymous", "x@y", "/", true, true, listing);
            assertTrue(listing.toString(StandardCharsets.UTF_8).contains(" file.bin\r\n"), listing.toString());
            assertEquals(5, ftp.accepted());
        }
        assertTrue(net.clientFaults().lost() + net.serverFaults().lost() > 0, "the link lost frames");
    }
}
