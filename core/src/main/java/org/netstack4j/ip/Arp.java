package org.netstack4j.ip;

import org.netstack4j.trace.DropReason;

import java.util.List;
import org.netstack4j.wire.ArpRepr;
import org.netstack4j.wire.EthernetRepr;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.MacAddress;
import org.netstack4j.wire.Parsed;

/**
 * ARP (RFC 826) on the Ethernet interfaces: answers requests for our addresses, learns
 * neighbours, holds packets while it asks (each interface's {@link ArpCache} bounds how many)
 * and gives up after {@link ArpCache#MAX_REQUESTS} requests with a local host unreachable.
 */
final class Arp {
    private final IpStack stack;
    private final IpCounters c;
    private final IpTrace trace;
    private Ethernet ethernet;
    private Icmp icmp;

    Arp(IpStack stack, IpCounters c, IpTrace trace) {
        this.stack = stack;
        this.c = c;
        this.trace = trace;
    }

    void wire(Ethernet ethernet, Icmp icmp) {
        this.ethernet = ethernet;
        this.icmp = icmp;
    }

    void input(Link link, long now, byte[] frame, int off, int len) {
        if (!link.hasIpv4) {
            // an IPv6-only interface has no IPv4 address to answer for nor a cache to learn into
            c.arpInDropNoIpv4.increment();
            trace.drop(now, "arp", DropReason.UNSUPPORTED, "ARP on an interface without an IPv4 address", link.iface.name());
            return;
        }
        ArpRepr arp;
        switch (ArpRepr.parse(frame, off, len)) {
            case Parsed.Malformed<ArpRepr> m -> {
                c.arpInDropMalformed.increment();
                trace.drop(now, "arp", DropReason.of(m.kind()), m.reason(), len + " bytes");
                return;
            }
            case Parsed.Ok<ArpRepr> ok -> arp = ok.value();
        }
        boolean request = arp.operation() == ArpRepr.OP_REQUEST;
        if (request) c.arpInRequests.increment();
        else if (arp.operation() == ArpRepr.OP_REPLY) c.arpInReplies.increment();
        else {
            c.arpInOther.increment();
            trace.drop(now, "arp", DropReason.UNSUPPORTED, "unknown operation " + arp.operation(), arp.senderIp().toString());
            return;
        }
        Ipv4Address sip = arp.senderIp();
        if (arp.senderMac().isMulticast() || sip.isBroadcast() || sip.isMulticast() || stack.isDirectedBroadcast(sip)) {
            c.arpInDropBadSender.increment();
            trace.drop(now, "arp", DropReason.BAD_ADDRESS, "sender is not a unicast host", sip + " " + arp.senderMac());
            return;
        }
        if (sip.equals(link.iface.address())) {
            trace.drop(now, "arp", DropReason.BAD_ADDRESS, "address conflict: " + arp.senderMac() + " claims our address", sip.toString());
            return;
        }
        // RFC 826 "Packet Reception": merge the sender into the table if present; add it if
        // the packet is for us. Only on-link senders are cached (nothing else is a next hop),
        // and never the unspecified address of an address probe (RFC 5227).
        boolean forUs = arp.targetIp().equals(link.iface.address());
        if (!sip.isUnspecified() && link.iface.onLink(sip)) {
            List<byte[]> waiting = link.arp.update(now, sip, arp.senderMac(), forUs);
            if (forUs && trace.enabled()) trace.note(now, "arp", sip + " is-at " + arp.senderMac());
            for (byte[] f : waiting) ethernet.transmit(now, link, arp.senderMac(), EthernetRepr.ETHERTYPE_IPV4, f);
        }
        if (forUs && request) {
            byte[] reply = new byte[Ethernet.MIN_FRAME];
            new ArpRepr(ArpRepr.OP_REPLY, link.iface.mac(), link.iface.address(), arp.senderMac(), sip)
                    .emit(reply, EthernetRepr.HEADER_LENGTH);
            c.arpOutReplies.increment();
            ethernet.transmit(now, link, arp.senderMac(), EthernetRepr.ETHERTYPE_ARP, reply);
        }
    }

    /** Holds a frame for an unresolved {@code nextHop}, asking for it when that is due; false if dropped. */
    boolean enqueue(long now, Link link, Ipv4Address nextHop, byte[] frame) {
        ArpCache.Enqueued q = link.arp.enqueue(now, nextHop, frame);
        if (!q.accepted()) {
            c.arpTableFull.increment();
            trace.drop(now, "arp", DropReason.QUEUE_FULL, "ARP table full of unresolved neighbours", "packet for " + nextHop);
            return false;
        }
        if (q.dropped() != null) {
            c.arpQueueOverflow.increment();
            trace.drop(now, "arp", DropReason.QUEUE_FULL, "too many packets waiting for " + nextHop + " (limit " + ArpCache.MAX_QUEUE + ")",
                    "oldest waiting packet");
        }
        if (q.sendRequest()) sendRequest(now, link, nextHop);
        return true;
    }

    private void sendRequest(long now, Link link, Ipv4Address target) {
        byte[] frame = new byte[Ethernet.MIN_FRAME];
        new ArpRepr(ArpRepr.OP_REQUEST, link.iface.mac(), link.iface.address(), MacAddress.ZERO, target)
                .emit(frame, EthernetRepr.HEADER_LENGTH);
        c.arpOutRequests.increment();
        if (trace.enabled()) trace.note(now, "arp", "who-has " + target + " tell " + link.iface.address());
        ethernet.transmit(now, link, MacAddress.BROADCAST, EthernetRepr.ETHERTYPE_ARP, frame);
    }

    void timers(Link link, long now) {
        ArpCache.TimerWork work = link.arp.timers(now);
        for (Ipv4Address ip : work.retry()) sendRequest(now, link, ip);
        for (ArpCache.Failed f : work.failed()) {
            c.arpResolveFailed.increment();
            for (byte[] frame : f.queued()) {
                c.ipOutDropNoArp.increment();
                trace.drop(now, "arp", DropReason.NEIGHBOR_UNREACHABLE, "no ARP reply from " + f.ip() + " after " + ArpCache.MAX_REQUESTS + " requests",
                        "waiting packet dropped");
                // RFC 1122 2.3.2.2 / 3.2.2.1: tell the sender, as a host unreachable made up locally.
                icmp.localHostUnreachable(now, link, frame, EthernetRepr.HEADER_LENGTH);
            }
        }
    }
}
