package org.netstack4j.ip;

import java.util.Arrays;
import org.netstack4j.device.offload.Segmentation;
import org.netstack4j.trace.Counters.Counter;
import org.netstack4j.trace.DropReason;
import org.netstack4j.wire.EthernetRepr;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Parsed;

/**
 * IPv4 forwarding (RFC 1812 5.2 and 5.3), off unless {@link IpStack#setForwarding}: a datagram
 * not addressed to us is checked (martian sources and destinations, 5.3.7), its TTL decremented
 * with an incremental checksum update (5.3.1, RFC 1624), routed by longest-prefix match, and
 * sent out of the next hop's interface, fragmented when too big and DF is clear (5.2.6) or
 * answered with "fragmentation needed" carrying the next hop's MTU (RFC 1191 4). Errors go out
 * through {@link Icmp#sendError}, which rate-limits them. Counters: ipv4.fwd.* and per
 * interface ipv4.fwd.&lt;name&gt;.in / .out.
 */
final class Forwarding {
    private final IpStack stack;
    private final IpCounters c;
    private final IpTrace trace;
    private final Ethernet ethernet;
    private final Icmp icmp;
    private final Counter datagrams, gsoForwarded, dropMartian, dropTtl, dropNoRoute, dropSameIface, dropDf, fragmented, fragCreates;
    private final LinkCounters perLink;
    private boolean enabled;

    Forwarding(IpStack stack, IpCounters c, IpTrace trace, Ethernet ethernet, Icmp icmp) {
        this.stack = stack;
        this.c = c;
        this.trace = trace;
        this.ethernet = ethernet;
        this.icmp = icmp;
        datagrams = c.named("ipv4.fwd.datagrams");
        gsoForwarded = c.named("ipv4.fwd.gso_packets");
        perLink = new LinkCounters(c::named, "ipv4.fwd");
        dropMartian = c.named("ipv4.fwd.drop.martian");
        dropTtl = c.named("ipv4.fwd.drop.ttl_exceeded");
        dropNoRoute = c.named("ipv4.fwd.drop.no_route");
        dropSameIface = c.named("ipv4.fwd.drop.same_interface");
        dropDf = c.named("ipv4.fwd.drop.frag_needed");
        fragmented = c.named("ipv4.fwd.fragmented");
        fragCreates = c.named("ipv4.fwd.frag_creates");
    }

    boolean enabled() { return enabled; }

    void setEnabled(boolean on) { enabled = on; }

    /**
     * RFC 1812 5.3.7 / 4.2.2.11: addresses never forwarded. As source: 0/8, 127/8, 169.254/16
     * (RFC 3927 2.7), multicast, 240/4 and broadcast; as destination the same but multicast
     * (we do no multicast routing, so it is dropped too).
     */
    static boolean isMartian(Ipv4Address a) {
        int b = a.bits();
        int first = b >>> 24;
        return first == 0 || first == 127 || (b >>> 16) == 0xa9fe || first >= 224;
    }

