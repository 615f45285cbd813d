package org.netstack4j.tcp;

import java.util.Arrays;
import java.util.Objects;
import org.netstack4j.wire.IpAddress;

/**
 * A TCP-MD5 key (RFC 2385) for the peers in {@code address}/{@code prefixLength}, as Linux's
 * TCP_MD5SIG / TCP_MD5SIG_EXT (struct tcp_md5sig: address, prefix length with
 * TCP_MD5SIG_FLAG_PREFIX, the key of at most 80 bytes). {@code ifindex}
 * (TCP_MD5SIG_FLAG_IFINDEX) limits the key to segments received on that interface: 1 + the
 * interface's position in the stack's list ({@code IpMeta.ifaceIndex() + 1}); 0 means any
 * interface. (Linux scopes such keys by L3 master device, a VRF; a stack without VRFs scopes them
 * by the interface itself.) An active open has no interface yet: only keys for any interface
 * apply to it, as to a Linux socket bound to no device. An empty key deletes the key of that
 * address, prefix and interface ({@link TcpListener#setMd5Key}, {@link TcpLayer#setMd5Key}).
 */
public record TcpMd5Key(IpAddress address, int prefixLength, int ifindex, byte[] key) {
    /** TCP_MD5SIG_MAXKEYLEN. */
    public static final int MAX_KEY_LENGTH = 80;

    public TcpMd5Key {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(key, "key");
        int bits = address.toBytes().length * 8;
        if (prefixLength < 0 || prefixLength > bits) throw new IllegalArgumentException("prefix length " + prefixLength + " for " + address);
        if (ifindex < 0) throw new IllegalArgumentException("ifindex " + ifindex);
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

    /** Whether {@code peer} is in this key's address/prefix and {@code ifindex} (0: none known) in its interface scope. */
    public boolean matches(IpAddress peer, int ifindex) { return (this.ifindex == 0 || this.ifindex == ifindex) && matches(peer); }

    /** Same address, prefix and interface: the one a new key with these replaces (Linux tcp_md5_do_lookup_exact). */
    boolean sameScope(TcpMd5Key o) { return address.equals(o.address) && prefixLength == o.prefixLength && ifindex == o.ifindex; }

    @Override public boolean equals(Object o) {
        return o instanceof TcpMd5Key k && sameScope(k) && Arrays.equals(key, k.key);
    }

    @Override public int hashCode() { return Objects.hash(address, prefixLength, ifindex, Arrays.hashCode(key)); }

    @Override public String toString() {
        return "TcpMd5Key[" + address + "/" + prefixLength + (ifindex != 0 ? " if " + ifindex : "") + ", " + key.length + " bytes]";
    }
}
