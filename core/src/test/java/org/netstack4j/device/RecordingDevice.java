package org.netstack4j.device;

import java.util.ArrayList;
import java.util.List;

/** A test device: remembers what is transmitted and lets the test push frames in. */
final class RecordingDevice implements Device {
    record Sent(long time, byte[] frame) {}

    final List<Sent> sent = new ArrayList<>();
    private final Medium medium;
    private FrameSink sink = FrameSink.DISCARD;

    RecordingDevice(Medium medium) { this.medium = medium; }

    @Override public Medium medium() { return medium; }

    @Override public int mtu() { return 1500; }

    @Override public void transmit(long now, byte[] frame) { sent.add(new Sent(now, frame)); }

    @Override public void attach(FrameSink sink) { this.sink = sink; }

    void inject(long now, byte[] frame) { sink.receive(now, frame); }

    List<Integer> sentIds() {
        int ipOff = medium == Medium.ETHERNET ? 14 : 0;
        return sent.stream().map(s -> TestFrames.id(s.frame(), ipOff)).toList();
    }
}
