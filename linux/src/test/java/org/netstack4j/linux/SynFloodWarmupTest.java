package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.netstack4j.tcp.TcpConfig;

/** Issue 20: the warm-up serve runs before a flood takes the same path as a real one. */
class SynFloodWarmupTest {
    @Test
    void floodsAThrowawayStackThroughItsCookiePathAndCompletesCookieHandshakes() throws Exception {
        TcpConfig config = TcpConfig.defaults().withLimits(lm -> lm.withSynQueueLimit(1024));
        // no JIT signal and no quiet time: the frame count alone ends it (the time limit is a safeguard)
        SynFloodWarmup.Result r = SynFloodWarmup.run(config, 80, 20_000, 0, 120_000_000_000L, null);
        assertTrue(r.settled(), r.toString());
        assertTrue(r.frames() >= 20_000, r.toString());
        // the SYN queue (1,024) filled, then every SYN got a cookie (none refused), and the ACKs of
        // the SYN,ACKs answered completed handshakes from valid cookies
        assertTrue(r.cookiesSent() > 15_000, r.toString());
        assertTrue(r.synAcks() >= r.cookiesSent() + 1024 - 1, r.toString());
        assertTrue(r.cookiesValid() > 0, r.toString());
    }

    @Test
    void aSynFromTheSameHelperIsAConnectionRequestWithOrWithoutOptions() {
        org.netstack4j.wire.Ipv4Address a = org.netstack4j.wire.Ipv4Address.of(192, 0, 2, 1), b = org.netstack4j.wire.Ipv4Address.of(192, 0, 2, 2);
        byte[] bare = SynFloodWarmup.syn(a, b, 1234, 80, 42, false), full = SynFloodWarmup.syn(a, b, 1234, 80, 42, true);
        assertEquals(40, bare.length);
        assertEquals(40 + 20, full.length); // MSS 4, SACK permitted 2, timestamps 10, NOP 1, window scale 3
        assertEquals(0x02, bare[33] & 0x3f);
        assertTrue(org.netstack4j.wire.TcpRepr.parse(a, b, full, 20, full.length - 20, true) instanceof org.netstack4j.wire.Parsed.Ok<?>);
    }
}
