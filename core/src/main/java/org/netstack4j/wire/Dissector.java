package org.netstack4j.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToLongFunction;

/**
 * Turns a frame into a field-by-field {@link Dissection} for people (the CLI, the lab, test
 * failures). It reads untrusted bytes: it never throws, and reports the first structural
 * problem as a {@link Parsed.Malformed} with a frame-relative offset, after the layers it
 * could read. A wrong checksum is shown on its field ("INCORRECT, should be 0x...") and
 * reported as the error, but the layers above are still shown.
 */
public final class Dissector {
    private Dissector() {}

    public static Dissection dissect(byte[] buf, int off, int len, LinkType link) {
        Builder b = new Builder(off);
        try {
            if (!Bytes.inBounds(buf, off, len) || link == null) {
                b.fail(new Parsed.Malformed<>("frame", MalformedKind.BAD_RANGE, "bad buffer range or link type", 0), off);
            } else {
                b.layer("Frame");
                b.field("Length", len + " bytes");
                b.field("Link type", link.name() + " (" + link.code() + ")");
                switch (link) {
                    case ETHERNET -> ethernet(b, buf, off, len);
                    case RAW_IP -> {
                        if (len > 0 && (Bytes.u8(buf, off) >>> 4) == 6) ipv6(b, buf, off, len);
                        else ipv4(b, buf, off, len);
                    }
                }
            }
        } catch (RuntimeException e) {
            // Last resort: a bug here must not take down a capture viewer. Tests check this never happens.
            b.internal(e);
        }
        return b.build();
    }

    private static void ethernet(Builder b, byte[] buf, int off, int len) {
        Parsed<EthernetRepr> p = EthernetRepr.parse(buf, off, len);
        if (!(p instanceof Parsed.Ok<EthernetRepr>(EthernetRepr e))) {
            b.fail((Parsed.Malformed<?>) p, off);
            return;
        }
        b.layer("Ethernet II");
        b.field("Destination", e.dst().toString(), macNote(e.dst()));
        b.field("Source", e.src().toString(), macNote(e.src()));
        b.field("Type", EthernetRepr.etherTypeName(e.etherType()) + String.format(" (0x%04x)", e.etherType()));
        int po = off + EthernetRepr.HEADER_LENGTH, pl = len - EthernetRepr.HEADER_LENGTH;
        switch (e.etherType()) {
            case EthernetRepr.ETHERTYPE_IPV4 -> ipv4(b, buf, po, pl);
            case EthernetRepr.ETHERTYPE_ARP -> arp(b, buf, po, pl);
            case EthernetRepr.ETHERTYPE_IPV6 -> ipv6(b, buf, po, pl);
            default -> payload(b, buf, po, pl, "not dissected");
        }
    }

    private static String macNote(MacAddress m) {
        if (m.isBroadcast()) return "broadcast";
        if (m.isMulticast()) return "multicast";
        return "";
    }

    private static void arp(Builder b, byte[] buf, int off, int len) {
        Parsed<ArpRepr> p = ArpRepr.parse(buf, off, len);
        if (!(p instanceof Parsed.Ok<ArpRepr>(ArpRepr a))) {
            b.fail((Parsed.Malformed<?>) p, off);
            return;
        }
        b.layer("ARP");
        b.field("Hardware type", "Ethernet (1)");
        b.field("Protocol type", "IPv4 (0x0800)");
        b.field("Hardware size", "6");
        b.field("Protocol size", "4");
        b.field("Opcode", ArpRepr.operationName(a.operation()) + " (" + a.operation() + ")");
        b.field("Sender MAC address", a.senderMac().toString());
        b.field("Sender IP address", a.senderIp().toString());
        b.field("Target MAC address", a.targetMac().toString());
        b.field("Target IP address", a.targetIp().toString());
        trailer(b, len - ArpRepr.LENGTH);
    }