    /** A datagram received on {@code in} for someone else: buf[off .. off+ip.totalLength()). */
    void forward(long now, Link in, Ipv4Repr ip, byte[] buf, int off) {
        counter(in, true).increment();
        if (isMartian(ip.src()) || isMartian(ip.dst()) || stack.isDirectedBroadcast(ip.dst())) {
            dropMartian.increment();
            trace.drop(now, "ipv4", DropReason.BAD_ADDRESS, "martian address not forwarded (RFC 1812 5.3.7)", ip);
            return;
        }
        int poff = off + ip.headerLength();
        int plen = ip.payloadLength();
        // RFC 1812 5.3.1: a datagram whose TTL would reach zero is discarded with a time exceeded.
        if (ip.ttl() <= 1) {
            dropTtl.increment();
            trace.drop(now, "ipv4", DropReason.POLICY, "TTL exceeded in transit", ip);
            icmp.sendError(now, ip, buf, poff, plen, false, IcmpRepr.TYPE_TIME_EXCEEDED, 0, 0);
            return;
        }
        RoutingTable.NextHop nh = stack.routes().lookup(ip.dst());
        Link out = nh == null ? null : stack.linkOf(nh.iface());
        if (out == null) {
            dropNoRoute.increment();
            trace.drop(now, "ipv4", DropReason.NO_ROUTE, "no route (forwarding)", ip);
            icmp.sendError(now, ip, buf, poff, plen, false, IcmpRepr.TYPE_DEST_UNREACHABLE, IcmpRepr.CODE_NET_UNREACHABLE, 0);
            return;
        }
        // Back out of the interface it came in on only towards another next hop on a shared
        // link; on a point-to-point link (TUN) or to the sender itself it would just loop.
        if (out == in && (!out.ethernet || nh.address().equals(ip.src()))) {
            dropSameIface.increment();
            trace.drop(now, "ipv4", DropReason.NO_ROUTE, "route points back out of " + in.iface.name(), ip);
            icmp.sendError(now, ip, buf, poff, plen, false, IcmpRepr.TYPE_DEST_UNREACHABLE, IcmpRepr.CODE_HOST_UNREACHABLE, 0);
            return;
        }
        int mtu = out.iface.mtu();
        int total = ip.totalLength();
        // A GRO super-packet (Link#rxSegmentSize) stands for segments of its headers plus that
        // payload: they, not the merged whole, are what must fit the next hop.
        int seg = in.rxSegmentSize;
        int wire = seg > 0 && off == 0 ? Segmentation.segmentWireSize(buf, total, seg) : -1;
        if (wire < 0) seg = 0;
        else counter(in, true).add(Segmentation.segmentCount(buf, total, seg) - 1); // counted per segment
        int size = seg > 0 ? wire : total;
        if (size > mtu && ip.dontFragment()) {
            // RFC 1191 4: the MTU of the next hop in the (formerly unused) low 16 bits.
            dropDf.increment();
            trace.drop(now, "ipv4", DropReason.TOO_BIG, size + " bytes, DF set, next-hop MTU " + mtu, ip);
            icmp.sendError(now, ip, buf, poff, plen, false, IcmpRepr.TYPE_DEST_UNREACHABLE,
                    IcmpRepr.CODE_FRAGMENTATION_NEEDED, Math.min(mtu, 0xffff));
            return;
        }
        Hooks hooks = stack.hooks();
        if (hooks != null && !hooks.pass(now, Hooks.Hook.FORWARD, in, out, buf, off, total)) return;
        int head = out.ethernet ? EthernetRepr.HEADER_LENGTH : 0;
        byte[] frame = outFrame(out, buf, off, total);
        decrementTtl(frame, head);
        if (hooks != null && !hooks.pass(now, Hooks.Hook.POSTROUTING, in, out, frame, head, total)) return;
        if (seg > 0 && total > wire) {
            emitSegments(now, out, nh.address(), frame, total, seg, wire);
            return;
        }
        datagrams.increment();
        emit(now, out, nh.address(), frame, total);
    }

    /**
     * A forwarded TCP super-packet of segments of {@code seg} payload bytes: whole to a device
     * that cuts it (GSO, {@link org.netstack4j.device.Device#transmitSegments}: one write for the
     * run), otherwise cut here into those segments, each sent (and fragmented if DF is clear and
     * it exceeds the MTU) as any forwarded datagram. Counted per segment.
     */
    private void emitSegments(long now, Link out, Ipv4Address nextHop, byte[] frame, int total, int seg, int wire) {
        if (!out.ethernet && total <= out.iface.device().gsoMaxSize() && wire <= out.iface.mtu()
                && Segmentation.toPartialChecksum(frame, total)) {
            int n = Segmentation.segmentCount(frame, total, seg);
            datagrams.add(n);
            counter(out, false).add(n);
            gsoForwarded.increment();
            out.iface.device().transmitSegments(now, frame, seg);
            return;
        }
        int head = out.ethernet ? EthernetRepr.HEADER_LENGTH : 0;
        byte[] packet = head == 0 ? frame : Arrays.copyOfRange(frame, head, head + total);
        Segmentation.Result r = Segmentation.segment(packet, total, seg);
        for (byte[] p : r.packets()) {
            byte[] f = head == 0 ? p : newFrame(out, p.length);
            if (head != 0) System.arraycopy(p, 0, f, head, p.length);
            datagrams.increment();
            emit(now, out, nextHop, f, p.length);
        }
    }

