package org.netstack4j.time;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class TimeTest {
    @Test void unitsAreNanoseconds() {
        assertEquals(1_000_000_000L, Time.s(1));
        assertEquals(Time.s(1), Time.ms(1000));
        assertEquals(Time.ms(1), Time.us(1000));
    }

    @Property(seed = "42") void unitsScale(@ForAll @LongRange(min = 0, max = 1_000_000) long v) {
        assertEquals(Time.s(v), Time.ms(v * 1000));
    }
}