    private static void ipv4(Builder b, byte[] buf, int off, int len) {
        Parsed<Ipv4HeaderView> p = Ipv4HeaderView.of(buf, off, len);
        if (!(p instanceof Parsed.Ok<Ipv4HeaderView>(Ipv4HeaderView ip))) {
            b.fail((Parsed.Malformed<?>) p, off);
            return;
        }
        b.layer("IPv4");
        b.field("Version", "4");
        b.field("Header length", ip.headerLength() + " bytes (IHL " + ip.ihl() + ")");
        b.field("Type of service", String.format("0x%02x (DSCP %d, ECN %d)", ip.tos(), ip.dscp(), ip.ecn()));
        b.field("Total length", Integer.toString(ip.totalLength()));
        b.field("Identification", String.format("0x%04x (%d)", ip.identification(), ip.identification()));
        String fl = (ip.reservedFlag() ? "reserved " : "") + (ip.dontFragment() ? "DF " : "") + (ip.moreFragments() ? "MF " : "");
        b.field("Flags", String.format("0x%d", ip.flags()) + (fl.isEmpty() ? "" : " (" + fl.trim().replace(' ', ',') + ")"));
        b.sub("Reserved bit", bit(ip.reservedFlag()));
        b.sub("Don't fragment", bit(ip.dontFragment()));
        b.sub("More fragments", bit(ip.moreFragments()));
        b.field("Fragment offset", Integer.toString(ip.fragmentOffset()));
        b.field("Time to live", Integer.toString(ip.ttl()));
        b.field("Protocol", Ipv4Repr.protocolName(ip.protocol()) + " (" + ip.protocol() + ")");
        boolean ok = ip.checksumValid();
        b.field("Header checksum", String.format("0x%04x", ip.checksum()),
                ok ? "correct" : String.format("INCORRECT, should be 0x%04x", ip.expectedChecksum()));
        if (!ok)
            b.fail(new Parsed.Malformed<>("ipv4", MalformedKind.CHECKSUM, String.format("bad header checksum 0x%04x, should be 0x%04x",
                    ip.checksum(), ip.expectedChecksum()), 10), off);
        b.field("Source address", ip.src().toString());
        b.field("Destination address", ip.dst().toString());
        if (ip.optionsLength() > 0) ipv4Options(b, buf, ip.optionsOffset(), ip.optionsLength());

        int po = ip.payloadOffset(), pl = ip.payloadLength();
        if (ip.moreFragments() || ip.fragmentOffset() != 0) {
            b.layer("Fragment");
            b.field("Bytes", ip.fragmentOffset() + "-" + (ip.fragmentOffset() + pl - 1) + " of the datagram ("
                    + pl + " bytes)", ip.moreFragments() ? "more follow" : "last fragment");
            b.field("Note", "needs reassembly before the " + Ipv4Repr.protocolName(ip.protocol()) + " header can be read");
        } else {
            switch (ip.protocol()) {
                case Ipv4Repr.PROTO_TCP -> tcp(b, buf, po, pl, n -> Checksum.pseudoHeaderSum(ip.src(), ip.dst(), Ipv4Repr.PROTO_TCP, n));
                case Ipv4Repr.PROTO_UDP -> udp(b, buf, po, pl, n -> Checksum.pseudoHeaderSum(ip.src(), ip.dst(), Ipv4Repr.PROTO_UDP, n), false);
                case Ipv4Repr.PROTO_ICMP -> icmp(b, buf, po, pl);
                default -> payload(b, buf, po, pl, "not dissected");
            }
        }
        trailer(b, len - ip.totalLength());
    }

    /** RFC 791 3.1 options: single-byte EOL/NOP, else type, length, data. */
    private static void ipv4Options(Builder b, byte[] buf, int off, int len) {
        b.field("Options", len + " bytes");
        int p = 0;
        while (p < len) {
            int type = Bytes.u8(buf, off + p);
            if (type == 0) { b.sub("End of options list", ""); return; }
            if (type == 1) { b.sub("No operation", ""); p++; continue; }
            if (p + 1 >= len || Bytes.u8(buf, off + p + 1) < 2 || p + Bytes.u8(buf, off + p + 1) > len) {
                b.sub("Option " + type, "bad length", "rest of the options not read");
                return;
            }
            int olen = Bytes.u8(buf, off + p + 1);
            String name = switch (type & 0x1f) {
                case 7 -> "Record route";
                case 4 -> "Timestamp";
                case 3 -> "Loose source route";
                case 9 -> "Strict source route";
                case 20 -> "Router alert";
                default -> "Option " + type;
            };
            b.sub(name, "length " + olen);
            p += olen;
        }
    }

