package org.netstack4j.apps.dns;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A resource record (RFC 1035 3.2.1, 4.1.3) with its data parsed by type. The OPT
 * pseudo-record of EDNS(0) (RFC 6891 6.1.2) keeps the sender's UDP payload size in
 * {@code rclass} and the extended rcode, version and flags in {@code ttl}.
 */
public record ResourceRecord(DnsName name, int type, int rclass, long ttl, Rdata data) {
    public ResourceRecord {
        if (ttl < 0 || ttl > 0xffff_ffffL) throw new IllegalArgumentException("ttl is 32 bits unsigned: " + ttl);
    }

    public static ResourceRecord opt(int udpSize) { return new ResourceRecord(DnsName.ROOT, DnsType.OPT, udpSize, 0, new Rdata.Raw(new byte[0])); }

    public ResourceRecord withTtl(long newTtl) { return new ResourceRecord(name, type, rclass, newTtl, data); }

    /** Record data by type; anything not modelled is kept as bytes (RFC 3597). */
    public sealed interface Rdata {
        /** IPv4 address (A), 4 bytes. */
        record A(byte[] address) implements Rdata {
            public A { if (address.length != 4) throw new IllegalArgumentException("A needs 4 bytes"); address = address.clone(); }
            @Override public byte[] address() { return address.clone(); }
            @Override public boolean equals(Object o) { return o instanceof A a && Arrays.equals(a.address, address); }
            @Override public int hashCode() { return Arrays.hashCode(address); }
            @Override public String toString() { return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "." + (address[3] & 0xff); }
        }

        /** IPv6 address (AAAA, RFC 3596), 16 bytes. */
        record Aaaa(byte[] address) implements Rdata {
            public Aaaa { if (address.length != 16) throw new IllegalArgumentException("AAAA needs 16 bytes"); address = address.clone(); }
            @Override public byte[] address() { return address.clone(); }
            @Override public boolean equals(Object o) { return o instanceof Aaaa a && Arrays.equals(a.address, address); }
            @Override public int hashCode() { return Arrays.hashCode(address); }
            @Override public String toString() {
                try {
                    return java.net.InetAddress.getByAddress(address).getHostAddress();
                } catch (java.net.UnknownHostException e) {
                    throw new AssertionError(e); // 16 bytes always make an address
                }
            }
        }

        /** A name: CNAME, NS, PTR. */
        record Name(DnsName target) implements Rdata {
            @Override public String toString() { return target.toString(); }
        }

        record Mx(int preference, DnsName exchange) implements Rdata {
            @Override public String toString() { return preference + " " + exchange; }
        }

        record Soa(DnsName mname, DnsName rname, long serial, long refresh, long retry, long expire, long minimum) implements Rdata {
            @Override public String toString() { return mname + " " + rname + " " + serial + " " + refresh + " " + retry + " " + expire + " " + minimum; }
        }

        /** TXT: one or more character-strings of up to 255 octets each. */
        record Txt(List<String> strings) implements Rdata {
            public Txt {
                strings = List.copyOf(strings);
                for (String s : strings) if (s.length() > 255) throw new IllegalArgumentException("a TXT string is at most 255 octets");
            }
            @Override public String toString() {
                StringBuilder sb = new StringBuilder();
                for (String s : strings) {
                    if (!sb.isEmpty()) sb.append(' ');
                    sb.append('"');
                    for (char c : s.toCharArray()) {
                        if (c == '"' || c == '\\') sb.append('\\').append(c);
                        else if (c < 0x20 || c >= 0x7f) sb.append('\\').append(String.format("%03d", (int) c));
                        else sb.append(c);
                    }
                    sb.append('"');
                }
                return sb.toString();
            }
        }

        record Raw(byte[] bytes) implements Rdata {
            public Raw { bytes = bytes.clone(); }
            @Override public byte[] bytes() { return bytes.clone(); }
            @Override public boolean equals(Object o) { return o instanceof Raw r && Arrays.equals(r.bytes, bytes); }
            @Override public int hashCode() { return Arrays.hashCode(bytes); }
            @Override public String toString() { return "\\# " + bytes.length + (bytes.length > 0 ? " " + HexFormat.of().formatHex(bytes) : ""); }
        }
    }

    @Override public String toString() {
        return name + "\t" + ttl + "\t" + DnsType.className(rclass) + "\t" + DnsType.name(type) + "\t" + data;
    }
}
