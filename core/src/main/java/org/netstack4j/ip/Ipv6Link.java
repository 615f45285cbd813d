package org.netstack4j.ip;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.netstack4j.time.Time;
import org.netstack4j.wire.Ipv6Address;

/** The IPv6 side of one interface: its addresses (with DAD state) and its neighbour cache. */
final class Ipv6Link {
    /** The link-local prefix fe80::/64 (RFC 4291 2.5.6). */
    static final Ipv6Address LINK_LOCAL_PREFIX = Ipv6Address.parse("fe80::");
    static final Ipv6Address ALL_NODES = Ipv6Address.parse("ff02::1");
    static final Ipv6Address ALL_ROUTERS = Ipv6Address.parse("ff02::2");

    static final class Addr {
        final Ipv6Address address;
        final int prefixLength;
        Ipv6AddressState.State state;
        int dadSent;                 // DAD solicitations sent
        long dadDeadline = Time.NEVER;
        /** RFC 4862 5.5.3: a SLAAC address's lifetimes from the prefix (NEVER: configured, link-local or infinite). */
        long preferredUntil = Time.NEVER, validUntil = Time.NEVER;
        /** Made by SLAAC from a router's prefix: its lifetimes follow the router's advertisements. */
        boolean slaac;

        Addr(Ipv6Address address, int prefixLength, Ipv6AddressState.State state) {
            this.address = address;
            this.prefixLength = prefixLength;
            this.state = state;
        }

        /** Ours to receive on and to keep using (RFC 4862 2: a valid address, preferred or deprecated). */
        boolean usable() { return state == Ipv6AddressState.State.PREFERRED || state == Ipv6AddressState.State.DEPRECATED; }

        /** The time this address's state next changes by its lifetimes (NEVER: it does not). */
        long lifetimeDeadline() {
            return state == Ipv6AddressState.State.PREFERRED ? Math.min(preferredUntil, validUntil)
                    : state == Ipv6AddressState.State.DEPRECATED ? validUntil : Time.NEVER;
        }
    }

    final Link link;
    final List<Addr> addresses = new ArrayList<>();
    final NeighborCache6 neighbors;
    /** The link MTU for IPv6 (an RA's MTU option may lower it, never under 1280). */
    int mtu;
    /** Router solicitation (RFC 4861 6.3.7) on this link: on once {@link IpStack#enableSlaac} asked for it. */
    boolean soliciting;
    /** Router solicitations sent since it started. */
    int rsSent;
    /** When the next solicitation is due (Long.MIN_VALUE: pick the initial delay at the next poll; NEVER: done). */
    long rsDeadline = Time.NEVER;

    Ipv6Link(Link link, SplittableRandom random) {
        this.link = link;
        this.neighbors = link.ethernet ? new NeighborCache6(random.split()) : null;
        this.mtu = link.iface.mtu();
    }

    Addr find(Ipv6Address a) {
        // (per packet, twice: the halves compared directly, no iterator)
        long h = a.high(), l = a.low();
        for (int i = 0; i < addresses.size(); i++) {
            Addr x = addresses.get(i);
            if (x.address.low() == l && x.address.high() == h) return x;
        }
        return null;
    }

    /** A usable (PREFERRED) address of ours on this link. */
    boolean hasUsable(Ipv6Address a) {
        Addr x = find(a);
        return x != null && x.usable();
    }

    Addr linkLocal() {
        for (Addr x : addresses) if (x.address.isLinkLocal() && x.usable()) return x;
        return null;
    }

    /** True if {@code a} is in the prefix of one of our addresses here (on-link, RFC 4861 5.2). */
    boolean onLink(Ipv6Address a) {
        for (Addr x : addresses) if (x.state != Ipv6AddressState.State.DUPLICATE && inPrefix(a, x.address, x.prefixLength)) return true;
        return false;
    }

    /** True if {@code dst} is a group this interface listens to: all-nodes and our solicited-node groups (RFC 4861 7.2.1). */
    boolean listensTo(Ipv6Address dst) {
        if (dst.equals(ALL_NODES)) return true;
        for (Addr x : addresses) if (x.state != Ipv6AddressState.State.DUPLICATE && solicitedNode(x.address).equals(dst)) return true;
        return false;
    }

    /** RFC 4291 2.7.1: ff02::1:ff00:0/104 with the low 24 bits of the address. */
    static Ipv6Address solicitedNode(Ipv6Address a) {
        return new Ipv6Address(0xff02_0000_0000_0000L, 0x0000_0001_ff00_0000L | (a.low() & 0xff_ffffL));
    }

    static boolean inPrefix(Ipv6Address a, Ipv6Address prefix, int len) {
        if (len == 0) return true;
        if (len <= 64) {
            long m = len == 64 ? -1L : ~(-1L >>> len);
            return (a.high() & m) == (prefix.high() & m);
        }
        long m = len == 128 ? -1L : ~(-1L >>> (len - 64));
        return a.high() == prefix.high() && (a.low() & m) == (prefix.low() & m);
    }

    static Ipv6Address mask(Ipv6Address a, int len) {
        if (len == 0) return Ipv6Address.ANY;
        if (len <= 64) return new Ipv6Address(a.high() & (len == 64 ? -1L : ~(-1L >>> len)), 0);
        return new Ipv6Address(a.high(), a.low() & (len == 128 ? -1L : ~(-1L >>> (len - 64))));
    }

    /**
     * RFC 7217 5: a stable, semantically opaque interface identifier,
     * F(Prefix, Net_Iface, Network_ID, DAD_Counter, secret_key), with SHA-256 as F (RFC 7217 5
     * lets the implementation pick any PRF) and no Network_ID. The low 64 bits of the digest.
     */
    static Ipv6Address stableAddress(Ipv6Address prefix, String ifName, int dadCounter, long secret) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] p = new byte[16];
            prefix.write(p, 0);
            md.update(p, 0, 8);
            md.update(ifName.getBytes(StandardCharsets.UTF_8));
            md.update((byte) dadCounter);
            for (int i = 0; i < 8; i++) md.update((byte) (secret >>> (56 - 8 * i)));
            byte[] d = md.digest();
            long iid = 0;
            for (int i = 0; i < 8; i++) iid = iid << 8 | (d[i] & 0xff);
            return new Ipv6Address(prefix.high(), iid);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
