package org.netstack4j.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.netstack4j.device.Medium;
import org.netstack4j.time.Time;
import org.netstack4j.wire.EthernetRepr;

/**
 * Jazzer target: frames into an IP stack's receive entry point (Ethernet, ARP, IPv4 with
 * fragment reassembly, ICMP, UDP). The input is a list of records: a kind byte, a length byte,
 * then the frame. Kind bit 0: readdress the frame to the stack (its MAC and IP, from its
 * neighbour), repair the IPv4 header checksum and clear a UDP one, so the fuzzer gets past
 * them; bits 1-2:
 * virtual time to pass afterwards. After every frame: nothing thrown, reassembly memory and the
 * ARP table within their limits; after a minute of virtual time, all reassembly memory freed.
 */
class IpStackFrameFuzzer {
    @FuzzTest(maxDuration = "30s")
    void frames(byte[] data) {
        boolean ethernet = data.length == 0 || (data[0] & 1) == 0;
        TwoHosts h = new TwoHosts(ethernet ? Medium.ETHERNET : Medium.IP, ethernet ? 1500 : 576);
        h.b.udpBind(TwoHosts.IP_B, 53);
        h.b.setProtocolHandler(6, (now, ip, buf, off, len) -> { });
        int p = 1;
        while (p + 2 <= data.length) {
            int kind = data[p] & 0xff, len = data[p + 1] & 0xff;
            if (kind >= 0xf0) len = len * 8; // room for full-size frames and fragments
            p += 2;
            byte[] f = Arrays.copyOfRange(data, p, Math.min(data.length, p + len));
            p += len;
            if ((kind & 1) != 0) readdress(f, ethernet);
            h.link.b.inject(h.now, f);
            h.settle();
            h.advance(new long[] {0, Time.ms(10), Time.s(1), Time.s(20)}[(kind >>> 1) & 3]);
            check(h);
        }
        h.advance(Time.s(61));
        check(h);
        assertEquals(0, h.b.reassemblyMemory(), "reassembly memory left after every timeout");
    }

    private static void check(TwoHosts h) {
        assertTrue(h.b.reassemblyMemory() <= Reassembler.MAX_MEMORY, () -> "reassembly memory " + h.b.reassemblyMemory());
        assertTrue(h.b.neighbors().size() <= ArpCache.MAX_ENTRIES, () -> h.b.neighbors().size() + " ARP entries");
        h.link.a.sent.clear();
        h.link.b.sent.clear();
    }

    /** Points the frame at B (from A) where the fields exist, and repairs the IPv4 header checksum. */
    private static void readdress(byte[] f, boolean ethernet) {
        int ip = 0;
        if (ethernet) {
            if (f.length < EthernetRepr.HEADER_LENGTH) return;
            TwoHosts.MAC_B.write(f, 0);
            TwoHosts.MAC_A.write(f, 6);
            ip = EthernetRepr.HEADER_LENGTH;
            if ((f[12] & 0xff) == 0x08 && f[13] == 0x06) { // ARP: sender A, target B
                if (f.length >= ip + 28) {
                    TwoHosts.MAC_A.write(f, ip + 8);
                    TwoHosts.IP_A.write(f, ip + 14);
                    TwoHosts.IP_B.write(f, ip + 24);
                }
                return;
            }
        }
        if (f.length < ip + 20) return;
        TwoHosts.IP_A.write(f, ip + 12);
        TwoHosts.IP_B.write(f, ip + 16);
        int hl = (f[ip] & 0xf) * 4;
        if (f[ip + 9] == 17 && f.length >= ip + hl + 8) { // UDP: the pseudo-header changed, so "no checksum"
            f[ip + hl + 6] = 0;
            f[ip + hl + 7] = 0;
        }
        IpStackFuzzProperties.fixIpChecksum(f, ip);
    }
}
