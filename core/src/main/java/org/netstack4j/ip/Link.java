package org.netstack4j.ip;

import java.util.Arrays;
import org.netstack4j.device.FramePool;
import org.netstack4j.device.Medium;
import org.netstack4j.wire.Ipv4Address;

/** One interface as the stack uses it: what is read per packet, worked out once. */
final class Link {
    final IpInterface iface;
    /** Its position in the stack's list: {@link org.netstack4j.wire.IpMeta#ifaceIndex()}. */
    final int index;
    final boolean ethernet;
    final ArpCache arp;
    /** False on an IPv6-only interface: no IPv4 address, subnet, broadcast or ARP. */
    final boolean hasIpv4;
    final int addressBits; // (0 when !hasIpv4: never compared then)
    final boolean hasBroadcast;
    final int broadcastBits; // the subnet's directed broadcast (when hasBroadcast), read per packet
    final FramePool pool; // the device's opt-in frame recycling, or null (Device#framePool)
    /** Flow interception (IpStack#setIntercept): TCP, UDP and ICMP to any unicast destination are ours. */
    boolean intercept;
    /**
     * While a received TCP super-packet is being handled: the payload size of the segments it
     * was merged from (FrameSink#receive(long, byte[], int)); 0 for a plain packet.
     */
    int rxSegmentSize;
    /**
     * While a received frame is being handled: the device completed or verified its transport
     * checksum (FrameSink#CHECKSUM_VERIFIED); handed on in IpMeta#checksumVerified for the frame
     * as it arrived, never for a reassembly.
     */
    boolean rxChecksumVerified;

    Link(IpInterface iface, int index) {
        this.iface = iface;
        this.index = index;
        this.ethernet = iface.medium() == Medium.ETHERNET;
        this.hasIpv4 = iface.hasIpv4();
        this.arp = ethernet && hasIpv4 ? new ArpCache() : null;
        this.addressBits = hasIpv4 ? iface.address().bits() : 0;
        Ipv4Address b = iface.broadcast();
        this.hasBroadcast = b != null;
        this.broadcastBits = b == null ? 0 : b.bits();
        this.pool = iface.device().framePool();
    }

    /**
     * The array for an outgoing frame of {@code size} bytes (Ethernet: padded to its minimum, the
     * padding zeroed here), recycled from {@link #pool} when the device opts in. A recycled array
     * holds old bytes: the caller writes every byte of [0, size).
     */
    byte[] takeFrame(int size) {
        int n = ethernet ? Math.max(size, Ethernet.MIN_FRAME) : size;
        if (pool == null) return new byte[n];
        byte[] frame = pool.take(n);
        if (n > size) Arrays.fill(frame, size, n, (byte) 0);
        return frame;
    }
}