    /**
     * The frame to send buf[off .. off+total) out of {@code out} in: buf itself when it already is
     * exactly that frame (an IP-medium link: the datagram and nothing around it), else a copy
     * after room for the link header. A received frame is the stack's to keep or hand on
     * ({@link org.netstack4j.device.FrameSink}) and {@link org.netstack4j.device.Device#transmit}
     * takes the array over, so a forwarded datagram is rewritten (TTL, checksum, NAT) and sent in
     * the array it came in, without a copy. (A frame from a pool device is never released after
     * forwarding: {@link Ipv4#input} and {@link Ipv6#input} release only what a handler borrowed.)
     */
    static byte[] outFrame(Link out, byte[] buf, int off, int total) {
        // (IP-medium links only, where the datagram is the whole frame: a TUN router's path. An
        // Ethernet frame is copied, as simulated LANs keep the frames their NICs took to label drops.)
        if (!out.ethernet && off == 0 && buf.length == total) return buf;
        int head = out.ethernet ? EthernetRepr.HEADER_LENGTH : 0;
        byte[] frame = newFrame(out, total);
        System.arraycopy(buf, off, frame, head, total);
        return frame;
    }

    private static byte[] newFrame(Link out, int total) {
        int size = (out.ethernet ? EthernetRepr.HEADER_LENGTH : 0) + total;
        return new byte[out.ethernet ? Math.max(size, Ethernet.MIN_FRAME) : size];
    }

    /**
     * Sends the datagram in frame (after room for the link header) out of {@code out}: whole, or
     * in fragments when larger than the MTU (dropped and counted when DF is set).
     */
    boolean emit(long now, Link out, Ipv4Address nextHop, byte[] frame, int total) {
        int head = out.ethernet ? EthernetRepr.HEADER_LENGTH : 0;
        if (total <= out.iface.mtu()) {
            transmit(now, out, nextHop, frame);
            return true;
        }
        if (!(Ipv4Repr.parse(frame, head, total) instanceof Parsed.Ok<Ipv4Repr> ok)) return false;
        Ipv4Repr ip = ok.value();
        if (ip.dontFragment()) {
            c.fragFails.increment();
            trace.dropOut(now, "ipv4", DropReason.TOO_BIG, "DF set and " + total + " bytes exceed MTU " + out.iface.mtu(),
                    ip.src(), ip.dst(), ip.protocol(), ip.payloadLength());
            return false;
        }
        return fragment(now, out, nextHop, ip, frame, head + ip.headerLength(), ip.payloadLength());
    }

    /**
     * A datagram built whole (our own, when a netfilter needs to see it): OUTPUT and
     * post-routing, then {@link #emit}.
     */
    boolean localOutput(long now, Link out, Ipv4Address nextHop, Ipv4Repr ip, byte[] payload, int off, int len,
                        IpStack.PayloadWriter writer, Hooks hooks) {
        int head = out.ethernet ? EthernetRepr.HEADER_LENGTH : 0;
        int total = ip.totalLength();
        byte[] frame = newFrame(out, total);
        if (writer != null) writer.write(frame, head + ip.headerLength());
        else System.arraycopy(payload, off, frame, head + ip.headerLength(), len);
        ip.emit(frame, head);
        if (!hooks.pass(now, Hooks.Hook.OUTPUT, null, out, frame, head, total)) return false;
        if (!hooks.pass(now, Hooks.Hook.POSTROUTING, null, out, frame, head, total)) return false;
        c.ipOutPackets.increment();
        return emit(now, out, nextHop, frame, total);
    }

    /** A whole datagram made elsewhere (a netfilter's reject answer), routed by its destination; no hooks. */
    boolean sendRaw(long now, byte[] datagram) {
        if (!(Ipv4Repr.parse(datagram, 0, datagram.length) instanceof Parsed.Ok<Ipv4Repr> ok)) return false;
        RoutingTable.NextHop nh = stack.routes().lookup(ok.value().dst());
        Link out = nh == null ? null : stack.linkOf(nh.iface());
        if (out == null) return false;
        int total = ok.value().totalLength();
        byte[] frame = newFrame(out, total);
        System.arraycopy(datagram, 0, frame, out.ethernet ? EthernetRepr.HEADER_LENGTH : 0, total);
        c.ipOutPackets.increment();
        return emit(now, out, nh.address(), frame, total);
    }

