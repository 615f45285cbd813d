package org.netstack4j.apps.dns;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.netstack4j.time.Time;

/** The stub resolver against the authoritative logic, in virtual time, with every transport step visible. */
class ResolverTest {
    static final InetAddress S1 = addr("10.7.0.1"), S2 = addr("10.7.0.9");
    Authority authority;
    Resolver resolver;
    final List<Resolver.Result> results = new ArrayList<>();

    static InetAddress addr(String s) {
        try { return InetAddress.getByName(s); } catch (Exception e) { throw new AssertionError(e); }
    }

    @BeforeEach void setUp() throws Exception {
        StringBuilder zone = new StringBuilder(AuthorityTest.ZONE);
        for (int i = 0; i < 8; i++) zone.append("huge IN TXT \"").append(String.valueOf(i).repeat(200)).append("\"\n");
        authority = new Authority(List.of(Zone.parse(zone.toString(), null)));
        resolver = new Resolver(new Resolver.Config(List.of(S1, S2), 53, Time.s(2), 2, 4, 86_400), 99);
    }

    /** Lets the authority answer every datagram waiting; returns how many were answered. */
    int serve(long now) {
        int n = 0;
        Object o;
        while ((o = resolver.pollTransmit()) != null) {
            if (o instanceof Resolver.Datagram d) {
                byte[] reply = authority.answer(d.payload(), 0, d.payload().length, true);
                resolver.onDatagram(now, d.localPort(), d.server(), 53, reply, 0, reply.length);
            } else if (o instanceof Resolver.TcpExchange t) {
                byte[] q = t.payload();
                assertEquals(q.length - 2, ((q[0] & 0xff) << 8) | (q[1] & 0xff), "length prefix");
                resolver.onTcpResponse(now, t.exchangeId(), authority.answer(q, 2, q.length - 2, false));
            }
            n++;
        }
        return n;
    }

    Resolver.Result lookup(long now, String name, int type) {
        results.clear();
        resolver.lookup(now, DnsName.parse(name), type, results::add);
        serve(now);
        assertEquals(1, results.size());
        return results.getFirst();
    }

    @Test void answersAreCachedForTheirTtl() {
        var a = assertInstanceOf(Resolver.Result.Answer.class, lookup(0, "www.example.test", DnsType.A));
        assertFalse(a.fromCache());
        assertEquals("10.7.0.2", a.records().getFirst().data().toString());
        var cached = assertInstanceOf(Resolver.Result.Answer.class, lookup(Time.s(299), "WWW.example.test", DnsType.A));
        assertTrue(cached.fromCache());
        assertEquals(1, cached.records().getFirst().ttl(), "TTL counted down");
        assertEquals(1, resolver.stats().sent());
        assertFalse(((Resolver.Result.Answer) lookup(Time.s(300), "www.example.test", DnsType.A)).fromCache(), "expired after 300 s");
        assertEquals(2, resolver.stats().sent());
    }

    @Test void cnameChainsAreFollowed() {
        var a = assertInstanceOf(Resolver.Result.Answer.class, lookup(0, "alias.example.test", DnsType.A));
        assertEquals(1, a.cnames().size());
        assertEquals("10.7.0.2", a.records().getFirst().data().toString());
    }

    @Test void negativeAnswersAreCachedForTheSoaMinimum() {
        assertInstanceOf(Resolver.Result.NxDomain.class, lookup(0, "nope.example.test", DnsType.A));
        assertInstanceOf(Resolver.Result.NoData.class, lookup(0, "www.example.test", DnsType.MX));
        assertTrue(((Resolver.Result.NxDomain) lookup(Time.s(299), "nope.example.test", DnsType.A)).fromCache());
        assertFalse(((Resolver.Result.NxDomain) lookup(Time.s(300), "nope.example.test", DnsType.A)).fromCache());
    }