    private static void ipv6(Builder b, byte[] buf, int off, int len) {
        Parsed<Ipv6HeaderView> p = Ipv6HeaderView.of(buf, off, len);
        if (!(p instanceof Parsed.Ok<Ipv6HeaderView>(Ipv6HeaderView ip))) {
            b.fail((Parsed.Malformed<?>) p, off);
            return;
        }
        b.layer("IPv6");
        b.field("Version", "6");
        b.field("Traffic class", String.format("0x%02x (DSCP %d, ECN %d)", ip.trafficClass(), ip.dscp(), ip.ecn()));
        b.field("Flow label", String.format("0x%05x", ip.flowLabel()));
        b.field("Payload length", Integer.toString(ip.payloadLength()));
        b.field("Next header", nextHeader(ip.nextHeader()));
        b.field("Hop limit", Integer.toString(ip.hopLimit()));
        b.field("Source address", ip.src().toString(), v6Note(ip.src()));
        b.field("Destination address", ip.dst().toString(), v6Note(ip.dst()));

        // the walk a receiver does (RFC 8200 4), with everything this dissector reads above it
        Ipv6Chain.Verdict v = Ipv6Chain.walk(buf, off, len, Ipv6Chain.Limits.DEFAULT,
                nh -> nh == Ipv6Repr.NH_TCP || nh == Ipv6Repr.NH_UDP || nh == Ipv6Repr.NH_ICMPV6);
        for (Ipv6Chain.Entry e : v.headers()) extensionHeader(b, buf, off + e.offset(), e.header());
        int end = off + ip.totalLength();
        switch (v) {
            case Ipv6Chain.Verdict.Deliver d -> {
                int po = off + d.offset(), pl = d.length();
                IntToLongFunction pseudo = n -> Checksum.pseudoHeaderSum(ip.src(), ip.dst(), d.nextHeader(), n);
                switch (d.nextHeader()) {
                    case Ipv6Repr.NH_TCP -> tcp(b, buf, po, pl, pseudo);
                    case Ipv6Repr.NH_UDP -> udp(b, buf, po, pl, pseudo, true);
                    case Ipv6Repr.NH_ICMPV6 -> icmpv6(b, buf, po, pl, ip.src(), ip.dst());
                    default -> {
                        b.layer("No next header");
                        b.field("Bytes after the headers", Integer.toString(pl), "ignored (RFC 8200 4.7)");
                    }
                }
            }
            case Ipv6Chain.Verdict.Reassemble r -> {
                b.layer("Fragment data");
                int fo = r.fragment().fragmentOffset();
                b.field("Bytes", fo + "-" + (fo + r.dataLength() - 1) + " of the fragmentable part (" + r.dataLength() + " bytes)",
                        r.fragment().more() ? "more follow" : "last fragment");
                b.field("Note", "needs reassembly before the " + Ipv6Repr.nextHeaderName(r.fragment().nextHeader())
                        + " header can be read");
            }
            case Ipv6Chain.Verdict.ParameterProblem pp -> {
                receiverAction(b, "parameter problem, code " + pp.code() + " (" + Ipv6Chain.codeName(pp.code())
                        + "), pointer " + pp.pointer(), pp.reason());
                int after = afterHeaders(v);
                payload(b, buf, off + after, ip.totalLength() - after, "not dissected");
            }
            case Ipv6Chain.Verdict.Drop dr -> {
                receiverAction(b, "discard", dr.reason());
                int after = afterHeaders(v);
                payload(b, buf, off + after, ip.totalLength() - after, "not dissected");
            }
            case Ipv6Chain.Verdict.Invalid in -> b.fail(in.problem(), off);
        }
        trailer(b, len - (end - off));
    }

    private static void receiverAction(Builder b, String action, String reason) {
        b.layer("Receiver action");
        b.field("Action", action, "RFC 8200 4");
        b.field("Reason", reason);
    }

    /** Offset, from the IPv6 header, of the first byte after the extension headers read. */
    private static int afterHeaders(Ipv6Chain.Verdict v) {
        List<Ipv6Chain.Entry> h = v.headers();
        if (h.isEmpty()) return Ipv6Repr.HEADER_LENGTH;
        Ipv6Chain.Entry last = h.getLast();
        return last.offset() + last.header().length();
    }

    private static String nextHeader(int nh) { return Ipv6Repr.nextHeaderName(nh) + " (" + nh + ")"; }

    private static String v6Note(Ipv6Address a) {
        if (a.isUnspecified()) return "unspecified";
        if (a.isLoopback()) return "loopback";
        if (a.isMulticast()) return "multicast";
        if (a.isLinkLocal()) return "link-local";
        if (a.isIpv4Mapped()) return "IPv4-mapped";
        return "";
    }

    /** One extension header (RFC 8200 4.3-4.6), fields in diagram order; at is its absolute offset. */
    private static void extensionHeader(Builder b, byte[] buf, int at, Ipv6ExtensionHeader h) {
        switch (h) {
            case Ipv6ExtensionHeader.HopByHop hbh -> {
                b.layer("Hop-by-Hop Options");
                b.field("Next header", nextHeader(hbh.nextHeader()));
                b.field("Header length", hbh.length() + " bytes (Hdr Ext Len " + Bytes.u8(buf, at + 1) + ")");
                ipv6Options(b, hbh.options());
            }
            case Ipv6ExtensionHeader.DestinationOptions d -> {
                b.layer("Destination Options");
                b.field("Next header", nextHeader(d.nextHeader()));
                b.field("Header length", d.length() + " bytes (Hdr Ext Len " + Bytes.u8(buf, at + 1) + ")");
                ipv6Options(b, d.options());
            }
            case Ipv6ExtensionHeader.Routing r -> {
                b.layer("Routing");
                b.field("Next header", nextHeader(r.nextHeader()));
                b.field("Header length", r.length() + " bytes (Hdr Ext Len " + Bytes.u8(buf, at + 1) + ")");
                b.field("Routing type", r.routingType() + " (" + Ipv6ExtensionHeader.routingTypeName(r.routingType()) + ")");
                b.field("Segments left", Integer.toString(r.segmentsLeft()));
                if (r.routingType() == 0 && r.data().length >= 4) {
                    b.field("Reserved", String.format("0x%08x", Bytes.i32(r.data(), 0)));
                    for (int i = 4; i + 16 <= r.data().length; i += 16)
                        b.sub("Address[" + (i / 16) + "]", Ipv6Address.read(r.data(), i).toString());
                } else {
                    b.field("Type-specific data", r.data().length + " bytes", hexPrefix(r.data(), 0, r.data().length));
                }
            }
            case Ipv6ExtensionHeader.Fragment f -> {
                b.layer("Fragment");
                b.field("Next header", nextHeader(f.nextHeader()));
                b.field("Fragment offset", Integer.toString(f.fragmentOffset()), f.fragmentOffset() / 8 + " units of 8 bytes");
                b.field("More fragments", bit(f.more()));
                b.field("Identification", String.format("0x%08x (%s)", f.identification(), Integer.toUnsignedString(f.identification())),
                        f.isAtomic() ? "atomic fragment, processed whole (RFC 6946)" : "");
            }
        }
    }

