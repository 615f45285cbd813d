package org.netstack4j.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

class CountersTest {
    @Test
    void resetStartsEveryCounterAgainAndLayersKeepTheirs() {
        Counters c = new Counters();
        Counters.Counter syns = c.counter("tcp.in.syns");
        syns.add(50_000);
        c.counter("tcp.out.rsts").increment();
        assertEquals(Map.of("tcp.in.syns", 50_000L, "tcp.out.rsts", 1L), c.snapshot());
        c.reset();
        assertEquals(Map.of(), c.snapshot());
        syns.increment(); // the layer's counter still counts, from 0
        assertEquals(1, c.get("tcp.in.syns"));
        assertEquals(Map.of("tcp.in.syns", 1L), c.snapshot());
    }
}