    /** RFC 1624 3 (eqn. 3, HC' = ~(~HC + ~m + m')): decrements the TTL at ip[8] and updates the header checksum at ip[10..12) to match. */
    static void decrementTtl(byte[] b, int ipOff) {
        int ttl = b[ipOff + 8] & 0xff;
        int proto = b[ipOff + 9] & 0xff;
        int oldWord = ttl << 8 | proto;
        int newWord = (ttl - 1) << 8 | proto;
        int hc = (b[ipOff + 10] & 0xff) << 8 | (b[ipOff + 11] & 0xff);
        int sum = (~hc & 0xffff) + (~oldWord & 0xffff) + newWord;
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        int nc = ~sum & 0xffff;
        b[ipOff + 8] = (byte) (ttl - 1);
        b[ipOff + 10] = (byte) (nc >>> 8);
        b[ipOff + 11] = (byte) nc;
    }

    /**
     * RFC 791 3.2 / RFC 1812 5.2.6: fragments of at most the next hop's MTU; a datagram that is
     * itself a fragment keeps its offset and, on the last piece, its MF flag. Options whose
     * copied flag is set go into every fragment, the others only into the first.
     */
    private boolean fragment(long now, Link out, Ipv4Address nextHop, Ipv4Repr ip, byte[] buf, int poff, int plen) {
        byte[] laterOptions = copiedOptions(ip.options());
        int mtu = out.iface.mtu();
        int firstPer = (mtu - ip.headerLength()) & ~7;
        int laterPer = (mtu - Ipv4Repr.MIN_HEADER_LENGTH - laterOptions.length) & ~7;
        if (firstPer < 8 || laterPer < 8) {
            c.fragFails.increment();
            trace.drop(now, "ipv4", DropReason.TOO_BIG, "next-hop MTU " + mtu + " too small to fragment", ip);
            return false;
        }
        fragmented.increment();
        int head = out.ethernet ? EthernetRepr.HEADER_LENGTH : 0;
        for (int fo = 0; fo < plen; ) {
            boolean first = fo == 0;
            int fl = Math.min(first ? firstPer : laterPer, plen - fo);
            boolean last = fo + fl >= plen;
            Ipv4Repr f = new Ipv4Repr(ip.tos(), ip.identification(), false, !last || ip.moreFragments(),
                    ip.fragmentOffset() + fo, ip.ttl(), ip.protocol(), ip.src(), ip.dst(),
                    first ? ip.options() : laterOptions, fl);
            int size = head + f.totalLength();
            byte[] frame = new byte[out.ethernet ? Math.max(size, Ethernet.MIN_FRAME) : size];
            f.emit(frame, head);
            System.arraycopy(buf, poff + fo, frame, head + f.headerLength(), fl);
            fragCreates.increment();
            transmit(now, out, nextHop, frame);
            fo += fl;
        }
        return true;
    }

    /** The options with the copied flag (RFC 791: bit 0x80 of the type), padded to 32 bits. */
    static byte[] copiedOptions(byte[] options) {
        byte[] out = new byte[options.length];
        int n = 0;
        for (int i = 0; i < options.length; ) {
            int type = options[i] & 0xff;
            if (type == 0) break; // end of options
            if (type == 1) { i++; continue; } // no-op: not copied
            int len = i + 1 < options.length ? options[i + 1] & 0xff : 0;
            if (len < 2 || i + len > options.length) break;
            if ((type & 0x80) != 0) {
                System.arraycopy(options, i, out, n, len);
                n += len;
            }
            i += len;
        }
        return Arrays.copyOf(out, (n + 3) & ~3);
    }

    private void transmit(long now, Link out, Ipv4Address nextHop, byte[] frame) {
        counter(out, false).increment();
        if (out.ethernet) ethernet.ipv4Output(now, out, nextHop, frame);
        else out.iface.device().transmit(now, frame);
    }

    private Counter counter(Link l, boolean in) { return perLink.of(l, in); }
}
