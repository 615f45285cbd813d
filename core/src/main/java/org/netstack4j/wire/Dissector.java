package org.netstack4j.wire;

import java.util.ArrayList;
import java.util.List;

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
                    case RAW_IP -> ipv4(b, buf, off, len);
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
                case Ipv4Repr.PROTO_TCP -> tcp(b, buf, po, pl, ip.src(), ip.dst());
                case Ipv4Repr.PROTO_UDP -> udp(b, buf, po, pl, ip.src(), ip.dst());
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

    private static String bit(boolean set) { return set ? "Set" : "Not set"; }

    private static void tcp(Builder b, byte[] buf, int off, int len, Ipv4Address src, Ipv4Address dst) {
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
        boolean ok = t.checksumValid(src, dst);
        b.field("Checksum", String.format("0x%04x", t.checksum()),
                ok ? "correct" : String.format("INCORRECT, should be 0x%04x", t.expectedChecksum(src, dst)));
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
                    t.checksum(), t.expectedChecksum(src, dst)), 16), off);
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

    private static void udp(Builder b, byte[] buf, int off, int len, Ipv4Address src, Ipv4Address dst) {
        Parsed<UdpHeaderView> p = UdpHeaderView.of(buf, off, len);
        if (!(p instanceof Parsed.Ok<UdpHeaderView>(UdpHeaderView u))) {
            b.fail((Parsed.Malformed<?>) p, off);
            return;
        }
        b.layer("UDP");
        b.field("Source port", Integer.toString(u.srcPort()));
        b.field("Destination port", Integer.toString(u.dstPort()));
        b.field("Length", Integer.toString(u.length()));
        if (!u.hasChecksum()) {
            b.field("Checksum", "0x0000", "none");
        } else {
            boolean ok = u.checksumValid(src, dst);
            b.field("Checksum", String.format("0x%04x", u.checksum()),
                    ok ? "correct" : String.format("INCORRECT, should be 0x%04x", u.expectedChecksum(src, dst)));
            if (!ok)
                b.fail(new Parsed.Malformed<>("udp", MalformedKind.CHECKSUM, String.format("bad checksum 0x%04x, should be 0x%04x",
                        u.checksum(), u.expectedChecksum(src, dst)), 6), off);
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
        if (len > 0) {
            int n = Math.min(len, 32);
            StringBuilder sb = new StringBuilder(2 * n + 3);
            for (int i = 0; i < n; i++) sb.append(String.format("%02x", buf[off + i] & 0xff));
            if (n < len) sb.append("...");
            b.field("Bytes", sb.toString());
        }
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
