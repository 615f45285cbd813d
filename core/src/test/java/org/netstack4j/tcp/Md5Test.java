package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.tcp.TcpHarness.A;
import static org.netstack4j.tcp.TcpHarness.LOCAL;
import static org.netstack4j.tcp.TcpHarness.P;
import static org.netstack4j.tcp.TcpHarness.R;
import static org.netstack4j.tcp.TcpHarness.REMOTE;
import static org.netstack4j.tcp.TcpHarness.S;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.IpMeta;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/** TCP-MD5 signatures (RFC 2385) on the wire: {@link Md5}. */
class Md5Test {
    private static final byte[] KEY = "secret-key".getBytes(StandardCharsets.US_ASCII);

    /** The digest written out by hand from RFC 2385 2.0, independent of {@link Md5#digest}. */
    private static byte[] rfcDigest(IpAddress src, IpAddress dst, TcpRepr t, byte[] payload, byte[] key) throws Exception {
        byte[] wire = new byte[t.headerLength() + payload.length];
        t.emit(src, dst, wire, 0, payload, 0, payload.length);
        MessageDigest md = MessageDigest.getInstance("MD5");
        md.update(src.toBytes());
        md.update(dst.toBytes());
        int len = wire.length;
        if (src instanceof Ipv4Address) md.update(new byte[] {0, 6, (byte) (len >> 8), (byte) len});
        else md.update(new byte[] {0, 0, (byte) (len >> 8), (byte) len, 0, 0, 0, 6});
        wire[16] = 0; // checksum
        wire[17] = 0;
        md.update(wire, 0, 20);
        md.update(payload);
        md.update(key);
        return md.digest();
    }

    private static byte[] sig(TcpRepr t) {
        byte[] s = Md5.signature(t);
        assertNotNull(s, "no TCP-MD5 option in " + t);
        return s;
    }

