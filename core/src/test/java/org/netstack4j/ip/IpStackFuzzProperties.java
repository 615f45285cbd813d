package org.netstack4j.ip;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.ip.TwoHosts.IP_A;
import static org.netstack4j.ip.TwoHosts.IP_B;
import static org.netstack4j.ip.TwoHosts.MAC_A;
import static org.netstack4j.ip.TwoHosts.MAC_B;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.netstack4j.device.Medium;
import org.netstack4j.time.Time;
import org.netstack4j.wire.Checksum;
import org.netstack4j.wire.EthernetRepr;

/**
 * Random and mutated frames fed to a stack never make it throw, and every bound holds
 * afterwards (reassembly memory, ARP table). Fixed seeds: the same cases every run.
 */
class IpStackFuzzProperties {
    static final int[] PROTOCOLS = {1, 6, 17, 200};

    /** Frames a real conversation produces: ARP, ping, UDP, fragments. Mutation fodder. */
    static final List<byte[]> TEMPLATES = conversation();

    static List<byte[]> conversation() {
        TwoHosts h = TwoHosts.ethernet();
        h.b.udpBind(IP_B, 53);
        UdpSocket s = h.a.udpBind(IP_A, 1000);
        h.a.ping(0, IP_B, 1, 1, new byte[] {1, 2, 3}, -1);
        h.settle();
        s.sendTo(0, IP_B, 53, new byte[20], 0, 20);
        s.sendTo(0, IP_B, 54, new byte[20], 0, 20);
        s.sendTo(0, IP_B, 53, new byte[3000], 0, 3000);
        h.settle();
        List<byte[]> out = new ArrayList<>(h.link.a.sent);
        out.addAll(h.link.b.sent);
        return out;
    }

    /** Sets a valid IPv4 header checksum at frame[off] (so parsing gets past it). */
    static void fixIpChecksum(byte[] f, int off) {
        if (f.length < off + 20) return;
        int hl = (f[off] & 0x0f) * 4;
        if (hl < 20 || off + hl > f.length) return;
        f[off + 10] = 0;
        f[off + 11] = 0;
        int sum = Checksum.compute(f, off, hl);
        f[off + 10] = (byte) (sum >>> 8);
        f[off + 11] = (byte) sum;
    }

    static byte[] shaped(int shape, byte[] body, int protoIndex, SplittableRandom rnd, boolean ethernet) {
        int head = ethernet ? EthernetRepr.HEADER_LENGTH : 0;
        switch (shape) {
            case 0 -> { return body; }
            case 1, 2 -> { // to our MAC, ARP or IPv4, random rest
                byte[] f = new byte[EthernetRepr.HEADER_LENGTH + body.length];
                new EthernetRepr(MAC_B, MAC_A, shape == 1 ? EthernetRepr.ETHERTYPE_ARP : EthernetRepr.ETHERTYPE_IPV4).emit(f, 0);
                System.arraycopy(body, 0, f, EthernetRepr.HEADER_LENGTH, body.length);
                if (shape == 1 && f.length >= 22) { // plausible ARP header: Ethernet/IPv4
                    f[14] = 0; f[15] = 1; f[16] = 8; f[17] = 0; f[18] = 6; f[19] = 4;
                }
                return f;
            }
            case 3 -> { // a plausible IPv4 header for us with a random payload and a good checksum
                byte[] f = new byte[head + 20 + body.length];
                if (ethernet) new EthernetRepr(MAC_B, MAC_A, EthernetRepr.ETHERTYPE_IPV4).emit(f, 0);
                int total = 20 + body.length;
                f[head] = 0x45;
                f[head + 2] = (byte) (total >>> 8);
                f[head + 3] = (byte) total;
                f[head + 4] = (byte) rnd.nextInt(4);
                f[head + 6] = (byte) (rnd.nextBoolean() ? 0 : rnd.nextInt(256) & 0x3f);
                f[head + 7] = (byte) (rnd.nextBoolean() ? 0 : rnd.nextInt(256));
                f[head + 8] = (byte) rnd.nextInt(256);
                f[head + 9] = (byte) PROTOCOLS[protoIndex];
                (rnd.nextInt(8) == 0 ? TwoHosts.IP_B : IP_A).write(f, head + 12);
                (rnd.nextInt(8) == 0 ? org.netstack4j.wire.Ipv4Address.BROADCAST : IP_B).write(f, head + 16);
                System.arraycopy(body, 0, f, head + 20, body.length);
                if (PROTOCOLS[protoIndex] == 17 && body.length >= 8) { // UDP: right length, no checksum
                    f[head + 24] = (byte) (body.length >>> 8);
                    f[head + 25] = (byte) body.length;
                    f[head + 26] = 0;
                    f[head + 27] = 0;
                }
                fixIpChecksum(f, head);
                return f;
            }
            default -> { // a real frame with a few bytes flipped, IP checksum repaired or not
                byte[] t = TEMPLATES.get(rnd.nextInt(TEMPLATES.size()));
                byte[] f = ethernet ? t.clone() : java.util.Arrays.copyOfRange(t, EthernetRepr.HEADER_LENGTH, t.length);
                int flips = 1 + rnd.nextInt(4);
                for (int i = 0; i < flips && f.length > 0; i++) f[rnd.nextInt(f.length)] ^= (byte) (1 + rnd.nextInt(255));
                if (rnd.nextBoolean()) fixIpChecksum(f, head);
                if (rnd.nextInt(4) == 0) f = java.util.Arrays.copyOf(f, rnd.nextInt(f.length + 1));
                return f;
            }
        }
    }

    void feed(Medium medium, List<byte[]> bodies, int shape, int protoIndex, long seed) {
        TwoHosts h = new TwoHosts(medium, medium == Medium.ETHERNET ? 1500 : 576);
        h.b.udpBind(IP_B, 53);
        h.b.setProtocolHandler(6, (now, ip, buf, off, len) -> { });
        SplittableRandom rnd = new SplittableRandom(seed);
        for (byte[] body : bodies) {
            byte[] f = shaped(shape == 5 ? rnd.nextInt(5) : shape, body, protoIndex, rnd, medium == Medium.ETHERNET);
            h.link.b.inject(h.now, f);
            h.settle();
            h.advance(Time.ms(rnd.nextInt(2000)));
        }
        h.advance(Time.s(61)); // every timer: reassembly timeouts, ARP retries and expiry
        assertTrue(h.b.reassemblyMemory() <= Reassembler.MAX_MEMORY);
        assertTrue(h.b.reassemblyMemory() == 0, "everything timed out");
        assertTrue(h.b.neighbors().size() <= ArpCache.MAX_ENTRIES);
    }

    @Property(tries = 1500, seed = "20261125")
    void randomEthernetFramesNeverThrow(@ForAll @Size(max = 6) List<@Size(max = 120) byte[]> bodies,
                                        @ForAll @IntRange(min = 0, max = 5) int shape,
                                        @ForAll @IntRange(min = 0, max = 3) int protoIndex,
                                        @ForAll long seed) {
        feed(Medium.ETHERNET, bodies, shape, protoIndex, seed);
    }

    @Property(tries = 800, seed = "4242")
    void randomIpPacketsNeverThrow(@ForAll @Size(max = 6) List<@Size(max = 120) byte[]> bodies,
                                   @ForAll @IntRange(min = 0, max = 4) int shapeIndex,
                                   @ForAll @IntRange(min = 0, max = 3) int protoIndex,
                                   @ForAll long seed) {
        int shape = new int[] {0, 3, 3, 4, 5}[shapeIndex];
        feed(Medium.IP, bodies, shape, protoIndex, seed);
    }
}
