package org.netstack4j.wire;

import java.util.HexFormat;

/** A 48-bit Ethernet address held in the low 48 bits of a long. */
public record MacAddress(long bits) {
    public static final MacAddress BROADCAST = new MacAddress(0xffff_ffff_ffffL);
    public static final MacAddress ZERO = new MacAddress(0);

    public MacAddress {
        if ((bits & ~0xffff_ffff_ffffL) != 0) throw new IllegalArgumentException("MAC address has more than 48 bits");
    }

    /** Parses "aa:bb:cc:dd:ee:ff"; throws IllegalArgumentException with a clear message. */
    public static MacAddress parse(String text) {
        String[] parts = text.trim().split("[:-]", -1);
        if (parts.length != 6) throw new IllegalArgumentException("not a MAC address (want aa:bb:cc:dd:ee:ff): " + text);
        long bits = 0;
        for (String p : parts) {
            if (p.length() != 2) throw new IllegalArgumentException("not a MAC address (want aa:bb:cc:dd:ee:ff): " + text);
            try { bits = (bits << 8) | HexFormat.fromHexDigits(p); }
            catch (IllegalArgumentException e) { throw new IllegalArgumentException("not a MAC address: " + text); }
        }
        return new MacAddress(bits);
    }

    public static MacAddress read(byte[] buf, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) v = (v << 8) | (buf[off + i] & 0xff);
        return new MacAddress(v);
    }

    public void write(byte[] buf, int off) {
        for (int i = 5; i >= 0; i--) buf[off + 5 - i] = (byte) (bits >>> (8 * i));
    }

    public boolean isBroadcast() { return bits == 0xffff_ffff_ffffL; }
    public boolean isMulticast() { return ((bits >>> 40) & 1) != 0; }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            if (i < 5) sb.append(':');
            sb.append(HexFormat.of().toHexDigits((byte) (bits >>> (8 * i))));
        }
        return sb.toString();
    }
}