    /** RFC 8200 4.2 options, each with the action its type asks of a node that does not know it. */
    private static void ipv6Options(Builder b, List<Ipv6Option> options) {
        int n = 0;
        for (Ipv6Option o : options) n += o.length();
        b.field("Options", n + " bytes");
        for (Ipv6Option o : options) {
            String name = "Option " + Ipv6Option.typeName(o.type());
            switch (o) {
                case Ipv6Option.Pad1 p -> b.sub(name, "1 byte");
                case Ipv6Option.PadN p -> b.sub(name, p.length() + " bytes");
                case Ipv6Option.RouterAlert r -> b.sub(name, r.value() + (r.value() == 0 ? " (MLD)" : ""), "RFC 2711");
                case Ipv6Option.Unknown u -> b.sub(name, u.data().length + " data bytes" + (u.data().length > 0 ? " " + hexPrefix(u.data(), 0, u.data().length) : ""),
                        Ipv6Option.actionText(Ipv6Option.action(u.type())) + (Ipv6Option.mayChange(u.type()) ? "; may change en route" : ""));
            }
        }
    }

    /** The first 32 bytes of d[off..off+len) in hex, "..." when there are more. */
    private static String hexPrefix(byte[] d, int off, int len) {
        int n = Math.min(len, 32);
        StringBuilder sb = new StringBuilder(2 * n + 3);
        for (int i = 0; i < n; i++) sb.append(String.format("%02x", d[off + i] & 0xff));
        if (n < len) sb.append("...");
        return sb.toString();
    }