    @Test void forgedAnswersAreIgnoredAndCounted() {
        resolver.lookup(0, DnsName.parse("www.example.test"), DnsType.A, results::add);
        var d = (Resolver.Datagram) resolver.pollTransmit();
        byte[] real = authority.answer(d.payload(), 0, d.payload().length, true);
        resolver.onDatagram(0, d.localPort(), S2, 53, real, 0, real.length);          // wrong server
        resolver.onDatagram(0, d.localPort() ^ 1, S1, 53, real, 0, real.length);      // wrong port
        resolver.onDatagram(0, d.localPort(), S1, 5353, real, 0, real.length);        // wrong source port
        byte[] wrongId = real.clone();
        wrongId[1] ^= 1;
        resolver.onDatagram(0, d.localPort(), S1, 53, wrongId, 0, wrongId.length);    // wrong ID
        byte[] q2 = DnsCodec.encode(DnsMessage.query(DnsCodec.parse(d.payload()).value().id(), DnsName.parse("mail.example.test"), DnsType.A, 0));
        byte[] otherQuestion = authority.answer(q2, 0, q2.length, true);
        resolver.onDatagram(0, d.localPort(), S1, 53, otherQuestion, 0, otherQuestion.length); // other question
        resolver.onDatagram(0, d.localPort(), S1, 53, new byte[] {1, 2, 3}, 0, 3);          // garbage
        assertTrue(results.isEmpty());
        assertEquals(5, resolver.stats().spoofed());
        assertEquals(1, resolver.stats().malformed());
        resolver.onDatagram(0, d.localPort(), S1, 53, real, 0, real.length);
        assertInstanceOf(Resolver.Result.Answer.class, results.getFirst());
    }

    @Test void silenceIsRetriedWithNewIdAndPortOnTheNextServerThenFails() {
        resolver.lookup(0, DnsName.parse("www.example.test"), DnsType.A, results::add);
        var first = (Resolver.Datagram) resolver.pollTransmit();
        assertEquals(S1, first.server());
        assertEquals(Time.s(2), resolver.pollAt());
        resolver.poll(Time.s(2) - 1);
        assertNull(resolver.pollTransmit(), "nothing before the timeout");
        resolver.poll(Time.s(2));
        var second = (Resolver.Datagram) resolver.pollTransmit();
        assertEquals(S2, second.server());
        assertNotEquals(first.localPort(), second.localPort());
        assertNotEquals(DnsCodec.parse(first.payload()).value().id(), DnsCodec.parse(second.payload()).value().id());
        // A late answer to the first attempt no longer counts.
        byte[] late = authority.answer(first.payload(), 0, first.payload().length, true);
        resolver.onDatagram(Time.s(3), first.localPort(), S1, 53, late, 0, late.length);
        assertTrue(results.isEmpty());
        for (int i = 2; i <= 4; i++) {
            resolver.poll(Time.s(2L * i));
            resolver.pollTransmit();
        }
        var f = assertInstanceOf(Resolver.Result.Failure.class, results.getFirst());
        assertTrue(f.reason().contains("no answer"), f.reason());
        assertEquals(4, resolver.stats().timeouts());
        assertEquals(0, resolver.outstanding());
        assertEquals(org.netstack4j.time.Time.NEVER, resolver.pollAt());
    }

    @Test void truncatedAnswerIsAskedAgainOverTcp() {
        var a = assertInstanceOf(Resolver.Result.Answer.class, lookup(0, "huge.example.test", DnsType.TXT));
        assertEquals(8, a.records().size(), "1,600 bytes: more than EDNS's 1232");
        assertEquals(1, resolver.stats().tcpFallbacks());
    }

    @Test void hostsEntriesAnswerFirst() {
        assertEquals(3, resolver.addHosts("# comment\n127.0.0.1 localhost\n::1 localhost ip6-localhost\nnonsense\n"));
        var a = assertInstanceOf(Resolver.Result.Answer.class, lookup(0, "localhost", DnsType.A));
        assertEquals("127.0.0.1", a.records().getFirst().data().toString());
        var six = assertInstanceOf(Resolver.Result.Answer.class, lookup(0, "localhost.", DnsType.AAAA));
        assertEquals("0:0:0:0:0:0:0:1", six.records().getFirst().data().toString());
        assertEquals(0, resolver.stats().sent());
    }

    @Test void theCacheIsBounded() {
        for (String n : List.of("www", "mail", "ns1", "txt", "alias", "a.b.deep")) lookup(0, n + ".example.test", DnsType.A);
        assertEquals(2, resolver.stats().evicted());
        assertFalse(((Resolver.Result.Answer) lookup(1, "www.example.test", DnsType.A)).fromCache(), "the oldest went first");
    }

    @Test void serverErrorsMoveToTheNextServer() {
        resolver.lookup(0, DnsName.parse("www.other.test"), DnsType.A, results::add);   // REFUSED by our authority
        serve(0);
        var f = assertInstanceOf(Resolver.Result.Failure.class, results.getFirst());
        assertTrue(f.reason().contains("REFUSED"), f.reason());
        assertEquals(4, resolver.stats().sent());
    }
}
