package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.netstack4j.tcp.TcpConfig;

/** Shard selection and port partitioning of {@link TunShards}, without a kernel. */
class TunShardsUnitTest {
    @Test
    void portSlicesAreDisjointContiguousAndCoverTheRange() {
        for (int shards = 1; shards <= 7; shards++) {
            int next = 49152;
            int smallest = Integer.MAX_VALUE, largest = 0;
            for (int q = 0; q < shards; q++) {
                int[] r = TunShards.portRange(49152, 65535, q, shards);
                assertEquals(next, r[0], "slice " + q + " of " + shards + " starts where the previous ended");
                next = r[1] + 1;
                smallest = Math.min(smallest, r[1] - r[0] + 1);
                largest = Math.max(largest, r[1] - r[0] + 1);
            }
            assertEquals(65536, next, "the slices of " + shards + " cover the range");
            assertEquals(true, largest - smallest <= 1, "sizes differ by at most one");
        }
        assertArrayEquals(new int[] {49152, 57343}, TunShards.portRange(49152, 65535, 0, 2));
        assertArrayEquals(new int[] {57344, 65535}, TunShards.portRange(49152, 65535, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> TunShards.portRange(100, 101, 0, 3));
        assertThrows(IllegalArgumentException.class, () -> TunShards.portRange(100, 200, 2, 2));
    }

    @Test
    void eachShardsConfigGetsItsSlice() {
        TcpConfig c = TcpConfig.defaults();
        TcpConfig q1 = TunShards.portsOf(c, 1, 2);
        assertEquals(57344, q1.limits().ephemeralPortMin());
        assertEquals(65535, q1.limits().ephemeralPortMax());
        TcpConfig q0 = TunShards.portsOf(c, 0, 2);
        assertEquals(49152, q0.limits().ephemeralPortMin());
        assertEquals(57343, q0.limits().ephemeralPortMax());
    }

    @Test
    void aFlowBelongsToTheShardThatWroteItsSynOrSynAck() {
        TunShards.Steering s = new TunShards.Steering(2, 15);
        byte[] synAck = tcp4("10.0.0.2", 80, "10.0.0.1", 40000, 0x12);
        byte[] ack = tcp4("10.0.0.1", 40000, "10.0.0.2", 80, 0x10);
        byte[] otherAck = tcp4("10.0.0.1", 40001, "10.0.0.2", 80, 0x10);
        byte[] syn = tcp4("10.0.0.1", 40000, "10.0.0.2", 80, 0x02);
        assertEquals(-1, s.ownerOf(ack), "unknown flow: stays where the kernel put it");
        s.sent(1, synAck);
        assertEquals(1, s.ownerOf(ack), "shard 1 answered the SYN");
        assertEquals(-1, s.ownerOf(otherAck), "another client port is another flow");
        assertEquals(-1, s.ownerOf(syn), "a new SYN goes to the shard the kernel chose");
        s.sent(0, tcp4("10.0.0.2", 80, "10.0.0.1", 40000, 0x12));
        assertEquals(0, s.ownerOf(ack), "a later SYN,ACK of the same 4-tuple (a new connection) moves it");
        s.sent(1, tcp4("10.0.0.2", 80, "10.0.0.1", 40000, 0x10));
        assertEquals(0, s.ownerOf(ack), "segments without SYN do not move a flow");
        // an active open: our SYN out, the peer's SYN,ACK (has ACK) comes back to us
        s.sent(1, tcp4("10.0.0.2", 50000, "10.0.0.9", 443, 0x02));
        assertEquals(1, s.ownerOf(tcp4("10.0.0.9", 443, "10.0.0.2", 50000, 0x12)));
    }

    @Test
    void udpGoesToShardZeroAndOtherProtocolsStay() {
        TunShards.Steering s = new TunShards.Steering(3, 1);
        byte[] udp = tcp4("10.0.0.1", 5353, "10.0.0.2", 53, 0);
        udp[9] = 17;
        assertEquals(0, s.ownerOf(udp));
        byte[] icmp = tcp4("10.0.0.1", 0, "10.0.0.2", 0, 0);
        icmp[9] = 1;
        assertEquals(0, s.ownerOf(icmp), "echo replies reach the pinger on shard 0");
        byte[] gre = tcp4("10.0.0.1", 0, "10.0.0.2", 0, 0);
        gre[9] = 47;
        assertEquals(-1, s.ownerOf(gre));
        assertEquals(-1, s.ownerOf(new byte[3]));
    }

    @Test
    void connectionRequestsToUnspreadPortsGoToShardZero() {
        TunShards.Steering s = new TunShards.Steering(2, 3);
        byte[] synHttp = tcp4("10.0.0.1", 40000, "10.0.0.2", 80, 0x02);
        byte[] synFtp = tcp4("10.0.0.1", 40000, "10.0.0.2", 21, 0x02);
        assertEquals(-1, s.ownerOf(synFtp), "every port spread by default");
        s.spreadOnly(80);
        assertEquals(-1, s.ownerOf(synHttp));
        assertEquals(0, s.ownerOf(synFtp), "a service on shard 0 only");
    }

    @Test
    void ipv6FlowsAreSteeredToo() {
        TunShards.Steering s = new TunShards.Steering(2, 7);
        s.sent(1, tcp6(2, 80, 1, 40000, 0x12));
        assertEquals(1, s.ownerOf(tcp6(1, 40000, 2, 80, 0x10)));
        assertEquals(-1, s.ownerOf(tcp6(3, 40000, 2, 80, 0x10)));
    }

    @Test
    void eachShardCapturesToItsOwnFile() {
        assertEquals(Path.of("/tmp/x.q1.pcap"), TunShards.pcapOf(Path.of("/tmp/x.pcap"), 1));
        assertEquals(Path.of("cap.q0"), TunShards.pcapOf(Path.of("cap"), 0));
    }

    private static byte[] tcp4(String src, int sport, String dst, int dport, int flags) {
        byte[] p = new byte[40];
        p[0] = 0x45;
        p[9] = 6;
        String[] a = src.split("\\."), b = dst.split("\\.");
        for (int i = 0; i < 4; i++) {
            p[12 + i] = (byte) Integer.parseInt(a[i]);
            p[16 + i] = (byte) Integer.parseInt(b[i]);
        }
        p[20] = (byte) (sport >> 8);
        p[21] = (byte) sport;
        p[22] = (byte) (dport >> 8);
        p[23] = (byte) dport;
        p[32] = 0x50;
        p[33] = (byte) flags;
        return p;
    }

    private static byte[] tcp6(int src, int sport, int dst, int dport, int flags) {
        byte[] p = new byte[60];
        p[0] = 0x60;
        p[6] = 6;
        p[8] = (byte) 0xfd;
        p[23] = (byte) src;
        p[24] = (byte) 0xfd;
        p[39] = (byte) dst;
        p[40] = (byte) (sport >> 8);
        p[41] = (byte) sport;
        p[42] = (byte) (dport >> 8);
        p[43] = (byte) dport;
        p[52] = 0x50;
        p[53] = (byte) flags;
        return p;
    }
}