    /** ICMPv6 (RFC 4443) and Neighbor Discovery (RFC 4861 4) at buf[off..off+len). */
    private static void icmpv6(Builder b, byte[] buf, int off, int len, Ipv6Address src, Ipv6Address dst) {
        if (len < Icmpv6Repr.HEADER_LENGTH) {
            b.fail(new Parsed.Malformed<>("icmpv6", MalformedKind.TRUNCATED, "truncated: " + len + " bytes, header needs 8", len), off);
            return;
        }
        int type = Bytes.u8(buf, off), code = Bytes.u8(buf, off + 1), cks = Bytes.u16(buf, off + 2);
        b.layer("ICMPv6");
        b.field("Type", type + " (" + Icmpv6Repr.typeName(type) + ")");
        String codeName = Icmpv6Repr.codeName(type, code);
        b.field("Code", code + (codeName.startsWith("code ") ? "" : " (" + codeName + ")"));
        boolean ok = Icmpv6Repr.checksumValid(src, dst, buf, off, len);
        int expected = Icmpv6Repr.expectedChecksum(src, dst, buf, off, len);
        b.field("Checksum", String.format("0x%04x", cks), ok ? "correct" : String.format("INCORRECT, should be 0x%04x", expected));
        if (!ok) b.fail(new Parsed.Malformed<>("icmpv6", MalformedKind.CHECKSUM, String.format("bad checksum 0x%04x, should be 0x%04x", cks, expected), 2), off);
        Parsed<Icmpv6Repr> p = Icmpv6Repr.parseBody(buf, off, len);
        if (!(p instanceof Parsed.Ok<Icmpv6Repr>(Icmpv6Repr m))) {
            b.fail((Parsed.Malformed<?>) p, off);
            return;
        }
        int dataOff = off + Icmpv6Repr.HEADER_LENGTH, dataLen = len - Icmpv6Repr.HEADER_LENGTH;
        switch (m) {
            case Icmpv6Repr.EchoRequest e -> echo6(b, buf, off, dataOff, dataLen);
            case Icmpv6Repr.EchoReply e -> echo6(b, buf, off, dataOff, dataLen);
            case Icmpv6Repr.DestinationUnreachable d -> {
                b.field("Unused", String.format("0x%08x", Bytes.i32(buf, off + 4)));
                quoted6(b, buf, dataOff, dataLen);
            }
            case Icmpv6Repr.PacketTooBig t -> {
                b.field("MTU", Long.toString(t.mtu()), t.mtu() < Ipv6Repr.MIN_MTU ? "below the IPv6 minimum 1280 (RFC 8201 4)" : "");
                quoted6(b, buf, dataOff, dataLen);
            }
            case Icmpv6Repr.TimeExceeded t -> {
                b.field("Unused", String.format("0x%08x", Bytes.i32(buf, off + 4)));
                quoted6(b, buf, dataOff, dataLen);
            }
            case Icmpv6Repr.ParameterProblem pp -> {
                b.field("Pointer", Long.toString(pp.pointer()), "offset in the quoted packet");
                quoted6(b, buf, dataOff, dataLen);
            }
            case Icmpv6Repr.RouterSolicitation rs -> {
                b.field("Reserved", String.format("0x%08x", Bytes.i32(buf, off + 4)));
                ndOptions(b, rs.options());
            }
            case Icmpv6Repr.RouterAdvertisement ra -> {
                b.field("Cur hop limit", Integer.toString(ra.curHopLimit()), ra.curHopLimit() == 0 ? "unspecified" : "");
                String fl = (ra.managed() ? "M " : "") + (ra.other() ? "O " : "");
                b.field("Flags", String.format("0x%02x", ra.flags()) + (fl.isEmpty() ? "" : " (" + fl.trim().replace(' ', ',') + ")"));
                b.sub("Managed address configuration (M)", bit(ra.managed()));
                b.sub("Other configuration (O)", bit(ra.other()));
                b.sub("Home agent (H)", bit((ra.flags() & 0x20) != 0));
                b.sub("Default router preference (Prf)", switch (ra.preference()) {
                    case 1 -> "high (1)";
                    case 0 -> "medium (0)";
                    case -1 -> "low (3)";
                    default -> "reserved (2)";
                });
                b.sub("Proxy (P)", bit((ra.flags() & 0x04) != 0));
                b.field("Router lifetime", ra.routerLifetime() + " s", ra.routerLifetime() == 0 ? "not a default router" : "");
                b.field("Reachable time", ra.reachableTime() + " ms", ra.reachableTime() == 0 ? "unspecified" : "");
                b.field("Retrans timer", ra.retransTimer() + " ms", ra.retransTimer() == 0 ? "unspecified" : "");
                ndOptions(b, ra.options());
            }
            case Icmpv6Repr.NeighborSolicitation ns -> {
                b.field("Reserved", String.format("0x%08x", Bytes.i32(buf, off + 4)));
                b.field("Target address", ns.target().toString(), v6Note(ns.target()));
                ndOptions(b, ns.options());
            }
            case Icmpv6Repr.NeighborAdvertisement na -> {
                int w = Bytes.i32(buf, off + 4);
                String fl = (na.router() ? "R " : "") + (na.solicited() ? "S " : "") + (na.override() ? "O " : "");
                b.field("Flags", String.format("0x%08x", w) + (fl.isEmpty() ? "" : " (" + fl.trim().replace(' ', ',') + ")"));
                b.sub("Router (R)", bit(na.router()));
                b.sub("Solicited (S)", bit(na.solicited()));
                b.sub("Override (O)", bit(na.override()));
                b.field("Target address", na.target().toString(), v6Note(na.target()));
                ndOptions(b, na.options());
            }
            case Icmpv6Repr.Redirect r -> {
                b.field("Reserved", String.format("0x%08x", Bytes.i32(buf, off + 4)));
                b.field("Target address", r.target().toString(), v6Note(r.target()));
                b.field("Destination address", r.destination().toString(), v6Note(r.destination()));
                ndOptions(b, r.options());
            }
            case Icmpv6Repr.Other o -> {
                b.field("Rest of header", String.format("0x%08x", Bytes.i32(buf, off + 4)),
                        type >= Icmpv6Repr.TYPE_ROUTER_SOLICITATION && type <= Icmpv6Repr.TYPE_REDIRECT
                                ? "code must be 0: a receiver discards it (RFC 4861)" : "");
                payload(b, buf, dataOff, dataLen, "");
            }
        }
    }

    private static void echo6(Builder b, byte[] buf, int off, int dataOff, int dataLen) {
        int id = Bytes.u16(buf, off + 4);
        b.field("Identifier", String.format("0x%04x (%d)", id, id));
        b.field("Sequence number", Integer.toString(Bytes.u16(buf, off + 6)));
        payload(b, buf, dataOff, dataLen, "echo data");
    }

    /** Neighbor Discovery options (RFC 4861 4.6), each with its fields in diagram order. */
    private static void ndOptions(Builder b, List<NdOption> options) {
        for (NdOption o : options) {
            String name = NdOption.typeName(o.type());
            String note = "type " + o.type() + ", " + o.length() + " bytes";
            switch (o) {
                case NdOption.SourceLinkLayerAddress s -> b.field(name, s.address().toString(), note);
                case NdOption.TargetLinkLayerAddress t -> b.field(name, t.address().toString(), note);
                case NdOption.PrefixInformation pi -> {
                    b.field(name, pi.prefix() + "/" + pi.prefixLength(), note);
                    b.sub("Prefix length", Integer.toString(pi.prefixLength()));
                    b.sub("On-link (L)", bit(pi.onLink()));
                    b.sub("Autonomous address configuration (A)", bit(pi.autonomous()));
                    b.sub("Valid lifetime", NdOption.lifetime(pi.validLifetime()));
                    b.sub("Preferred lifetime", NdOption.lifetime(pi.preferredLifetime()),
                            pi.preferredLifetime() > pi.validLifetime() ? "exceeds the valid lifetime: ignored (RFC 4862 5.5.3 c)" : "");
                    b.sub("Prefix", pi.prefix().toString());
                }
                case NdOption.RedirectedHeader r -> {
                    b.field(name, r.data().length + " bytes of the redirected packet", note);
                    if (r.data().length >= Ipv6Repr.HEADER_LENGTH && (r.data()[0] & 0xf0) == 0x60) {
                        b.sub("Source address", Ipv6Address.read(r.data(), Ipv6Repr.SRC).toString());
                        b.sub("Destination address", Ipv6Address.read(r.data(), Ipv6Repr.DST).toString());
                    }
                }
                case NdOption.Mtu m -> b.field(name, Long.toString(m.mtu()), note);
                case NdOption.Unknown u -> b.field(name, u.data().length + " data bytes " + hexPrefix(u.data(), 0, u.data().length),
                        note + ", skipped (RFC 4861 4.6)");
            }
        }
    }

