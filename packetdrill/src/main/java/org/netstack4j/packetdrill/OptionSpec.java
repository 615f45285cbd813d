package org.netstack4j.packetdrill;

import java.util.List;

/** One TCP option in a script packet line ({@code <mss 1460,nop,wscale 7,sackOK,TS val 1 ecr 0>}). */
public sealed interface OptionSpec {
    record Nop() implements OptionSpec { @Override public String toString() { return "nop"; } }
    record Eol() implements OptionSpec { @Override public String toString() { return "eol"; } }
    record Mss(int mss) implements OptionSpec { @Override public String toString() { return "mss " + mss; } }
    record WScale(int shift) implements OptionSpec { @Override public String toString() { return "wscale " + shift; } }
    record SackOk() implements OptionSpec { @Override public String toString() { return "sackOK"; } }
    /** Blocks as written, [left, right) in script sequence space. */
    record Sack(List<long[]> blocks) implements OptionSpec {
        @Override public String toString() {
            StringBuilder b = new StringBuilder("sack");
            for (long[] bl : blocks) b.append(' ').append(bl[0]).append(':').append(bl[1]);
            return b.toString();
        }
    }
    /**
     * The AccECN option (RFC 9768 3.2.3): kind 172 (Order 0: e0b, ceb, e1b) or 174 (Order 1: e1b,
     * ceb, e0b) and 0 to 3 counter fields of 24 bits, as written.
     */
    record AccEcn(int kind, List<String> names, List<Long> values) implements OptionSpec {
        static AccEcn of(int line, String word, List<String> names, List<Long> values) {
            String[] order0 = {"e0b", "ceb", "e1b"}, order1 = {"e1b", "ceb", "e0b"};
            int kind = word.equals("AccECN0") ? 172 : word.equals("AccECN1") ? 174
                : !names.isEmpty() && names.getFirst().equals("e0b") ? 172 : 174;
            String[] want = kind == 172 ? order0 : order1;
            for (int i = 0; i < names.size(); i++)
                if (i >= 3 || !names.get(i).equals(want[i])) throw new Unsupported(line, "AccECN option fields " + names + " in no RFC 9768 order");
            return new AccEcn(kind, List.copyOf(names), List.copyOf(values));
        }

        /** The option's value bytes (3 per field, big-endian, 24 bits). */
        byte[] data() {
            byte[] d = new byte[3 * values.size()];
            for (int i = 0; i < values.size(); i++) {
                long v = values.get(i);
                d[3 * i] = (byte) (v >>> 16);
                d[3 * i + 1] = (byte) (v >>> 8);
                d[3 * i + 2] = (byte) v;
            }
            return d;
        }

        @Override public String toString() {
            StringBuilder b = new StringBuilder("ECN");
            for (int i = 0; i < names.size(); i++) b.append(' ').append(names.get(i)).append(' ').append(values.get(i));
            return b.toString();
        }
    }
    /**
     * TCP Fast Open (RFC 7413): {@code FO} (a cookie request), {@code FO abcd1234} (a cookie in
     * hex), {@code FOEXP ...} the same in the experimental option (kind 254, magic 0xF989).
     */
    record FastOpen(byte[] cookie, boolean exp) implements OptionSpec {
        public FastOpen { cookie = cookie.clone(); }
        @Override public String toString() {
            return (exp ? "FOEXP" : "FO") + (cookie.length == 0 ? "" : " " + java.util.HexFormat.of().formatHex(cookie));
        }
        @Override public boolean equals(Object o) { return o instanceof FastOpen f && exp == f.exp && java.util.Arrays.equals(cookie, f.cookie); }
        @Override public int hashCode() { return java.util.Arrays.hashCode(cookie) * 2 + (exp ? 1 : 0); }

        /** The option's bytes after kind and length: the magic first for FOEXP. */
        byte[] data() {
            if (!exp) return cookie.clone();
            byte[] d = new byte[2 + cookie.length];
            d[0] = (byte) 0xF9;
            d[1] = (byte) 0x89;
            System.arraycopy(cookie, 0, d, 2, cookie.length);
            return d;
        }
        int kind() { return exp ? 254 : 34; }
    }
    /**
     * TCP-MD5 (RFC 2385, kind 19): {@code md5} alone is a signature made with the script's key
     * (inbound) or any digest the key verifies (outbound); {@code md5 <32 hex digits>} that exact
     * digest (a forged one, inbound).
     */
    record Md5(byte[] digest) implements OptionSpec {
        public Md5 { digest = digest == null ? null : digest.clone(); }
        @Override public String toString() { return "md5" + (digest == null ? "" : " " + java.util.HexFormat.of().formatHex(digest)); }
        @Override public boolean equals(Object o) { return o instanceof Md5 m && java.util.Arrays.equals(digest, m.digest); }
        @Override public int hashCode() { return java.util.Arrays.hashCode(digest); }
    }
    /** val -1 for nplab's {@code val ...} (any); ecrAbsolute for {@code ecr E!} (no mapping). */
    record Ts(long val, long ecr, boolean ecrAbsolute) implements OptionSpec {
        public Ts(long val, long ecr) { this(val, ecr, false); }
        @Override public String toString() {
            return "TS val " + (val < 0 ? "..." : Long.toString(val)) + " ecr " + ecr + (ecrAbsolute ? "!" : "");
        }
    }
}
