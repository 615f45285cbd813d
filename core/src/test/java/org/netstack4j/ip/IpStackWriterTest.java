package org.netstack4j.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.netstack4j.ip.TwoHosts.IP_A;
import static org.netstack4j.ip.TwoHosts.IP_B;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;

/**
 * {@link IpStack#send(long, Ipv4Address, Ipv4Address, int, int, boolean, int, IpStack.PayloadWriter)}
 * (payload written into the frame) against the array variant: the same frames on the link, the
 * same deliveries, return values and counters, in every output path (whole datagram over
 * Ethernet and over an IP medium, fragmented, DF and too big, to our own address, dropped).
 */
class IpStackWriterTest {
    private record Run(List<boolean[]> results, List<byte[]> sentA, List<String> deliveredB, List<String> deliveredA,
                       String countersA, int writes) {}

    private static Run run(Supplier<TwoHosts> setup, boolean viaWriter, int ttl, boolean df, Ipv4Address src,
                           Ipv4Address dst, int... lengths) {
        TwoHosts h = setup.get();
        List<String> gotB = new ArrayList<>(), gotA = new ArrayList<>();
        h.b.setProtocolHandler(200, (now, ip, buf, off, len) -> gotB.add(ip + " " + sum(buf, off, len)));
        h.a.setProtocolHandler(200, (now, ip, buf, off, len) -> gotA.add(ip + " " + sum(buf, off, len)));
        List<boolean[]> results = new ArrayList<>();
        int[] writes = {0};
        SplittableRandom r = new SplittableRandom(5);
        for (int len : lengths) {
            byte[] payload = new byte[len + 3];
            r.nextBytes(payload);
            boolean ok;
            if (viaWriter) {
                ok = h.a.send(h.now, src, dst, 200, ttl, df, len, (buf, at) -> {
                    writes[0]++;
                    System.arraycopy(payload, 3, buf, at, len);
                });
            } else {
                ok = h.a.send(h.now, src, dst, 200, ttl, df, payload, 3, len);
            }
            results.add(new boolean[] {ok});
            h.settle();
        }
        return new Run(results, h.link.a.sent, gotB, gotA, h.ca.snapshot().toString(), writes[0]);
    }

    private static String sum(byte[] b, int off, int len) {
        long s = len;
        for (int i = 0; i < len; i++) s = s * 31 + b[off + i];
        return len + ":" + Long.toHexString(s);
    }

    private static void same(Supplier<TwoHosts> setup, int ttl, boolean df, Ipv4Address src, Ipv4Address dst,
                             int expectedWrites, int... lengths) {
        Run array = run(setup, false, ttl, df, src, dst, lengths);
        Run writer = run(setup, true, ttl, df, src, dst, lengths);
        assertEquals(array.results.size(), writer.results.size());
        for (int i = 0; i < array.results.size(); i++) assertEquals(array.results.get(i)[0], writer.results.get(i)[0]);
        assertEquals(array.sentA.size(), writer.sentA.size(), "frames sent");
        for (int i = 0; i < array.sentA.size(); i++) assertArrayEquals(array.sentA.get(i), writer.sentA.get(i), "frame " + i);
        assertEquals(array.deliveredB, writer.deliveredB);
        assertEquals(array.deliveredA, writer.deliveredA);
        assertEquals(array.countersA, writer.countersA);
        assertEquals(expectedWrites, writer.writes, "the writer runs once per datagram built, never for a drop");
    }

    @Test void ethernetWholeAndFragmentedDatagrams() {
        same(TwoHosts::ethernet, -1, false, IP_A, IP_B, 4, 0, 5, 1480, 4000);
        same(TwoHosts::ethernet, 9, false, Ipv4Address.ANY, IP_B, 2, 100, 3000);
    }

    @Test void ipMediumWithSmallMtu() {
        same(() -> new TwoHosts(Medium.IP, 576), -1, false, IP_A, IP_B, 3, 10, 556, 1400);
    }

    @Test void ourOwnAddressLoopsBack() {
        same(TwoHosts::ethernet, -1, false, Ipv4Address.ANY, IP_A, 2, 7, 2000);
    }

    @Test void dropsNeverCallTheWriter() {
        same(TwoHosts::ethernet, -1, true, IP_A, IP_B, 1, 1000, 3000); // DF and too big: dropped
        same(TwoHosts::ethernet, 0, false, IP_A, IP_B, 0, 10); // TTL 0
        same(TwoHosts::ethernet, -1, false, IP_A, Ipv4Address.parse("192.0.2.1"), 0, 10); // no route
        same(TwoHosts::ethernet, -1, false, IP_A, Ipv4Address.ANY, 0, 10); // destination 0.0.0.0
        same(TwoHosts::ethernet, -1, false, IP_A, IP_B, 0, 65516); // longer than 65535 with the header
    }
}