    /** The invoking packet an ICMPv6 error carries (RFC 4443 2.4 (c)); it may be cut short. */
    private static void quoted6(Builder b, byte[] buf, int off, int len) {
        b.layer("Quoted IPv6 packet");
        if (len < Ipv6Repr.HEADER_LENGTH || (Bytes.u8(buf, off) >>> 4) != 6) {
            b.field("Data", len + " bytes", "not a readable IPv6 header");
            return;
        }
        int tc = (Bytes.i32(buf, off) >>> 20) & 0xff;
        b.field("Traffic class", String.format("0x%02x", tc));
        b.field("Flow label", String.format("0x%05x", Bytes.i32(buf, off) & 0xf_ffff));
        b.field("Payload length", Integer.toString(Bytes.u16(buf, off + 4)));
        int nh = Bytes.u8(buf, off + 6);
        b.field("Next header", nextHeader(nh));
        b.field("Hop limit", Integer.toString(Bytes.u8(buf, off + 7)));
        b.field("Source address", Ipv6Address.read(buf, off + Ipv6Repr.SRC).toString());
        b.field("Destination address", Ipv6Address.read(buf, off + Ipv6Repr.DST).toString());
        int t = off + Ipv6Repr.HEADER_LENGTH, tl = len - Ipv6Repr.HEADER_LENGTH;
        if ((nh == Ipv6Repr.NH_TCP || nh == Ipv6Repr.NH_UDP) && tl >= 4) {
            b.field("Source port", Integer.toString(Bytes.u16(buf, t)));
            b.field("Destination port", Integer.toString(Bytes.u16(buf, t + 2)));
        } else if (nh == Ipv6Repr.NH_ICMPV6 && tl >= 2) {
            b.field("ICMPv6 type", Bytes.u8(buf, t) + " (" + Icmpv6Repr.typeName(Bytes.u8(buf, t)) + ")");
        }
        b.field("Quoted bytes after the IPv6 header", Integer.toString(tl));
    }

    private static String bit(boolean set) { return set ? "Set" : "Not set"; }

    /** TCP; {@code pseudoSum} gives the sum of the IPv4 or IPv6 pseudo-header for a length. */
    private static void tcp(Builder b, byte[] buf, int off, int len, IntToLongFunction pseudoSum) {
        Parsed<TcpHeaderView> p = TcpHeaderView.of(buf, off, len);
        if (!(p instanceof Parsed.Ok<TcpHeaderView>(TcpHeaderView t))) {
            b.fail((Parsed.Malformed<?>) p, off);
            return;
        }
        b.layer("TCP");
        b.field("Source port", Integer.toString(t.srcPort()));
        b.field("Destination port", Integer.toString(t.dstPort()));
        b.field("Sequence number", Integer.toUnsignedString(t.seq()));
        b.field("Acknowledgment number", Integer.toUnsignedString(t.ack()), t.has(TcpRepr.ACK) ? "" : "ACK not set");
        b.field("Data offset", t.dataOffset() + " (" + t.headerLength() + " bytes)");
        if (t.reserved() != 0) b.field("Reserved", String.format("0x%x", t.reserved()), "should be zero");
        b.field("Flags", String.format("0x%02x [%s]", t.flags(), TcpRepr.flagLetters(t.flags())) + flagNames(t.flags()));
        String[] names = {"CWR", "ECE", "URG", "ACK", "PSH", "RST", "SYN", "FIN"};
        for (int i = 0; i < 8; i++) b.sub(names[i], bit((t.flags() & (0x80 >>> i)) != 0));
        b.field("Window", Integer.toString(t.window()));
        long pseudo = pseudoSum.applyAsLong(len);
        boolean ok = Checksum.finish(Checksum.sum(pseudo, buf, off, len)) == 0;
        int expected = expectedChecksum(pseudo, buf, off, len, 16);
        b.field("Checksum", String.format("0x%04x", t.checksum()),
                ok ? "correct" : String.format("INCORRECT, should be 0x%04x", expected));
        b.field("Urgent pointer", Integer.toString(t.urgentPointer()));
        if (t.optionsLength() > 0) {
            b.field("Options", t.optionsLength() + " bytes");
            List<TcpOption> options = new ArrayList<>();
            Parsed.Malformed<TcpRepr> bad = TcpRepr.parseOptions(buf, off, t.headerLength(), options);
            for (TcpOption o : options) {
                String d = o.describe();
                int colon = d.indexOf(": ");
                if (colon < 0) b.sub(d, "");
                else b.sub(d.substring(0, colon), d.substring(colon + 2));
            }
            if (bad != null) {
                b.fail(bad, off);
                return;
            }
        }
        if (!ok)
            b.fail(new Parsed.Malformed<>("tcp", MalformedKind.CHECKSUM, String.format("bad checksum 0x%04x, should be 0x%04x",
                    t.checksum(), expected), 16), off);
        payload(b, buf, t.payloadOffset(), t.payloadLength(), "");
    }

