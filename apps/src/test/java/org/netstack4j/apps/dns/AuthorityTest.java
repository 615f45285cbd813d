package org.netstack4j.apps.dns;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuthorityTest {
    static final String ZONE = """
            $ORIGIN example.test.
            $TTL 3600
            @       IN SOA ns1 hostmaster (
                            2026120601 ; serial
                            7200 3600 1209600
                            300 )      ; minimum
                    IN NS  ns1
                    IN MX  10 mail
            ns1     IN A   10.7.0.2
            www 300 IN A   10.7.0.2
                    IN AAAA fd00:7::2
            mail    IN A   10.7.0.3
            alias   IN CNAME www
            outside IN CNAME www.elsewhere.test.
            txt     IN TXT "hello; world" "(two)"
            a.b.deep IN A 10.7.0.9
            sub     IN NS  ns.sub
            ns.sub  IN A   10.7.0.53
            big     IN TXT "%s"
            """.formatted("x".repeat(200));

    static Zone zone() throws Zone.ZoneException { return Zone.parse(ZONE + "big IN TXT \"" + "y".repeat(200) + "\"\n".repeat(1) + "big IN TXT \"" + "z".repeat(200) + "\"\n", null); }

    static DnsMessage ask(Authority a, String name, int type) {
        byte[] q = DnsCodec.encode(DnsMessage.query(42, DnsName.parse(name), type, 0));
        return DnsCodec.parse(a.answer(q, 0, q.length, false)).value();
    }

    @Test void zoneFileIsRead() throws Exception {
        Zone z = zone();
        assertEquals(DnsName.parse("example.test"), z.origin());
        assertEquals("ns1.example.test. hostmaster.example.test. 2026120601 7200 3600 1209600 300", z.soa().data().toString());
        assertEquals(2, z.at(DnsName.parse("www.example.test")).size());
        assertEquals(300, z.at(DnsName.parse("www.example.test")).getFirst().ttl());
        assertEquals("\"hello; world\" \"(two)\"", z.at(DnsName.parse("txt.example.test")).getFirst().data().toString());
    }

    @Test void zoneMistakesNameTheirLine() {
        assertZoneError("$ORIGIN t.\n@ IN SOA a b 1 2 3 4 5\nwww IN A 10.0.0.300\n", "line 3");
        assertZoneError("$ORIGIN t.\n@ IN SOA a b 1 2 3 4 5\nwww IN BOGUS x\n", "line 3: unknown");
        assertZoneError("$ORIGIN t.\nwww IN A 10.0.0.1\n", "no SOA");
        assertZoneError("$ORIGIN t.\n@ IN SOA a b ( 1 2 3 4 5\n", "line 2: unclosed");
        assertZoneError("$ORIGIN t.\n@ IN SOA a b 1 2 3 4 5\nx IN CNAME y\nx IN A 1.2.3.4\n", "CNAME and other data");
        assertZoneError("$ORIGIN t.\n@ IN SOA a b 1 2 3 4 5\nwww IN AAAA 10.0.0.1\n", "line 3: not an IPv6");
        assertZoneError("$ORIGIN t.\n@ IN SOA a b 1 2 3 4 5\nwww IN A host.name\n", "line 3: not an IPv4");
        assertZoneError("  IN A 1.2.3.4\n", "line 1: the first record needs an owner");
    }

    static void assertZoneError(String text, String part) {
        Zone.ZoneException e = assertThrows(Zone.ZoneException.class, () -> Zone.parse(text, null));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test void answersAuthoritativelyWithAdditionalAddresses() throws Exception {
        Authority a = new Authority(List.of(zone()));
        DnsMessage r = ask(a, "www.example.test", DnsType.A);
        assertTrue(r.authoritative());
        assertEquals(DnsType.NOERROR, r.rcode());
        assertEquals(42, r.id());
        assertEquals("10.7.0.2", r.answers().getFirst().data().toString());
        DnsMessage mx = ask(a, "example.test", DnsType.MX);
        assertEquals("10 mail.example.test.", mx.answers().getFirst().data().toString());
        assertEquals("10.7.0.3", mx.additionals().getFirst().data().toString(), "the exchange's address comes along");
        assertEquals("fd00:7:0:0:0:0:0:2", ask(a, "WWW.EXAMPLE.TEST", DnsType.AAAA).answers().getFirst().data().toString());
    }

    @Test void followsCnamesInsideTheZoneAndStopsAtItsEdge() throws Exception {
        Authority a = new Authority(List.of(zone()));
        DnsMessage r = ask(a, "alias.example.test", DnsType.A);
        assertEquals(2, r.answers().size());
        assertEquals(DnsType.CNAME, r.answers().get(0).type());
        assertEquals("10.7.0.2", r.answers().get(1).data().toString());
        DnsMessage out = ask(a, "outside.example.test", DnsType.A);
        assertEquals(1, out.answers().size());
        assertEquals(DnsType.NOERROR, out.rcode());
    }

    @Test void nxdomainAndNodataCarryTheSoaWithTheNegativeTtl() throws Exception {
        Authority a = new Authority(List.of(zone()));
        DnsMessage nx = ask(a, "nope.example.test", DnsType.A);
        assertEquals(DnsType.NXDOMAIN, nx.rcode());
        assertEquals(DnsType.SOA, nx.authorities().getFirst().type());
        assertEquals(300, nx.authorities().getFirst().ttl(), "min(SOA TTL, MINIMUM)");
        DnsMessage nodata = ask(a, "www.example.test", DnsType.MX);
        assertEquals(DnsType.NOERROR, nodata.rcode());
        assertEquals(0, nodata.answers().size());
        assertEquals(DnsType.SOA, nodata.authorities().getFirst().type());
        DnsMessage ent = ask(a, "b.deep.example.test", DnsType.A);
        assertEquals(DnsType.NOERROR, ent.rcode(), "an empty non-terminal exists");
        assertEquals(1, a.stats().nxdomain());
        assertEquals(2, a.stats().nodata());
    }

    @Test void refersDelegatedNamesAndRefusesForeignOnes() throws Exception {
        Authority a = new Authority(List.of(zone()));
        DnsMessage ref = ask(a, "www.sub.example.test", DnsType.A);
        assertFalse(ref.authoritative());
        assertEquals(0, ref.answers().size());
        assertEquals("ns.sub.example.test.", ref.authorities().getFirst().data().toString());
        assertEquals("10.7.0.53", ref.additionals().getFirst().data().toString(), "glue");
        assertEquals(DnsType.REFUSED, ask(a, "www.other.test", DnsType.A).rcode());
    }

    @Test void udpAnswersFitTheClientsSizeOrAreTruncated() throws Exception {
        Authority a = new Authority(List.of(zone()));
        byte[] q = DnsCodec.encode(DnsMessage.query(1, DnsName.parse("big.example.test"), DnsType.TXT, 0));
        byte[] udp = a.answer(q, 0, q.length, true);
        assertTrue(udp.length <= 512);
        assertTrue(DnsCodec.parse(udp).value().truncated());
        byte[] tcp = a.answer(q, 0, q.length, false);
        assertEquals(3, DnsCodec.parse(tcp).value().answers().size());
        byte[] qe = DnsCodec.encode(DnsMessage.query(1, DnsName.parse("big.example.test"), DnsType.TXT, 4096));
        DnsMessage e = DnsCodec.parse(a.answer(qe, 0, qe.length, true)).value();
        assertFalse(e.truncated(), "fits EDNS's 1232");
        assertEquals(Authority.EDNS_SIZE, e.ednsUdpSize());
        assertEquals(1, a.stats().truncated());
    }

    @Test void brokenQueriesGetFormerrOrNothing() throws Exception {
        Authority a = new Authority(List.of(zone()));
        assertNull(a.answer(new byte[5], 0, 5, true));
        byte[] bad = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xc0, 0x0c, 0, 1, 0, 1};
        DnsMessage r = DnsCodec.parse(a.answer(bad, 0, bad.length, true)).value();
        assertEquals(DnsType.FORMERR, r.rcode());
        assertEquals(0x1234, r.id());
        byte[] resp = DnsCodec.encode(ask(a, "www.example.test", DnsType.A));
        assertNull(a.answer(resp, 0, resp.length, true), "a response is never answered (no reflection loops)");
        assertEquals(2, a.stats().dropped());
    }
}
