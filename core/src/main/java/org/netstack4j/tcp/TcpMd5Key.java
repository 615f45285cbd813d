package org.netstack4j.tcp;

import java.util.Arrays;
import java.util.Objects;
import org.netstack4j.wire.IpAddress;

/**
 * A TCP-MD5 key (RFC 2385) for the peers in {@code address}/{@code prefixLength}, as Linux's
 * TCP_MD5SIG / TCP_MD5SIG_EXT (struct tcp_md5sig: address, prefix length with
 * TCP_MD5SIG_FLAG_PREFIX, the key of at most 80 bytes). {@code ifindex} is kept for the API
 * (TCP_MD5SIG_FLAG_IFINDEX) and not matched: 0 means any interface. An empty key deletes the
 * key of that address and prefix ({@link TcpListener#setMd5Key}).
 */
public record TcpMd5Key(IpAddress address, int prefixLength, int ifindex, byte[] key) {
    /** TCP_MD5SIG_MAXKEYLEN. */
    public static final int MAX_KEY_LENGTH = 80;

    public TcpMd5Key {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(key, "key");
        int bits = address.toBytes().length * 8;
        if (prefixLength < 0 || prefixLength > bits) throw new IllegalArgumentException("prefix length " + prefixLength + " for " + address);
        if (key.length > MAX_KEY_LENGTH) throw new IllegalArgumentException("TCP-MD5 key longer than " + MAX_KEY_LENGTH + " bytes");
        key = key.clone();
    }

    /** The key for one peer address (TCP_MD5SIG without a prefix). */
    public static TcpMd5Key of(IpAddress peer, byte[] key) { return new TcpMd5Key(peer, peer.toBytes().length * 8, 0, key); }

    @Override public byte[] key() { return key.clone(); }

    /**
     * The RFC 2385 digest of the segment {@code src -> dst} with this key (the digest field of
     * an MD5 option it carries is not part of it): for test peers and script runners.
     */
    public static byte[] digest(IpAddress src, IpAddress dst, org.netstack4j.wire.TcpRepr seg, byte[] payload, int off, int len, TcpMd5Key key) {
        return Md5.digest(src, dst, seg, payload, off, len, key);
    }

    byte[] keyBytes() { return key; }

    /** Whether {@code peer} is in this key's address/prefix (same family only). */
    public boolean matches(IpAddress peer) {
        byte[] a = address.toBytes(), p = peer.toBytes();
        if (a.length != p.length) return false;
        int full = prefixLength / 8, rest = prefixLength % 8;
        for (int i = 0; i < full; i++) if (a[i] != p[i]) return false;
        if (rest == 0) return true;
        int mask = 0xff << (8 - rest) & 0xff;
        return (a[full] & mask) == (p[full] & mask);
    }

    /** Same address and prefix: the one a new key with these replaces. */
    boolean sameScope(TcpMd5Key o) { return address.equals(o.address) && prefixLength == o.prefixLength; }

    @Override public boolean equals(Object o) {
        return o instanceof TcpMd5Key k && sameScope(k) && ifindex == k.ifindex && Arrays.equals(key, k.key);
    }

    @Override public int hashCode() { return Objects.hash(address, prefixLength, ifindex, Arrays.hashCode(key)); }

    @Override public String toString() { return "TcpMd5Key[" + address + "/" + prefixLength + ", " + key.length + " bytes]"; }
}
