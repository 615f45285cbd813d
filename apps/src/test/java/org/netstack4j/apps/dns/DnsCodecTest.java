package org.netstack4j.apps.dns;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.*;
import org.junit.jupiter.api.Test;
import org.netstack4j.apps.dns.ResourceRecord.Rdata;
import org.netstack4j.wire.Parsed;

class DnsCodecTest {
    static byte[] hex(String s) { return HexFormat.of().parseHex(s.replace(" ", "")); }

    // dig +noedns www.example.com A: id 0x1234, RD; then the same response with a compressed answer.
    static final String QUERY = "1234 0100 0001 0000 0000 0000 03777777 076578616d706c65 03636f6d 00 0001 0001";
    static final String RESPONSE = "1234 8580 0001 0001 0000 0000 03777777 076578616d706c65 03636f6d 00 0001 0001"
            + " c00c 0001 0001 00000e10 0004 5db8d822";

    @Test void parsesAQueryFieldByField() {
        DnsMessage m = DnsCodec.parse(hex(QUERY)).value();
        assertEquals(0x1234, m.id());
        assertTrue(m.recursionDesired());
        assertFalse(m.isResponse());
        assertEquals(List.of(new DnsMessage.Question(DnsName.parse("www.example.com."), DnsType.A, DnsType.IN)), m.questions());
        assertArrayEquals(hex(QUERY), DnsCodec.encode(m));
    }

    @Test void parsesACompressedAnswerAndWritesTheSameBytes() {
        DnsMessage m = DnsCodec.parse(hex(RESPONSE)).value();
        assertTrue(m.authoritative());
        ResourceRecord a = m.answers().getFirst();
        assertEquals(DnsName.parse("www.example.com"), a.name());
        assertEquals(3600, a.ttl());
        assertEquals("93.184.216.34", a.data().toString());
        assertArrayEquals(hex(RESPONSE), DnsCodec.encode(m), "compression is written the way it was read");
    }

    @Test void namesCompareWithoutCaseAndPrintEscaped() {
        assertEquals(DnsName.parse("WWW.Example.COM"), DnsName.parse("www.example.com."));
        assertEquals("a\\.b.c.", DnsName.of(List.of("a.b", "c")).toString());
        assertEquals("\\007x.", DnsName.of(List.of("\u0007x")).toString());
        assertEquals(DnsName.of(List.of("\u0007x")), DnsName.parse("\\007x"));
        assertThrows(IllegalArgumentException.class, () -> DnsName.parse("a..b"));
        assertThrows(IllegalArgumentException.class, () -> DnsName.parse("x".repeat(64)));
        assertThrows(IllegalArgumentException.class, () -> DnsName.parse(("x".repeat(63) + ".").repeat(4)));
        assertTrue(DnsName.parse("a.b.example.com").isWithin(DnsName.parse("example.com")));
        assertFalse(DnsName.parse("badexample.com").isWithin(DnsName.parse("example.com")));
        assertTrue(DnsName.parse("x").isWithin(DnsName.ROOT));
    }

    @Test void refusesCompressionLoopsAndOverruns() {
        // A question whose name is a pointer to itself (offset 12).
        assertMalformed("1234 0100 0001 0000 0000 0000 c00c 0001 0001", "loop");
        // Two pointers pointing at each other: 12 -> 14 is forwards.
        assertMalformed("1234 0100 0001 0000 0000 0000 c00e c00c 0001 0001", "backwards");
        // A label longer than the message.
        assertMalformed("1234 0100 0001 0000 0000 0000 3f41 0001", "past the message");
        // A header that promises a record that is not there.
        assertMalformed("1234 0100 0001 0001 0000 0000 00 0001 0001", "past the message");
        assertMalformed("1234 8000 0000 0001 0000 0000 00 0001 0001 0000", "truncated");
        // Bytes after the last record.
        assertMalformed(QUERY + "00", "after the last record");
        // Record data length that does not match an A record.
        assertMalformed("1234 8000 0000 0001 0000 0000 00 0001 0001 00000000 0003 010203", "not 4");
        // Label type 01 (RFC 6891 deprecated extended labels) is refused.
        assertMalformed("1234 0100 0001 0000 0000 0000 41 0001 0001", "label type");
        assertMalformed("1234", "header");
    }

    @Test void aNameOfMoreThan255OctetsThroughPointersIsRefused() {
        // Four 63-octet labels written as a chain of pointers: each name adds one label before the last.
        StringBuilder h = new StringBuilder("0000 0000 0000 0000 0000 0000");
        String label = "3f" + "61".repeat(63);
        h.append(label).append("00"); // 12: a{63}.
        h.append(label).append("c00c"); // 77
        h.append(label).append("c04d"); // 144
        h.append(label).append("c090"); // 211: 4*64+1 = 257 octets
        byte[] b = hex(h.toString());
        // make the header say there is one question, at offset 211, by placing it first: simpler to
        // parse a record whose name points at 211 instead.
        byte[] msg = new byte[b.length + 14];
        System.arraycopy(b, 0, msg, 0, b.length);
        msg[5] = 0; msg[7] = 1; // ancount = 1, but records follow the bogus labels: we only check the name reader
        Parsed<DnsMessage> p = DnsCodec.parse(msg);
        assertInstanceOf(Parsed.Malformed.class, p);
    }

