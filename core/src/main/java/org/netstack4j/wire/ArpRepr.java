package org.netstack4j.wire;

import java.util.Objects;

/**
 * ARP for IPv4 over Ethernet (RFC 826): 28 bytes.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Hardware type (1)         |     Protocol type (0x0800)    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  HW len (6)   | Proto len (4) |          Operation            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Sender hardware address (6) | Sender protocol address (4) |
 * |     Target hardware address (6) | Target protocol address (4) |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public record ArpRepr(int operation, MacAddress senderMac, Ipv4Address senderIp,
                      MacAddress targetMac, Ipv4Address targetIp) {
    public static final int LENGTH = 28;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;

    private static final int HTYPE = 0, PTYPE = 2, HLEN = 4, PLEN = 5, OPER = 6, SHA = 8, SPA = 14, THA = 18, TPA = 24;
    private static final int HTYPE_ETHERNET = 1;

    public ArpRepr {
        Bytes.checkRange("operation", operation, 0, 0xffff);
        Objects.requireNonNull(senderMac, "senderMac");
        Objects.requireNonNull(senderIp, "senderIp");
        Objects.requireNonNull(targetMac, "targetMac");
        Objects.requireNonNull(targetIp, "targetIp");
    }

    /** Parses an ARP packet (htype 1, ptype 0x0800, hlen 6, plen 4; anything else is Malformed). */
    public static Parsed<ArpRepr> parse(byte[] buf, int off, int len) {
        if (!Bytes.inBounds(buf, off, len)) return Parsed.malformed("arp", MalformedKind.BAD_RANGE, "bad buffer range", 0);
        if (len < LENGTH) return Parsed.malformed("arp", MalformedKind.TRUNCATED, "truncated: " + len + " bytes, ARP needs " + LENGTH, len);
        int htype = Bytes.u16(buf, off + HTYPE);
        if (htype != HTYPE_ETHERNET)
            return Parsed.malformed("arp", MalformedKind.BAD_HEADER, "hardware type " + htype + " is not Ethernet (1)", HTYPE);
        int ptype = Bytes.u16(buf, off + PTYPE);
        if (ptype != EthernetRepr.ETHERTYPE_IPV4)
            return Parsed.malformed("arp", MalformedKind.BAD_HEADER, String.format("protocol type 0x%04x is not IPv4 (0x0800)", ptype), PTYPE);
        if (Bytes.u8(buf, off + HLEN) != 6)
            return Parsed.malformed("arp", MalformedKind.BAD_HEADER, "hardware address length " + Bytes.u8(buf, off + HLEN) + " is not 6", HLEN);
        if (Bytes.u8(buf, off + PLEN) != 4)
            return Parsed.malformed("arp", MalformedKind.BAD_HEADER, "protocol address length " + Bytes.u8(buf, off + PLEN) + " is not 4", PLEN);
        return Parsed.ok(new ArpRepr(Bytes.u16(buf, off + OPER),
                MacAddress.read(buf, off + SHA), Ipv4Address.read(buf, off + SPA),
                MacAddress.read(buf, off + THA), Ipv4Address.read(buf, off + TPA)));
    }

    /** Writes the 28 bytes at buf[off]; returns 28. */
    public int emit(byte[] buf, int off) {
        Bytes.put16(buf, off + HTYPE, HTYPE_ETHERNET);
        Bytes.put16(buf, off + PTYPE, EthernetRepr.ETHERTYPE_IPV4);
        Bytes.put8(buf, off + HLEN, 6);
        Bytes.put8(buf, off + PLEN, 4);
        Bytes.put16(buf, off + OPER, operation);
        senderMac.write(buf, off + SHA);
        senderIp.write(buf, off + SPA);
        targetMac.write(buf, off + THA);
        targetIp.write(buf, off + TPA);
        return LENGTH;
    }

    public static String operationName(int operation) {
        return switch (operation) {
            case OP_REQUEST -> "request";
            case OP_REPLY -> "reply";
            default -> "operation " + operation;
        };
    }

    /** tcpdump-like: "Request who-has 10.0.0.2 tell 10.0.0.1" / "Reply 10.0.0.2 is-at aa:bb:...". */
    @Override public String toString() {
        return switch (operation) {
            case OP_REQUEST -> "ARP, Request who-has " + targetIp + " tell " + senderIp;
            case OP_REPLY -> "ARP, Reply " + senderIp + " is-at " + senderMac;
            default -> "ARP, " + operationName(operation) + " sender " + senderMac + " " + senderIp
                    + " target " + targetMac + " " + targetIp;
        };
    }
}
