package org.netstack4j.wire;

/** An IPv4 address ({@link IpAddress}) held as its 32 bits, network order ({@code a.b.c.d = a<<24|b<<16|c<<8|d}). */
public record Ipv4Address(int bits) implements IpAddress {
    public static final Ipv4Address ANY = new Ipv4Address(0);
    public static final Ipv4Address BROADCAST = new Ipv4Address(0xffffffff);

    /** Parses dotted-quad text; throws IllegalArgumentException with a clear message. */
    public static Ipv4Address parse(String text) {
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) throw new IllegalArgumentException("not an IPv4 address (want a.b.c.d): " + text);
        int bits = 0;
        for (String p : parts) {
            int v;
            try { v = Integer.parseInt(p); } catch (NumberFormatException e) { v = -1; }
            if (p.isEmpty() || p.length() > 3 || v < 0 || v > 255)
                throw new IllegalArgumentException("not an IPv4 address (each part 0-255): " + text);
            bits = (bits << 8) | v;
        }
        return new Ipv4Address(bits);
    }

    public static Ipv4Address of(int a, int b, int c, int d) {
        return new Ipv4Address((a & 0xff) << 24 | (b & 0xff) << 16 | (c & 0xff) << 8 | (d & 0xff));
    }

    public static Ipv4Address read(byte[] buf, int off) {
        return new Ipv4Address((buf[off] & 0xff) << 24 | (buf[off + 1] & 0xff) << 16
                | (buf[off + 2] & 0xff) << 8 | (buf[off + 3] & 0xff));
    }

    public void write(byte[] buf, int off) {
        buf[off] = (byte) (bits >>> 24);
        buf[off + 1] = (byte) (bits >>> 16);
        buf[off + 2] = (byte) (bits >>> 8);
        buf[off + 3] = (byte) bits;
    }

    @Override public Family family() { return Family.IPV4; }

    public boolean isBroadcast() { return bits == 0xffffffff; }
    @Override public boolean isMulticast() { return (bits >>> 28) == 0xe; }
    @Override public boolean isUnspecified() { return bits == 0; }
    /** 127.0.0.0/8 (RFC 1122 3.2.1.3 (g)). */
    @Override public boolean isLoopback() { return (bits >>> 24) == 127; }

    @Override public long high64() { return 0; }
    @Override public long low64() { return 0xffff_0000_0000L | (bits & 0xffff_ffffL); }

    /** The IPv4-mapped IPv6 address {@code ::ffff:a.b.c.d} (RFC 4291 2.5.5.2). */
    public Ipv6Address toMapped() { return new Ipv6Address(0, low64()); }

    public int compareTo(Ipv4Address o) { return Integer.compareUnsigned(bits, o.bits); }

    @Override public String toString() {
        return (bits >>> 24) + "." + ((bits >>> 16) & 0xff) + "." + ((bits >>> 8) & 0xff) + "." + (bits & 0xff);
    }
}
