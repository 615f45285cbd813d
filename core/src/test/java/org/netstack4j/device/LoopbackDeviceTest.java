package org.netstack4j.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.time.Time;

class LoopbackDeviceTest {
    @Test void framesComeBackAtTheNextPollNotDuringTransmit() {
        LoopbackDevice lo = new LoopbackDevice(Medium.IP, 65535);
        List<byte[]> got = new ArrayList<>();
        lo.attach((now, f) -> got.add(f));
        assertEquals(Time.NEVER, lo.pollAt());
        byte[] p = TestFrames.ipv4Udp(10, 1);
        lo.transmit(Time.ms(5), p);
        assertEquals(0, got.size());
        assertEquals(Time.ms(5), lo.pollAt());
        lo.poll(Time.ms(5));
        assertEquals(1, got.size());
        assertArrayEquals(TestFrames.ipv4Udp(10, 1), got.get(0));
        assertEquals(Time.NEVER, lo.pollAt());
        assertEquals(65535, lo.mtu());
        assertEquals(Medium.IP, lo.medium());
    }

    @Test void aReplySentFromTheSinkWaitsForTheNextPoll() {
        LoopbackDevice lo = new LoopbackDevice(Medium.ETHERNET, 1500);
        List<Integer> ids = new ArrayList<>();
        lo.attach((now, f) -> {
            int id = TestFrames.id(f, 14);
            ids.add(id);
            if (id < 3) lo.transmit(now, TestFrames.ethernetUdp(0, id + 1));
        });
        lo.transmit(0, TestFrames.ethernetUdp(0, 1));
        lo.poll(0);
        assertEquals(List.of(1), ids);
        assertEquals(0, lo.pollAt());
        lo.poll(0);
        lo.poll(0);
        assertEquals(List.of(1, 2, 3), ids);
        assertEquals(Time.NEVER, lo.pollAt());
    }
}