    @Test void everyTypeRoundTrips() {
        DnsName n = DnsName.parse("example.test");
        DnsMessage m = new DnsMessage(7, DnsMessage.QR | DnsMessage.AA, List.of(new DnsMessage.Question(n, DnsType.ANY, DnsType.IN)),
                List.of(new ResourceRecord(n, DnsType.A, DnsType.IN, 60, new Rdata.A(new byte[] {10, 7, 0, 2})),
                        new ResourceRecord(n, DnsType.AAAA, DnsType.IN, 60, new Rdata.Aaaa(hex("fd000007000000000000000000000002"))),
                        new ResourceRecord(n, DnsType.MX, DnsType.IN, 60, new Rdata.Mx(10, DnsName.parse("mx.example.test"))),
                        new ResourceRecord(n, DnsType.NS, DnsType.IN, 60, new Rdata.Name(DnsName.parse("ns1.example.test"))),
                        new ResourceRecord(n, DnsType.TXT, DnsType.IN, 60, new Rdata.Txt(List.of("hello world", "")))),
                List.of(new ResourceRecord(n, DnsType.SOA, DnsType.IN, 60, new Rdata.Soa(DnsName.parse("ns1.example.test"),
                        DnsName.parse("hostmaster.example.test"), 1, 7200, 3600, 1209600, 300))),
                List.of(new ResourceRecord(n, 99, DnsType.IN, 60, new Rdata.Raw(hex("0102"))), ResourceRecord.opt(1232)));
        byte[] b = DnsCodec.encode(m);
        assertEquals(m, DnsCodec.parse(b).value());
        assertEquals(1232, m.ednsUdpSize());
        assertEquals("fd00:7:0:0:0:0:0:2", m.answers().get(1).data().toString());
    }

    @Test void truncationKeepsTheQuestionAndTheOptRecordAndSetsTc() {
        DnsName n = DnsName.parse("big.example.test");
        List<ResourceRecord> many = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) many.add(new ResourceRecord(n, DnsType.TXT, DnsType.IN, 60, new Rdata.Txt(List.of("x".repeat(100)))));
        DnsMessage m = new DnsMessage(1, DnsMessage.QR, List.of(new DnsMessage.Question(n, DnsType.TXT, DnsType.IN)), many, List.of(),
                List.of(ResourceRecord.opt(1232)));
        byte[] b = DnsCodec.encode(m, 512);
        assertTrue(b.length <= 512);
        DnsMessage t = DnsCodec.parse(b).value();
        assertTrue(t.truncated());
        assertEquals(0, t.answers().size());
        assertEquals(1, t.questions().size());
        assertEquals(1232, t.ednsUdpSize());
    }

    static void assertMalformed(String hexText, String reasonPart) {
        Parsed<DnsMessage> p = DnsCodec.parse(hex(hexText));
        Parsed.Malformed<DnsMessage> m = assertInstanceOf(Parsed.Malformed.class, p);
        assertTrue(m.reason().contains(reasonPart), m.reason());
    }

    // ---- properties ----

    @Property(tries = 2000) void arbitraryBytesNeverThrow(@ForAll byte[] bytes) {
        Parsed<DnsMessage> p = DnsCodec.parse(bytes);
        if (p instanceof Parsed.Ok<DnsMessage> ok) assertEquals(ok.value(), DnsCodec.parse(DnsCodec.encode(ok.value())).value());
    }

    @Property(tries = 1000) void mutatedRealMessagesNeverThrow(@ForAll("positions") int at, @ForAll byte value) {
        byte[] b = hex(RESPONSE);
        b[at % b.length] = value;
        Parsed<DnsMessage> p = DnsCodec.parse(b);
        if (p instanceof Parsed.Ok<DnsMessage> ok) assertEquals(ok.value(), DnsCodec.parse(DnsCodec.encode(ok.value())).value());
    }

    @Provide Arbitrary<Integer> positions() { return Arbitraries.integers().between(0, 1000); }

    @Property(tries = 500) void generatedMessagesRoundTripWithCompression(@ForAll("messages") DnsMessage m) {
        byte[] b = DnsCodec.encode(m);
        assertEquals(m, DnsCodec.parse(b).value());
    }

    @Provide Arbitrary<DnsMessage> messages() {
        Arbitrary<String> label = Arbitraries.strings().withChars("abcXYZ-0.\\").ofMinLength(1).ofMaxLength(12);
        Arbitrary<DnsName> name = label.list().ofMinSize(0).ofMaxSize(5).map(DnsName::of);
        Arbitrary<ResourceRecord> rr = Combinators.combine(name, name, Arbitraries.integers().between(0, 3), Arbitraries.longs().between(0, 0xffff_ffffL))
                .as((owner, target, kind, ttl) -> switch (kind) {
                    case 0 -> new ResourceRecord(owner, DnsType.CNAME, DnsType.IN, ttl, new Rdata.Name(target));
                    case 1 -> new ResourceRecord(owner, DnsType.MX, DnsType.IN, ttl, new Rdata.Mx((int) (ttl & 0xffff), target));
                    case 2 -> new ResourceRecord(owner, DnsType.A, DnsType.IN, ttl, new Rdata.A(new byte[] {1, 2, 3, (byte) (long) ttl}));
                    default -> new ResourceRecord(owner, DnsType.TXT, DnsType.IN, ttl, new Rdata.Txt(List.of(target.toString())));
                });
        return Combinators.combine(Arbitraries.integers().between(0, 0xffff), name, rr.list().ofMaxSize(6), rr.list().ofMaxSize(3))
                .as((id, q, an, ns) -> new DnsMessage(id, DnsMessage.QR, List.of(new DnsMessage.Question(q, DnsType.A, DnsType.IN)), an, ns, List.of()));
    }
}
