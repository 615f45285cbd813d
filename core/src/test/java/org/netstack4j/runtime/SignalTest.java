package org.netstack4j.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.netstack4j.time.Pollable;
import org.netstack4j.time.Time;

/** Signal's adaptive spin: waits that spinning never helps (a keep-alive connection's next request) stop spinning. */
class SignalTest {
    private final EventLoop loop = EventLoop.start("signal-test", new Pollable() {
        @Override public long pollAt() { return Time.NEVER; }
        @Override public void poll(long now) { }
    });

    @AfterEach
    void stop() { loop.close(); }

    @Test
    void waitsThatOnlyEndLateStopSpinningAndAnEarlyWakeTurnsItBackOn() throws Exception {
        Signal s = new Signal(loop);
        assertTrue(s.spinsFirst(), "spins at first: the answer usually comes within microseconds");
        for (int i = 0; i < Signal.SPIN_MISSES_BEFORE_PARK; i++) {
            assertFalse(s.await(() -> false, loop.now() + Time.ms(1)), "nobody signals: times out");
        }
        assertFalse(s.spinsFirst(), Signal.SPIN_MISSES_BEFORE_PARK + " waits that the spin did not end: no more spinning");
        // A wait that finds its condition true at once ends well within the spin time; it turns
        // spinning back on (tries bound a descheduled test thread on a loaded machine).
        for (int i = 0; i < 100 && !s.spinsFirst(); i++) assertTrue(s.await(() -> true, Time.NEVER));
        assertTrue(s.spinsFirst(), "a wait ended within the spin time: spinning pays again");
    }
}
