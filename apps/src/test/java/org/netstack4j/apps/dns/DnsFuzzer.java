package org.netstack4j.apps.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import org.netstack4j.wire.Parsed;

/**
 * Jazzer target: DNS messages (RFC 1035 4 with compression, EDNS(0)) and the authoritative
 * server behind them. Parsing never throws; a parsed message encodes to bytes that parse to the
 * same message, also when cut to a UDP size; the authority answers any message with one that
 * parses (or with nothing).
 */
class DnsFuzzer {
    private static final Authority AUTHORITY;

    static {
        try {
            AUTHORITY = new Authority(List.of(AuthorityTest.zone()));
        } catch (Zone.ZoneException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void message(byte[] data) {
        if (DnsCodec.parse(data) instanceof Parsed.Ok<DnsMessage>(DnsMessage m)) {
            byte[] again = DnsCodec.encode(m);
            assertEquals(m, reparsed(again), "parse(encode(m)) == m");
            reparsed(DnsCodec.encode(m, DnsCodec.CLASSIC_UDP));
            m.toString();
        }
        for (boolean udp : new boolean[] {true, false}) {
            byte[] answer = AUTHORITY.answer(data, 0, data.length, udp);
            if (answer == null) continue;
            reparsed(answer);
            if (udp) assertTrue(answer.length <= Authority.EDNS_SIZE, () -> "a UDP answer of " + answer.length + " bytes");
        }
    }

    private static DnsMessage reparsed(byte[] b) {
        Parsed<DnsMessage> p = DnsCodec.parse(b);
        if (p instanceof Parsed.Ok<DnsMessage>(DnsMessage m)) return m;
        throw new AssertionError("our own encoding does not parse: " + p);
    }
}
