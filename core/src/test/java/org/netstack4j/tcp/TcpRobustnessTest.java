package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/** Arbitrary segments in every state never throw and never break the bookkeeping invariants. */
class TcpRobustnessTest {

    @Property(tries = 300, seed = "20261125")
    void randomSegmentsNeverThrow(@ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        TcpHarness h = new TcpHarness(switch (r.nextInt(3)) {
            case 0 -> TcpConfig.defaults();
            case 1 -> TcpConfig.linuxLike();
            default -> TcpConfig.freebsdLike();
        });
        h.peerSynOptions = List.of(new TcpOption.Mss(536 + r.nextInt(1000)), new TcpOption.SackPermitted(),
                new TcpOption.WindowScale(r.nextInt(16)), new TcpOption.Timestamps(r.nextInt(), 0));
        switch (r.nextInt(7)) {
            case 0 -> h.synSent();
            case 1 -> h.established();
            case 2 -> h.finWait1();
            case 3 -> h.finWait2();
            case 4 -> h.closeWait();
            case 5 -> h.lastAck();
            default -> h.synReceived();
        }
        if (h.conn != null && h.conn.writable() > 0) h.send(TcpHarness.bytes(r.nextInt(5000), 1));
        for (int i = 0; i < 40; i++) {
            int flags = r.nextInt(256);
            int relSeq = r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(-3000, 70000);
            int relAck = r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(-3000, 6000);
            int len = r.nextInt(3) == 0 ? 0 : r.nextInt(3000);
            List<TcpOption> opts = switch (r.nextInt(4)) {
                case 0 -> List.of();
                case 1 -> List.of(new TcpOption.Timestamps(r.nextInt(), r.nextInt()));
                case 2 -> List.of(new TcpOption.Sack(List.of(new TcpOption.SackBlock(r.nextInt(), r.nextInt()))));
                default -> List.of(new TcpOption.Mss(r.nextInt(65536)), new TcpOption.WindowScale(r.nextInt(256)));
            };
            TcpRepr t = new TcpRepr(h.remotePort, h.localPort, TcpHarness.PEER_ISS + relSeq, h.iss + relAck, flags,
                    r.nextInt(65536), r.nextInt(65536), opts);
            h.inject(t, new byte[len]);
            if (r.nextInt(5) == 0) h.advance(r.nextInt(3000));
            if (h.conn != null && r.nextInt(4) == 0) {
                try {
                    h.conn.receive(h.now, new byte[4096], 0, 4096);
                } catch (TcpException reported) {
                    // the API's way to tell the user of a reset or closed connection: not a stack failure
                }
            }
            TcpConnection c = h.conn;
            if (c != null) {
                TcpStatus st = c.status();
                assertTrue(st.receiveQueued() <= h.cfg.buffers().receiveBufferSize());
                assertTrue(st.sendQueued() <= h.cfg.buffers().sendBufferSize());
                assertTrue(Seq.le(st.sndUna(), st.sndNxt()), "snd.una <= snd.nxt");
            }
        }
        h.advance(200_000);
        assertTrue(h.layer.connectionCount() <= 3);
    }
}
