package org.netstack4j.ip;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.netstack4j.device.Device;
import org.netstack4j.device.FrameSink;
import org.netstack4j.device.Medium;

/**
 * A point-to-point wire for tests: frames transmitted on one end wait until {@link #drain}
 * delivers them to the other end's sink. Every frame sent is logged (copied) per end.
 */
final class TestLink {
    final End a, b;

    TestLink(Medium medium, int mtu) {
        a = new End(medium, mtu);
        b = new End(medium, mtu);
        a.peer = b;
        b.peer = a;
    }

    static final class End implements Device {
        private final Medium medium;
        private final int mtu;
        End peer;
        private FrameSink sink = FrameSink.DISCARD;
        final ArrayDeque<byte[]> inbox = new ArrayDeque<>();
        /** Copies of every frame this end transmitted, in order. */
        final List<byte[]> sent = new ArrayList<>();
        /** Frames this end transmits for which this is true are lost. */
        Predicate<byte[]> lose = f -> false;

        End(Medium medium, int mtu) { this.medium = medium; this.mtu = mtu; }

        @Override public Medium medium() { return medium; }
        @Override public int mtu() { return mtu; }
        @Override public void transmit(long now, byte[] frame) {
            sent.add(frame.clone());
            if (!lose.test(frame)) peer.inbox.add(frame);
        }
        @Override public void attach(FrameSink sink) { this.sink = sink; }

        /** Delivers a frame to this end's sink now, as if it came off the wire. */
        void inject(long now, byte[] frame) { sink.receive(now, frame); }
    }

    /** Delivers queued frames both ways until the wire is quiet; returns how many. */
    int drain(long now) {
        int n = 0;
        while (!a.inbox.isEmpty() || !b.inbox.isEmpty()) {
            if (++n > 100_000) throw new AssertionError("frames keep coming: a loop?");
            End e = !a.inbox.isEmpty() ? a : b;
            e.sink.receive(now, e.inbox.poll());
        }
        return n;
    }
}
