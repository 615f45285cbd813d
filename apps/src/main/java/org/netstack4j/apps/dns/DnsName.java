package org.netstack4j.apps.dns;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A domain name (RFC 1035 3.1): a sequence of labels of 1 to 63 octets, at most 255 octets on the
 * wire. Labels hold their octets as chars 0-255; comparison ignores ASCII case (RFC 4343).
 * {@link #toString} writes the master-file form with a trailing dot, escaping dots and
 * backslashes as {@code \.} and {@code \\} and other non-printable octets as {@code \DDD}.
 */
public final class DnsName {
    public static final DnsName ROOT = new DnsName(List.of());
    public static final int MAX_LABEL = 63;
    public static final int MAX_WIRE = 255;

    private final List<String> labels;
    private final String key;

    private DnsName(List<String> labels) {
        this.labels = List.copyOf(labels);
        StringBuilder k = new StringBuilder();
        for (String l : this.labels) k.append(l.toLowerCase(Locale.ROOT)).append('.');
        this.key = k.toString();
    }

    /** Builds a name from labels, checking RFC 1035's limits. */
    public static DnsName of(List<String> labels) {
        int wire = 1;
        for (String l : labels) {
            if (l.isEmpty() || l.length() > MAX_LABEL)
                throw new IllegalArgumentException("a label must be 1 to 63 octets: \"" + l + "\"");
            for (int i = 0; i < l.length(); i++)
                if (l.charAt(i) > 0xff) throw new IllegalArgumentException("a label holds octets, not " + l.charAt(i));
            wire += 1 + l.length();
        }
        if (wire > MAX_WIRE) throw new IllegalArgumentException("a name is at most 255 octets on the wire, not " + wire);
        return new DnsName(labels);
    }

    /**
     * Parses master-file text ("www.example.com", "www.example.com.", "." for the root, with
     * {@code \.} and {@code \DDD} escapes). Relative and absolute names both give an absolute name.
     */
    public static DnsName parse(String text) {
        if (text.equals(".") || text.isEmpty()) return ROOT;
        List<String> labels = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                if (i + 1 >= text.length()) throw new IllegalArgumentException("name ends in a backslash: " + text);
                char n = text.charAt(i + 1);
                if (Character.isDigit(n)) {
                    if (i + 3 >= text.length() || !text.substring(i + 1, i + 4).chars().allMatch(Character::isDigit))
                        throw new IllegalArgumentException("\\DDD needs three digits: " + text);
                    int v = Integer.parseInt(text.substring(i + 1, i + 4));
                    if (v > 255) throw new IllegalArgumentException("\\DDD above 255: " + text);
                    cur.append((char) v);
                    i += 3;
                } else {
                    cur.append(n);
                    i++;
                }
            } else if (c == '.') {
                if (cur.isEmpty()) throw new IllegalArgumentException("empty label in " + text);
                labels.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (!cur.isEmpty()) labels.add(cur.toString());
        return of(labels);
    }

    public List<String> labels() { return labels; }

    public int labelCount() { return labels.size(); }

    public boolean isRoot() { return labels.isEmpty(); }

    /** Octets this name takes on the wire without compression. */
    public int wireLength() {
        int n = 1;
        for (String l : labels) n += 1 + l.length();
        return n;
    }

    /** The name without its first label (the parent); the root's parent is the root. */
    public DnsName parent() { return labels.isEmpty() ? this : new DnsName(labels.subList(1, labels.size())); }

    /** True if this name equals {@code zone} or lies below it. */
    public boolean isWithin(DnsName zone) { return key.endsWith(zone.key) && (key.length() == zone.key.length() || zone.key.isEmpty()
            || key.charAt(key.length() - zone.key.length() - 1) == '.'); }

    /** This name with {@code origin} appended (for relative names in a zone file). */
    public DnsName append(DnsName origin) {
        List<String> all = new ArrayList<>(labels);
        all.addAll(origin.labels);
        return of(all);
    }

    /** Lower-cased form used as a map key; ends with a dot ("" for the root). */
    String key() { return key; }

    @Override public boolean equals(Object o) { return o instanceof DnsName n && n.key.equals(key); }

    @Override public int hashCode() { return key.hashCode(); }

    @Override public String toString() {
        if (labels.isEmpty()) return ".";
        StringBuilder sb = new StringBuilder();
        for (String l : labels) {
            for (int i = 0; i < l.length(); i++) {
                char c = l.charAt(i);
                if (c == '.' || c == '\\') sb.append('\\').append(c);
                else if (c <= 0x20 || c >= 0x7f) sb.append('\\').append(String.format("%03d", (int) c));
                else sb.append(c);
            }
            sb.append('.');
        }
        return sb.toString();
    }
}