    /** A segment from the peer, signed with {@code key} (null: unsigned), with the harness's peer options after the signature. */
    private static TcpRepr signedSeg(TcpHarness h, int flags, int relSeq, int relAck, byte[] data, byte[] key) throws Exception {
        TcpRepr plain = h.seg(flags, relSeq, relAck);
        if (key == null) return plain;
        List<TcpOption> opts = new ArrayList<>(List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Unknown(19, new byte[16])));
        opts.addAll(plain.options());
        TcpRepr t = new TcpRepr(plain.srcPort(), plain.dstPort(), plain.seq(), plain.ack(), plain.flags(), plain.window(), 0, opts);
        opts.set(2, new TcpOption.Unknown(19, rfcDigest(REMOTE, LOCAL, t, data, key)));
        return new TcpRepr(plain.srcPort(), plain.dstPort(), plain.seq(), plain.ack(), plain.flags(), plain.window(), 0, opts);
    }

    private static TcpHarness keyedClient() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike());
        h.conn = h.layer.connect(h.now, REMOTE, h.remotePort, h.events, ConnectOptions.from(LOCAL).withLocalPort(h.localPort)
                .withConfig(TcpConfig.linuxLike()).withMd5Keys(List.of(TcpMd5Key.of(REMOTE, KEY))));
        return h;
    }

    @Test void theDigestIsRfc2385sForBothFamilies() throws Exception {
        TcpRepr t = new TcpRepr(1234, 80, 0x01020304, 0x0a0b0c0d, A | P, 512, 0,
                List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Unknown(19, new byte[16])));
        byte[] data = "payload".getBytes(StandardCharsets.US_ASCII);
        TcpMd5Key k = TcpMd5Key.of(REMOTE, KEY);
        assertArrayEquals(rfcDigest(LOCAL, REMOTE, t, data, KEY), Md5.digest(LOCAL, REMOTE, t, data, 0, data.length, k));
        Ipv6Address a = Ipv6Address.parse("fd00::1"), b = Ipv6Address.parse("fd00::2");
        assertArrayEquals(rfcDigest(a, b, t, data, KEY), Md5.digest(a, b, t, data, 0, data.length, TcpMd5Key.of(b, KEY)));
        // a known vector: the same bytes through Python's hashlib (pseudo-header, header with data offset 10, payload, key)
        assertEquals("7a1636ca988fd3f1d3520f5f5e3f8fa3", HexFormat.of().formatHex(Md5.digest(LOCAL, REMOTE, t, data, 0, data.length, k)));
    }

    @Test void everySegmentOfAKeyedConnectionIsSignedAndTheSynHasNoTimestamps() throws Exception {
        TcpHarness h = keyedClient();
        TcpHarness.Out syn = h.next();
        h.iss = syn.tcp().seq();
        assertEquals(S, syn.tcp().flags());
        assertArrayEquals(rfcDigest(LOCAL, REMOTE, syn.tcp(), syn.payload(), KEY), sig(syn.tcp()));
        // Linux tcp_syn_options: NOP,NOP,MD5 first; no timestamps beside it
        assertEquals(19, syn.tcp().options().get(2).kind());
        assertTrue(syn.tcp().options().stream().noneMatch(o -> o instanceof TcpOption.Timestamps), syn.tcp().toString());
        h.inject(signedSeg(h, S | A, 0, 1, new byte[0], KEY), new byte[0]);
        TcpHarness.Out ack = h.expect(A, 1, 1, 0);
        assertArrayEquals(rfcDigest(LOCAL, REMOTE, ack.tcp(), ack.payload(), KEY), sig(ack.tcp()));
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
        h.conn.setNoDelay(true);
        h.send("hello".getBytes(StandardCharsets.US_ASCII));
        TcpHarness.Out data = h.expectData(1, 1, 5);
        assertArrayEquals(rfcDigest(LOCAL, REMOTE, data.tcp(), data.payload(), KEY), sig(data.tcp()));
        // the effective MSS leaves room for the signature
        assertEquals(1460 - Md5.SPACE, h.conn.status().effectiveMss());
        // a signed segment from the peer is taken
        byte[] in = "world".getBytes(StandardCharsets.US_ASCII);
        h.inject(signedSeg(h, A | P, 1, 6, in, KEY), in);
        assertEquals("world", new String(h.readAll(), StandardCharsets.US_ASCII));
        // the abort RST is signed too
        h.out.clear();
        h.conn.abort(h.now);
        TcpHarness.Out rst = h.next();
        assertTrue(rst.tcp().has(R), rst.tcp().toString());
        assertArrayEquals(rfcDigest(LOCAL, REMOTE, rst.tcp(), rst.payload(), KEY), sig(rst.tcp()));
    }

    @Test void unsignedForgedAndUnexpectedSegmentsAreDroppedAndCounted() throws Exception {
        TcpHarness h = keyedClient();
        h.iss = h.next().tcp().seq();
        h.inject(signedSeg(h, S | A, 0, 1, new byte[0], KEY), new byte[0]);
        h.expect(A, 1, 1, 0);
        byte[] in = "data!".getBytes(StandardCharsets.US_ASCII);
        h.inject(signedSeg(h, A | P, 1, 1, in, null), in); // missing
        assertTrue(h.dropped("md5_not_found"));
        h.inject(signedSeg(h, A | P, 1, 1, in, "wrong".getBytes(StandardCharsets.US_ASCII)), in); // forged
        assertTrue(h.dropped("md5_failure"));
        TcpRepr good = signedSeg(h, A | P, 1, 1, in, KEY);
        byte[] tampered = "data?".getBytes(StandardCharsets.US_ASCII);
        h.inject(good, tampered); // the payload changed on the way
        assertEquals(2, h.counters.get("tcp.drop.md5_failure"));
        h.expectNothing();
        assertEquals(0, h.conn.readable());
        h.inject(good, in);
        assertEquals("data!", new String(h.readAll(), StandardCharsets.US_ASCII));

        // a signed segment for a connection without a key: TCPMD5Unexpected
        TcpHarness plain = new TcpHarness(TcpConfig.linuxLike()).established();
        plain.inject(signedSeg(plain, A | P, 1, 1, in, KEY), in);
        assertTrue(plain.dropped("md5_unexpected"));
        assertEquals(0, plain.conn.readable());
    }

    @Test void aListenerKeyByPrefixSignsTheSynAckAndTheChild() throws Exception {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).listening();
        h.listener.setMd5Key(new TcpMd5Key(Ipv4Address.parse("10.0.0.0"), 24, 0, KEY));
        h.peerSynOptions = List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(), new TcpOption.Timestamps(1, 0));
        // unsigned SYN from a peer the key covers: dropped, no SYN,ACK
        h.inject(h.seg(S, 0, 0), new byte[0]);
        h.expectNothing();
        assertTrue(h.dropped("md5_not_found"));
        h.inject(signedSeg(h, S, 0, 0, new byte[0], KEY), new byte[0]);
        TcpHarness.Out sa = h.next();
        assertEquals(S | A, sa.tcp().flags());
        h.iss = sa.tcp().seq();
        assertArrayEquals(rfcDigest(LOCAL, REMOTE, sa.tcp(), sa.payload(), KEY), sig(sa.tcp()));
        // Linux tcp_synack_options: the peer offered SACK, so no timestamps beside MD5
        assertTrue(sa.tcp().options().stream().noneMatch(o -> o instanceof TcpOption.Timestamps), sa.tcp().toString());
        assertTrue(sa.tcp().options().stream().anyMatch(o -> o instanceof TcpOption.SackPermitted), sa.tcp().toString());
        h.inject(signedSeg(h, A, 1, 1, new byte[0], KEY), new byte[0]);
        TcpConnection c = h.listener.accept();
        assertNotNull(c);
        assertEquals(TcpState.ESTABLISHED, c.state());
        // an ACK to the listener from a keyed peer with no connection: the RST is signed
        h.remotePort = 50001;
        h.inject(signedSeg(h, A, 100, 100, new byte[0], KEY), new byte[0]);
        TcpHarness.Out rst = h.next();
        assertTrue(rst.tcp().has(R));
        assertArrayEquals(rfcDigest(LOCAL, REMOTE, rst.tcp(), rst.payload(), KEY), sig(rst.tcp()));
    }

    @Test void aPeerOutsideTheListenersPrefixConnectsUnsignedAndAKeyIsDeletedByAnEmptyOne() throws Exception {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).listening();
        h.listener.setMd5Key(new TcpMd5Key(Ipv4Address.parse("10.0.1.0"), 24, 0, KEY));
        h.inject(h.seg(S, 0, 0), new byte[0]);
        TcpHarness.Out sa = h.next();
        assertNull(Md5.signature(sa.tcp()));
        h.listener.setMd5Key(new TcpMd5Key(Ipv4Address.parse("10.0.1.0"), 24, 0, new byte[0]));
        assertTrue(h.listener.md5KeyList().isEmpty());
    }

    /** {@code t} from the peer as received on the interface at {@code ifaceIndex} in the stack's list (TcpMd5Key ifindex ifaceIndex + 1). */
    private static void injectOn(TcpHarness h, int ifaceIndex, TcpRepr t, byte[] data) {
        h.layer.segmentArrives(h.now, new IpMeta(REMOTE, LOCAL, 0, 64, ifaceIndex, false), t, data, 0, data.length);
    }

    @Test void aKeyScopedToAnInterfaceAppliesOnlyToSegmentsReceivedThere() throws Exception {
        byte[] anyIf = "key-for-any-interface".getBytes(StandardCharsets.US_ASCII);
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).listening();
        // TCP_MD5SIG_FLAG_IFINDEX: KEY on ifindex 2 only; another key for the same peer on any interface
        h.listener.setMd5Key(new TcpMd5Key(REMOTE, 32, 2, KEY));
        h.listener.setMd5Key(new TcpMd5Key(REMOTE, 32, 0, anyIf));
        assertEquals(2, h.listener.md5KeyList().size(), "address, prefix and interface make a key's scope");
        // received on ifindex 2: the interface's key wins over the any-interface one of the same prefix
        injectOn(h, 1, signedSeg(h, S, 0, 0, new byte[0], KEY), new byte[0]);
        TcpHarness.Out sa = h.next();
        assertEquals(S | A, sa.tcp().flags());
        assertArrayEquals(rfcDigest(LOCAL, REMOTE, sa.tcp(), sa.payload(), KEY), sig(sa.tcp()));
        h.iss = sa.tcp().seq();
        injectOn(h, 1, signedSeg(h, A, 1, 1, new byte[0], KEY), new byte[0]);
        TcpConnection child = h.listener.accept();
        assertNotNull(child);
        assertEquals(KEY.length, Md5.key(child).keyBytes().length);
        // the child's key does not apply to a segment from another interface: signed, it is unexpected there
        injectOn(h, 0, signedSeg(h, A, 1, 1, new byte[0], KEY), new byte[0]);
        assertTrue(h.dropped("md5_unexpected"));
        // received on ifindex 1: KEY does not apply, the any-interface key does
        h.remotePort = 50001;
        injectOn(h, 0, signedSeg(h, S, 0, 0, new byte[0], KEY), new byte[0]);
        assertTrue(h.dropped("md5_failure"), "signed with the interface key where the other applies");
        h.out.clear();
        injectOn(h, 0, signedSeg(h, S, 0, 0, new byte[0], anyIf), new byte[0]);
        TcpHarness.Out sa2 = h.next();
        assertArrayEquals(rfcDigest(LOCAL, REMOTE, sa2.tcp(), sa2.payload(), anyIf), sig(sa2.tcp()));
        // with the any-interface key gone, an unsigned SYN on ifindex 1 is answered unsigned; on 2 it is dropped
        h.listener.setMd5Key(new TcpMd5Key(REMOTE, 32, 0, new byte[0]));
        h.remotePort = 50002;
        h.out.clear();
        injectOn(h, 0, h.seg(S, 0, 0), new byte[0]);
        assertNull(Md5.signature(h.next().tcp()));
        h.remotePort = 50003;
        long notFound = h.counters.get("tcp.drop.md5_not_found");
        injectOn(h, 1, h.seg(S, 0, 0), new byte[0]);
        h.expectNothing();
        assertEquals(notFound + 1, h.counters.get("tcp.drop.md5_not_found"));
    }

    @Test void theStackWideTableKeysSocketsWithoutTheirOwnByLongestPrefix() throws Exception {
        byte[] wide = "the-slash-8-key".getBytes(StandardCharsets.US_ASCII);
        byte[] own = "the-listeners-own".getBytes(StandardCharsets.US_ASCII);
        // an active open with no key of its own takes the table's longest match for its peer
        TcpHarness client = new TcpHarness(TcpConfig.linuxLike());
        client.layer.setMd5Key(new TcpMd5Key(Ipv4Address.parse("10.0.0.0"), 8, 0, wide));
        client.layer.setMd5Key(new TcpMd5Key(Ipv4Address.parse("10.0.0.0"), 24, 0, KEY));
        client.layer.setMd5Key(new TcpMd5Key(Ipv4Address.parse("10.0.0.0"), 24, 7, wide)); // another interface: not for an active open
        assertEquals(3, client.layer.md5Keys().size());
        client.conn = client.layer.connect(client.now, REMOTE, client.remotePort, client.events,
                ConnectOptions.from(LOCAL).withLocalPort(client.localPort).withConfig(TcpConfig.linuxLike()));
        TcpHarness.Out syn = client.next();
        assertArrayEquals(rfcDigest(LOCAL, REMOTE, syn.tcp(), syn.payload(), KEY), sig(syn.tcp()));

        // a listener without keys: its children inherit the table's key, and its SYN,ACK is signed with it
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).listening();
        h.layer.setMd5Key(new TcpMd5Key(Ipv4Address.parse("10.0.0.0"), 24, 0, KEY));
        h.inject(h.seg(S, 0, 0), new byte[0]);
        assertTrue(h.dropped("md5_not_found"), "the table's key covers the peer: an unsigned SYN is dropped");
        h.inject(signedSeg(h, S, 0, 0, new byte[0], KEY), new byte[0]);
        TcpHarness.Out sa = h.next();
        h.iss = sa.tcp().seq();
        assertArrayEquals(rfcDigest(LOCAL, REMOTE, sa.tcp(), sa.payload(), KEY), sig(sa.tcp()));
        h.inject(signedSeg(h, A, 1, 1, new byte[0], KEY), new byte[0]);
        TcpConnection child = h.listener.accept();
        assertNotNull(child);
        assertEquals(TcpState.ESTABLISHED, child.state());
        assertArrayEquals(KEY, Md5.key(child).key());
        // a socket's own key for the peer comes before the table's
        h.listener.setMd5Key(TcpMd5Key.of(REMOTE, own));
        h.remotePort = 50001;
        h.out.clear();
        h.inject(signedSeg(h, S, 0, 0, new byte[0], own), new byte[0]);
        TcpHarness.Out sa2 = h.next();
        assertArrayEquals(rfcDigest(LOCAL, REMOTE, sa2.tcp(), sa2.payload(), own), sig(sa2.tcp()));
        // an empty key deletes the table's entry: peers outside every key connect unsigned again
        h.layer.setMd5Key(new TcpMd5Key(Ipv4Address.parse("10.0.0.0"), 24, 0, new byte[0]));
        assertTrue(h.layer.md5Keys().isEmpty());
    }

    @Test void sackBlocksShareTheOptionSpaceAsLinuxDoes() {
        TcpHarness h = keyedClient();
        h.iss = h.next().tcp().seq();
        try {
            h.peerOptions = List.of();
            h.peerSynOptions = List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted());
            h.inject(signedSeg(h, S | A, 0, 1, new byte[0], KEY), new byte[0]);
            h.expect(A, 1, 1, 0);
            // two holes: without timestamps two SACK blocks fit beside the signature
            byte[] d = new byte[10];
            h.inject(signedSeg(h, A, 11, 1, d, KEY), d);
            h.inject(signedSeg(h, A, 31, 1, d, KEY), d);
            h.inject(signedSeg(h, A, 51, 1, d, KEY), d);
            TcpRepr last = null;
            while (!h.out.isEmpty()) last = h.next().tcp();
            assertNotNull(last);
            TcpOption.Sack sack = (TcpOption.Sack) last.options().stream().filter(o -> o instanceof TcpOption.Sack).findFirst().orElseThrow();
            assertEquals(2, sack.blocks().size(), last.toString());
            assertTrue(last.headerLength() <= 60);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
