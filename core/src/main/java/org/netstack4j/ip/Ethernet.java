package org.netstack4j.ip;

import org.netstack4j.trace.DropReason;

import org.netstack4j.wire.EthernetRepr;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.MacAddress;
import org.netstack4j.wire.Parsed;

/**
 * Frames in and out of an interface: Ethernet II framing (or bare IP on an IP-medium device),
 * demultiplexing by EtherType to ARP, IPv4 and IPv6, and the link address of a next hop
 * (broadcast, RFC 1112 or RFC 2464 multicast, or resolved by {@link Arp} or {@link Ndp}).
 */
final class Ethernet {
    /** Ethernet frames are padded to 60 bytes (64 with the FCS the hardware adds). */
    static final int MIN_FRAME = 60;

    private final IpCounters c;
    private final IpTrace trace;
    private Arp arp;
    private Ipv4 ipv4;
    private Ipv6 ipv6;
    private Ndp ndp;

    Ethernet(IpCounters c, IpTrace trace) {
        this.c = c;
        this.trace = trace;
    }

    void wire(Arp arp, Ipv4 ipv4) {
        this.arp = arp;
        this.ipv4 = ipv4;
    }

    void wire6(Ipv6 ipv6, Ndp ndp) {
        this.ipv6 = ipv6;
        this.ndp = ndp;
    }

    // ------------------------------------------------------------------ input

    void frameReceived(Link link, long now, byte[] frame) {
        if (frame == null) return;
        if (!link.ethernet) {
            if (frame.length > 0 && (frame[0] & 0xf0) == 0x60) ipv6.input(link, now, frame, 0, frame.length, false);
            else ipv4.input(link, now, frame, 0, frame.length, false);
            return;
        }
        c.ethInFrames.increment();
        EthernetRepr eth;
        switch (EthernetRepr.parse(frame, 0, frame.length)) {
            case Parsed.Malformed<EthernetRepr> m -> {
                c.ethInDropMalformed.increment();
                trace.drop(now, "ethernet", DropReason.of(m.kind()), m.reason(), frame.length + " bytes");
                return;
            }
            case Parsed.Ok<EthernetRepr> ok -> eth = ok.value();
        }
        // RFC 2464 7: IPv6 multicast goes to 33:33 + the group's low 32 bits; Ipv6 checks the group
        boolean ipv6Multicast = (eth.dst().bits() >>> 32) == 0x3333 && ipv6.of(link) != null;
        if (!eth.dst().equals(link.iface.mac()) && !eth.dst().isBroadcast() && !ipv6Multicast) {
            // Not ours (multicast too: we join no group). Counted but not traced: on a shared
            // segment this is every frame between other hosts, which a NIC filters silently.
            c.ethInDropNotForUs.increment();
            return;
        }
        int off = EthernetRepr.HEADER_LENGTH;
        switch (eth.etherType()) {
            case EthernetRepr.ETHERTYPE_IPV4 -> ipv4.input(link, now, frame, off, frame.length - off, eth.dst().isBroadcast());
            case EthernetRepr.ETHERTYPE_ARP -> arp.input(link, now, frame, off, frame.length - off);
            case EthernetRepr.ETHERTYPE_IPV6 -> ipv6.input(link, now, frame, off, frame.length - off, eth.dst().isMulticast());
            default -> {
                c.ethInDropUnknownType.increment();
                if (trace.enabled())
                    trace.drop(now, "ethernet", DropReason.UNSUPPORTED, "unknown EtherType 0x" + Integer.toHexString(eth.etherType()), eth.src().toString());
            }
        }
    }

    // ------------------------------------------------------------------ output

    /** Frames an IPv4 packet (already at frame[14]) for {@code nextHop}, resolving it with ARP. */
    boolean ipv4Output(long now, Link link, Ipv4Address nextHop, byte[] frame) {
        MacAddress mac;
        if (link.arp == null) {
            // an IPv6-only interface (a static IPv4 route through it): no ARP there to resolve with
            c.ipOutDropNoArp.increment();
            trace.drop(now, "ipv4", DropReason.NO_ROUTE, "no IPv4 on " + link.iface.name() + " (IPv6 only)", "packet for " + nextHop);
            return false;
        }
        if (nextHop.isBroadcast() || nextHop.equals(link.iface.broadcast())) {
            mac = MacAddress.BROADCAST;
        } else if (nextHop.isMulticast()) {
            // RFC 1112 6.4: 01:00:5e + the low 23 bits of the group address.
            mac = new MacAddress(0x01005e000000L | (nextHop.bits() & 0x7fffffL));
        } else {
            mac = link.arp.lookup(now, nextHop);
        }
        if (mac != null) {
            transmit(now, link, mac, EthernetRepr.ETHERTYPE_IPV4, frame);
            return true;
        }
        return arp.enqueue(now, link, nextHop, frame);
    }

    /** Frames an IPv6 packet (already at frame[14]) for {@code nextHop}: multicast mapped (RFC 2464 7), unicast resolved by {@link Ndp}. */
    boolean ipv6Output(long now, Ipv6Link l6, Ipv6Address nextHop, byte[] frame) {
        if (nextHop.isMulticast()) {
            transmit(now, l6.link, new MacAddress(0x3333_0000_0000L | (nextHop.low() & 0xffff_ffffL)), EthernetRepr.ETHERTYPE_IPV6, frame);
            return true;
        }
        return ndp.resolve(now, l6, nextHop, frame);
    }

    void transmit(long now, Link link, MacAddress dst, int etherType, byte[] frame) {
        new EthernetRepr(dst, link.iface.mac(), etherType).emit(frame, 0);
        c.ethOutFrames.increment();
        link.iface.device().transmit(now, frame);
    }
}