    private static String flagNames(int flags) {
        if (flags == 0) return "";
        String[] names = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if ((flags & (1 << i)) != 0) sb.append(sb.isEmpty() ? "" : ", ").append(names[i]);
        }
        return " (" + sb + ")";
    }

    /** The checksum field at cksOff of buf[off..off+len) should hold, with this pseudo-header sum. */
    private static int expectedChecksum(long pseudo, byte[] buf, int off, int len, int cksOff) {
        return Checksum.finish(Checksum.sum(Checksum.sum(pseudo, buf, off, cksOff), buf, off + cksOff + 2, len - cksOff - 2));
    }

    /** UDP, its pseudo-header summed for the length field; over IPv6 a zero checksum is an error. */
    private static void udp(Builder b, byte[] buf, int off, int len, IntToLongFunction pseudoSum, boolean ipv6) {
        Parsed<UdpHeaderView> p = UdpHeaderView.of(buf, off, len);
        if (!(p instanceof Parsed.Ok<UdpHeaderView>(UdpHeaderView u))) {
            b.fail((Parsed.Malformed<?>) p, off);
            return;
        }
        b.layer("UDP");
        b.field("Source port", Integer.toString(u.srcPort()));
        b.field("Destination port", Integer.toString(u.dstPort()));
        b.field("Length", Integer.toString(u.length()));
        long pseudo = pseudoSum.applyAsLong(u.length());
        int expected = expectedChecksum(pseudo, buf, off, u.length(), 6);
        if (expected == 0) expected = 0xffff; // RFC 768: a computed zero is sent as all ones
        if (!u.hasChecksum() && ipv6) {
            b.field("Checksum", "0x0000", String.format("none: not allowed over IPv6 (RFC 8200 8.1), should be 0x%04x", expected));
            b.fail(new Parsed.Malformed<>("udp", MalformedKind.CHECKSUM, "zero checksum over IPv6 (RFC 8200 8.1)", 6), off);
        } else if (!u.hasChecksum()) {
            b.field("Checksum", "0x0000", "none");
        } else {
            boolean ok = Checksum.finish(Checksum.sum(pseudo, buf, off, u.length())) == 0;
            b.field("Checksum", String.format("0x%04x", u.checksum()),
                    ok ? "correct" : String.format("INCORRECT, should be 0x%04x", expected));
            if (!ok)
                b.fail(new Parsed.Malformed<>("udp", MalformedKind.CHECKSUM, String.format("bad checksum 0x%04x, should be 0x%04x",
                        u.checksum(), expected), 6), off);
        }
        payload(b, buf, u.payloadOffset(), u.payloadLength(), "");
        if (len > u.length()) b.field("Bytes after the UDP length", Integer.toString(len - u.length()), "ignored");
    }

    private static void icmp(Builder b, byte[] buf, int off, int len) {
        if (len < IcmpRepr.HEADER_LENGTH) {
            b.fail(new Parsed.Malformed<>("icmp", MalformedKind.TRUNCATED, "truncated: " + len + " bytes, header needs 8", len), off);
            return;
        }
        int type = Bytes.u8(buf, off), code = Bytes.u8(buf, off + 1), cks = Bytes.u16(buf, off + 2);
        b.layer("ICMP");
        b.field("Type", type + " (" + IcmpRepr.typeName(type) + ")");
        b.field("Code", code + (type == IcmpRepr.TYPE_DEST_UNREACHABLE || type == IcmpRepr.TYPE_TIME_EXCEEDED
                ? " (" + IcmpRepr.codeName(type, code) + ")" : ""));
        boolean ok = Checksum.compute(buf, off, len) == 0;
        int expected = Checksum.finish(Checksum.sum(Checksum.sum(0, buf, off, 2), buf, off + 4, len - 4));
        b.field("Checksum", String.format("0x%04x", cks), ok ? "correct" : String.format("INCORRECT, should be 0x%04x", expected));
        if (!ok) b.fail(new Parsed.Malformed<>("icmp", MalformedKind.CHECKSUM, String.format("bad checksum 0x%04x, should be 0x%04x", cks, expected), 2), off);
        int dataOff = off + IcmpRepr.HEADER_LENGTH, dataLen = len - IcmpRepr.HEADER_LENGTH;
        switch (type) {
            case IcmpRepr.TYPE_ECHO_REQUEST, IcmpRepr.TYPE_ECHO_REPLY -> {
                int id = Bytes.u16(buf, off + 4);
                b.field("Identifier", String.format("0x%04x (%d)", id, id));
                b.field("Sequence number", Integer.toString(Bytes.u16(buf, off + 6)));
                payload(b, buf, dataOff, dataLen, "echo data");
            }
            case IcmpRepr.TYPE_DEST_UNREACHABLE, IcmpRepr.TYPE_TIME_EXCEEDED -> {
                if (type == IcmpRepr.TYPE_DEST_UNREACHABLE && code == IcmpRepr.CODE_FRAGMENTATION_NEEDED)
                    b.field("Next-hop MTU", Integer.toString(Bytes.u16(buf, off + 6)));
                quoted(b, buf, dataOff, dataLen);
            }
            default -> {
                b.field("Rest of header", String.format("0x%08x", Bytes.i32(buf, off + 4)));
                payload(b, buf, dataOff, dataLen, "");
            }
        }
    }

    /** The datagram quoted by an ICMP error (RFC 792: IP header + first 64 bits of data). */
    private static void quoted(Builder b, byte[] buf, int off, int len) {
        b.layer("Quoted IPv4 datagram");
        if (len < Ipv4Repr.MIN_HEADER_LENGTH || (Bytes.u8(buf, off) >>> 4) != 4 || (Bytes.u8(buf, off) & 0xf) < 5
                || (Bytes.u8(buf, off) & 0xf) * 4 > len) {
            b.field("Data", len + " bytes", "not a readable IPv4 header");
            return;
        }
        int hl = (Bytes.u8(buf, off) & 0xf) * 4;
        int proto = Bytes.u8(buf, off + 9);
        b.field("Header length", hl + " bytes");
        b.field("Total length", Integer.toString(Bytes.u16(buf, off + 2)));
        int id = Bytes.u16(buf, off + 4);
        b.field("Identification", String.format("0x%04x (%d)", id, id));
        b.field("Time to live", Integer.toString(Bytes.u8(buf, off + 8)));
        b.field("Protocol", Ipv4Repr.protocolName(proto) + " (" + proto + ")");
        b.field("Source address", Ipv4Address.read(buf, off + 12).toString());
        b.field("Destination address", Ipv4Address.read(buf, off + 16).toString());
        int t = off + hl, tl = len - hl;
        if ((proto == Ipv4Repr.PROTO_TCP || proto == Ipv4Repr.PROTO_UDP) && tl >= 4) {
            b.field("Source port", Integer.toString(Bytes.u16(buf, t)));
            b.field("Destination port", Integer.toString(Bytes.u16(buf, t + 2)));
            if (proto == Ipv4Repr.PROTO_TCP && tl >= 8) b.field("Sequence number", Integer.toUnsignedString(Bytes.i32(buf, t + 4)));
            if (proto == Ipv4Repr.PROTO_UDP && tl >= 6) b.field("Length", Integer.toString(Bytes.u16(buf, t + 4)));
        }
        b.field("Quoted bytes after the IP header", Integer.toString(tl));
    }

    private static void payload(Builder b, byte[] buf, int off, int len, String note) {
        b.layer("Payload");
        b.field("Length", len + " bytes", note);
        if (len > 0) b.field("Bytes", hexPrefix(buf, off, len));
    }

    private static void trailer(Builder b, int extra) {
        if (extra <= 0) return;
        b.layer("Trailer");
        b.field("Length", extra + " bytes", "link-layer padding, ignored");
    }

    /** Collects layers; remembers the first error only. */
    private static final class Builder {
        private final int frameOff;
        private final List<Dissection.Layer> layers = new ArrayList<>();
        private String name;
        private List<Dissection.Field> fields;
        private Parsed.Malformed<?> error;
        private boolean internal;

        Builder(int frameOff) { this.frameOff = frameOff; }

        void layer(String layerName) {
            close();
            name = layerName;
            fields = new ArrayList<>();
        }

        void field(String n, String v) { fields.add(new Dissection.Field(n, v, "", 0)); }
        void field(String n, String v, String note) { fields.add(new Dissection.Field(n, v, note, 0)); }
        void sub(String n, String v) { fields.add(new Dissection.Field(n, v, "", 1)); }
        void sub(String n, String v, String note) { fields.add(new Dissection.Field(n, v, note, 1)); }

        /** Records m (offset relative to layerStart, an absolute buffer index) if it is the first error. */
        void fail(Parsed.Malformed<?> m, int layerStart) {
            if (error == null) error = new Parsed.Malformed<>(m.layer(), m.kind(), m.reason(), layerStart - frameOff + m.offset());
        }

        void internal(RuntimeException e) {
            close();
            internal = true;
            error = new Parsed.Malformed<>("dissector", MalformedKind.INTERNAL, "internal error: " + e, 0);
        }

        private void close() {
            if (name != null) layers.add(new Dissection.Layer(name, fields));
            name = null;
        }

        Dissection build() {
            close();
            return new Dissection(layers, error, internal);
        }
    }
}
