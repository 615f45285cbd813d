package org.netstack4j.tcp;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.netstack4j.trace.DropReason;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * TCP-MD5 signatures (RFC 2385) as Linux does them. Keys belong to sockets: a listener's
 * ({@link TcpListener#setMd5Key}, by peer address, prefix and interface), copied to each
 * connection it opens for a peer they match, or given to an active open ({@link
 * ConnectOptions#md5Keys}).
 * Behind a socket's own keys is the stack-wide table ({@link TcpLayer#setMd5Key}): a socket with
 * no key of its own for a peer uses the table's, as if every socket had inherited it (Linux's
 * per-socket keys, inherited by a listener's children, looked up by peer prefix; FreeBSD keeps
 * its keys stack-wide). A keyed connection signs every segment, SYN and RST included; a RST or
 * SYN,ACK a listener sends is signed with its key for the peer. A key scoped to an interface
 * applies only to segments received there, and to the connections a listener opens from them.
 *
 * <p>The option (kind 19, length 18) goes first, after NOP,NOP (Linux tcp_options_write); the
 * digest is MD5 over the pseudo-header (RFC 2385 2.0 for IPv4; for IPv6 Linux's
 * tcp_v6_md5_hash_headers: addresses, 32-bit length, 32-bit protocol), the fixed TCP header
 * with checksum 0 and its real data offset, the payload, then the key. With MD5 on (Linux
 * tcp_syn_options, tcp_synack_options, tcp_established_options): a SYN carries no timestamps;
 * a SYN,ACK none when the peer offered SACK; data segments have room for 2 SACK blocks without
 * timestamps and none with them.
 *
 * <p>Received (Linux tcp_inbound_md5_hash): an unsigned segment for a socket holding a key for
 * the peer is dropped (TCPMD5NotFound), a signed one for a socket without (TCPMD5Unexpected), a
 * wrong digest too (TCPMD5Failure); a signed segment for no socket gets no RST.
 */
final class Md5 {
    private Md5() {}

    static final int KIND = 19, LENGTH = 18, DIGEST = 16;
    /** Option bytes a signed segment spends: NOP, NOP, the option (Linux TCPOLEN_MD5SIG_ALIGNED). */
    static final int SPACE = 20;

    /**
     * A socket's (or the stack's) keys; the longest matching prefix wins, and at the same prefix
     * a key for the segment's interface beats one for any (Linux tcp_md5_do_lookup, better_md5_match).
     */
    static final class Keys {
        private final List<TcpMd5Key> keys = new ArrayList<>(2);

        /** The key for {@code peer} on interface {@code ifindex} (0: none known, only keys for any interface). */
        TcpMd5Key lookup(IpAddress peer, int ifindex) {
            TcpMd5Key best = null;
            for (TcpMd5Key k : keys)
                if (k.matches(peer, ifindex) && (best == null || k.prefixLength() > best.prefixLength()
                        || k.prefixLength() == best.prefixLength() && best.ifindex() == 0 && k.ifindex() != 0)) best = k;
            return best;
        }

        /** Adds or replaces the key of that address and prefix; an empty key deletes it. */
        void set(TcpMd5Key k) {
            keys.removeIf(x -> x.sameScope(k));
            if (k.keyBytes().length > 0) keys.add(k);
        }

        List<TcpMd5Key> list() { return List.copyOf(keys); }
    }

    /** The connection's key (its peer's), or null. */
    static TcpMd5Key key(TcpConnection c) { return c.rare != null ? c.rare.md5 : null; }

    static boolean on(TcpConnection c) { return c.rare != null && c.rare.md5 != null; }

    /** The key of {@code own} (may be null) for the peer, else the stack-wide table's. */
    static TcpMd5Key lookup(TcpLayer layer, Keys own, IpAddress peer, int ifindex) {
        TcpMd5Key k = own == null ? null : own.lookup(peer, ifindex);
        return k != null || layer.md5Table() == null ? k : layer.md5Table().lookup(peer, ifindex);
    }

    /** Active open: the key among {@code keys} for the peer (else the stack's), before the SYN goes; no interface yet. */
    static void attach(TcpLayer layer, TcpConnection c, List<TcpMd5Key> keys) {
        Keys k = null;
        if (keys != null && !keys.isEmpty()) {
            k = new Keys();
            for (TcpMd5Key x : keys) k.set(x);
        }
        TcpMd5Key mine = lookup(layer, k, c.remoteAddress, 0);
        if (mine != null) Rare.of(c).md5 = mine;
    }

    /** A listener's new connection takes the listener's key (else the stack's) for its peer on the interface the segment came in by. */
    static void inherit(TcpLayer layer, TcpConnection c, TcpListener l, int ifindex) {
        TcpMd5Key mine = lookup(layer, l == null ? null : l.md5Keys(), c.remoteAddress, ifindex);
        if (mine != null) Rare.of(c).md5 = mine;
    }

    /** Option space the signature takes from every segment (the effective MSS shrinks by it). */
    static int optionSpace(TcpConnection c) { return on(c) ? SPACE : 0; }

    /** SACK blocks a data segment has room for (Linux tcp_established_options: 40 - 20 - 12 leaves none). */
    static int sackBlocks(TcpConnection c) {
        if (!on(c)) return c.tsOk ? 3 : 4;
        return c.tsOk ? 0 : 2;
    }

    /**
     * Timestamps on our SYN or SYN,ACK and for the connection: none on a SYN, none on a SYN,ACK
     * to a peer offering SACK (Linux: ireq->tstamp_ok &= !ireq->sack_ok).
     */
    static boolean timestampsAllowed(TcpConnection c, boolean synAck) {
        if (!on(c)) return true;
        return synAck && !(c.peerOfferedSack && c.cfg().options().sack());
    }

    /** The digest a segment carries, or null. Every segment passes here: indexed, no iterator is allocated. */
    static byte[] signature(TcpRepr seg) {
        List<TcpOption> opts = seg.options();
        for (int i = 0; i < opts.size(); i++)
            if (opts.get(i) instanceof TcpOption.Unknown u && u.kind() == KIND && u.data().length == DIGEST) return u.data();
        return null;
    }

    /**
     * Inbound check before the segment reaches {@code c} or {@code l} (either may be null):
     * false when it is dropped.
     */
    static boolean accept(TcpLayer layer, long now, TcpConnection c, TcpListener l, IpAddress src, IpAddress dst,
                          TcpRepr seg, byte[] buf, int off, int len, int ifindex) {
        byte[] got = signature(seg);
        // a connection's key scoped to another interface does not apply to this segment
        TcpMd5Key k = c != null ? key(c) : l != null ? lookup(layer, l.md5Keys(), src, ifindex) : null;
        if (k != null && c != null && !k.matches(src, ifindex)) k = null;
        if (k == null && got == null) return true;
        String id = layer.tracer().enabled() ? TcpLayer.id(dst, seg.dstPort(), src, seg.srcPort()) : null;
        if (c == null && l == null) {
            // Linux tcp_v4_send_reset: a signed segment for no socket gets no RST
            layer.drop(now, DropReason.NO_LISTENER, "md5_no_socket", "TCP-MD5 signed segment for no socket: no RST", id, seg, len);
            return false;
        }
        if (got == null) {
            layer.drop(now, DropReason.POLICY, "md5_not_found", "TCP-MD5 signature missing (RFC 2385)", id, seg, len);
            return false;
        }
        if (k == null) {
            layer.drop(now, DropReason.POLICY, "md5_unexpected", "TCP-MD5 signature but no key for the peer", id, seg, len);
            return false;
        }
        if (!MessageDigest.isEqual(got, digest(src, dst, seg, buf, off, len, k))) {
            layer.drop(now, DropReason.POLICY, "md5_failure", "TCP-MD5 signature wrong (RFC 2385)", id, seg, len);
            return false;
        }
        return true;
    }

    /**
     * The key a segment from src:srcPort to dst:dstPort is signed with: its connection's, else its
     * listener's (or the stack's) for dst on the interface of the segment being answered.
     */
    static TcpMd5Key keyFor(TcpLayer layer, IpAddress src, int srcPort, IpAddress dst, int dstPort) {
        TcpConnection c = layer.connection(src, srcPort, dst, dstPort);
        if (c != null) return key(c);
        TcpListener l = layer.listener(src, srcPort);
        return l != null ? lookup(layer, l.md5Keys(), dst, layer.inIfindex()) : null;
    }

    /** The segment with the signature in front of its options, or itself when no key applies. */
    static TcpRepr sign(TcpLayer layer, IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload, int off, int len) {
        TcpMd5Key k = keyFor(layer, src, tcp.srcPort(), dst, tcp.dstPort());
        if (k == null) return tcp;
        List<TcpOption> opts = new ArrayList<>(tcp.options().size() + 3);
        opts.add(TcpOption.NOP);
        opts.add(TcpOption.NOP);
        opts.add(new TcpOption.Unknown(KIND, new byte[DIGEST]));
        int room = TcpRepr.MAX_OPTIONS_LENGTH - SPACE;
        for (TcpOption o : tcp.options()) {
            // what does not fit after the signature is left out (the sender leaves room: see sackBlocks)
            if (o.length() > room || o instanceof TcpOption.EndOfList) continue;
            opts.add(o);
            room -= o.length();
        }
        TcpRepr unsigned = new TcpRepr(tcp.srcPort(), tcp.dstPort(), tcp.seq(), tcp.ack(), tcp.flags(), tcp.window(), tcp.urgentPointer(), opts);
        opts.set(2, new TcpOption.Unknown(KIND, digest(src, dst, unsigned, payload, off, len, k)));
        return new TcpRepr(tcp.srcPort(), tcp.dstPort(), tcp.seq(), tcp.ack(), tcp.flags(), tcp.window(), tcp.urgentPointer(), opts);
    }

    /** RFC 2385 2.0: the digest over pseudo-header, fixed header (checksum 0), payload, key. */
    static byte[] digest(IpAddress src, IpAddress dst, TcpRepr t, byte[] payload, int off, int len, TcpMd5Key key) {
        MessageDigest md = md5();
        byte[] s = src.toBytes(), d = dst.toBytes();
        int hl = t.headerLength();
        int segLen = hl + len;
        md.update(s);
        md.update(d);
        if (s.length == 4) {
            md.update(new byte[] {0, 6, (byte) (segLen >>> 8), (byte) segLen});
        } else {
            // Linux tcp_v6_md5_hash_headers: struct tcp6_pseudohdr { saddr, daddr, __be32 len, __be32 protocol }
            md.update(new byte[] {(byte) (segLen >>> 24), (byte) (segLen >>> 16), (byte) (segLen >>> 8), (byte) segLen, 0, 0, 0, 6});
        }
        int offFlags = (hl / 4) << 12 | t.flags();
        md.update(new byte[] {
            (byte) (t.srcPort() >>> 8), (byte) t.srcPort(), (byte) (t.dstPort() >>> 8), (byte) t.dstPort(),
            (byte) (t.seq() >>> 24), (byte) (t.seq() >>> 16), (byte) (t.seq() >>> 8), (byte) t.seq(),
            (byte) (t.ack() >>> 24), (byte) (t.ack() >>> 16), (byte) (t.ack() >>> 8), (byte) t.ack(),
            (byte) (offFlags >>> 8), (byte) offFlags, (byte) (t.window() >>> 8), (byte) t.window(),
            0, 0, (byte) (t.urgentPointer() >>> 8), (byte) t.urgentPointer()});
        if (len > 0) md.update(payload, off, len);
        md.update(key.keyBytes());
        return md.digest();
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has MD5", e);
        }
    }
}
