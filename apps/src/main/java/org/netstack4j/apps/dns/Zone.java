package org.netstack4j.apps.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.netstack4j.apps.dns.ResourceRecord.Rdata;

/**
 * An authoritative zone loaded from master-file text (RFC 1035 5): {@code $ORIGIN} and
 * {@code $TTL} directives, {@code @} for the origin, relative names completed with the origin, a
 * blank owner meaning the previous one, parentheses joining lines, {@code ;} comments, quoted
 * TXT strings. Types A, AAAA, CNAME, MX, NS, SOA, TXT and PTR. A zone needs exactly one SOA, at
 * its origin. Mistakes are reported with their line number; nothing half-loaded is returned.
 *
 * <pre>
 * $ORIGIN example.test.
 * $TTL 3600
 * {@literal @}     IN SOA ns1 hostmaster ( 1 7200 3600 1209600 300 )
 *       IN NS  ns1
 * ns1   IN A   10.7.0.2
 * www   300 IN A 10.7.0.2
 *       IN AAAA fd00:7::2
 * mail  IN MX  10 mx1
 * </pre>
 */
public final class Zone {
    /** A zone file mistake: the line and what is wrong with it. */
    public static final class ZoneException extends Exception {
        public ZoneException(int line, String message) { super("line " + line + ": " + message); }
    }

    /** Bounds that keep a hostile or mistaken file from taking unbounded memory. */
    public static final int MAX_RECORDS = 100_000;

    private final DnsName origin;
    private final ResourceRecord soa;
    private final Map<DnsName, List<ResourceRecord>> nodes;

    private Zone(DnsName origin, ResourceRecord soa, Map<DnsName, List<ResourceRecord>> nodes) {
        this.origin = origin;
        this.soa = soa;
        this.nodes = nodes;
    }

    public DnsName origin() { return origin; }

    public ResourceRecord soa() { return soa; }

    /** Records at {@code name} (empty if the name does not exist as a node). */
    public List<ResourceRecord> at(DnsName name) { return nodes.getOrDefault(name, List.of()); }

    /** True if {@code name} owns records or lies above a name that does (an empty non-terminal). */
    public boolean exists(DnsName name) {
        if (nodes.containsKey(name)) return true;
        for (DnsName n : nodes.keySet()) if (n.isWithin(name)) return true;
        return false;
    }

    public int size() { return nodes.values().stream().mapToInt(List::size).sum(); }

    /** Parses zone text; {@code defaultOrigin} is used until a {@code $ORIGIN} line (may be null). */
    public static Zone parse(String text, DnsName defaultOrigin) throws ZoneException {
        DnsName origin = defaultOrigin;
        long defaultTtl = 3600;
        DnsName owner = null;
        Map<DnsName, List<ResourceRecord>> nodes = new LinkedHashMap<>();
        ResourceRecord soa = null;
        DnsName zoneOrigin = null;
        int count = 0;
        List<String[]> logical = joinParentheses(text);
        for (String[] entry : logical) {
            int line = Integer.parseInt(entry[0]);
            String raw = entry[1];
            List<String> tok = tokens(raw, line);
            if (tok.isEmpty()) continue;
            if (tok.get(0).equalsIgnoreCase("$ORIGIN")) {
                if (tok.size() != 2) throw new ZoneException(line, "$ORIGIN takes one name");
                origin = absolute(tok.get(1), null, line);
                continue;
            }
            if (tok.get(0).equalsIgnoreCase("$TTL")) {
                if (tok.size() != 2) throw new ZoneException(line, "$TTL takes one number");
                defaultTtl = number(tok.get(1), line, "$TTL");
                continue;
            }
            if (tok.get(0).startsWith("$")) throw new ZoneException(line, "unsupported directive " + tok.get(0));
            int i = 0;
            if (!Character.isWhitespace(raw.charAt(0))) {
                owner = tok.get(0).equals("@") ? requireOrigin(origin, line) : absolute(tok.get(0), origin, line);
                i = 1;
            } else if (owner == null) {
                throw new ZoneException(line, "the first record needs an owner name");
            }
            long ttl = defaultTtl;
            for (int k = 0; k < 2 && i < tok.size(); k++) { // [ttl] [class] in either order
                String t = tok.get(i);
                if (t.chars().allMatch(Character::isDigit)) { ttl = number(t, line, "TTL"); i++; }
                else if (t.equalsIgnoreCase("IN")) i++;
                else if (t.toUpperCase().startsWith("CLASS") || t.equalsIgnoreCase("CH") || t.equalsIgnoreCase("HS"))
                    throw new ZoneException(line, "only class IN is served, not " + t);
            }
            if (i >= tok.size()) throw new ZoneException(line, "record without a type");
            int type = DnsType.parse(tok.get(i));
            if (type < 0 || type == DnsType.OPT || type == DnsType.ANY) throw new ZoneException(line, "unknown or unusable type " + tok.get(i));
            List<String> args = tok.subList(i + 1, tok.size());
            Rdata data = rdata(type, args, origin, line);
            ResourceRecord rr = new ResourceRecord(owner, type, DnsType.IN, ttl, data);
            if (type == DnsType.SOA) {
                if (soa != null) throw new ZoneException(line, "a zone has one SOA record");
                soa = rr;
                zoneOrigin = owner;
            }
            if (++count > MAX_RECORDS) throw new ZoneException(line, "more than " + MAX_RECORDS + " records");
            nodes.computeIfAbsent(owner, n -> new ArrayList<>()).add(rr);
        }
        if (soa == null) throw new ZoneException(logical.isEmpty() ? 1 : Integer.parseInt(logical.getLast()[0]), "the zone has no SOA record");
        for (Map.Entry<DnsName, List<ResourceRecord>> e : nodes.entrySet()) {
            if (!e.getKey().isWithin(zoneOrigin))
                throw new ZoneException(1, e.getKey() + " is outside the zone " + zoneOrigin);
            boolean cname = e.getValue().stream().anyMatch(r -> r.type() == DnsType.CNAME);
            if (cname && e.getValue().size() > 1) // RFC 1034 3.6.2
                throw new ZoneException(1, e.getKey() + " has a CNAME and other data");
        }
        nodes.replaceAll((k, v) -> List.copyOf(v));
        return new Zone(zoneOrigin, soa, nodes);
    }

    private static DnsName requireOrigin(DnsName origin, int line) throws ZoneException {
        if (origin == null) throw new ZoneException(line, "@ used before $ORIGIN");
        return origin;
    }

    private static DnsName absolute(String text, DnsName origin, int line) throws ZoneException {
        try {
            DnsName n = DnsName.parse(text);
            if (text.endsWith(".") && !text.endsWith("\\.")) return n;
            if (origin == null) throw new ZoneException(line, "relative name " + text + " before $ORIGIN");
            return n.append(origin);
        } catch (IllegalArgumentException e) {
            throw new ZoneException(line, e.getMessage());
        }
    }

    private static long number(String t, int line, String what) throws ZoneException {
        try {
            long v = Long.parseLong(t);
            if (v < 0 || v > 0xffff_ffffL) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new ZoneException(line, what + " must be a number from 0 to 4294967295, not " + t);
        }
    }

    private static Rdata rdata(int type, List<String> a, DnsName origin, int line) throws ZoneException {
        int want = switch (type) {
            case DnsType.A, DnsType.AAAA, DnsType.CNAME, DnsType.NS, DnsType.PTR -> 1;
            case DnsType.MX -> 2;
            case DnsType.SOA -> 7;
            default -> -1;
        };
        if (type == DnsType.TXT && a.isEmpty()) throw new ZoneException(line, "TXT needs at least one string");
        if (want > 0 && a.size() != want) throw new ZoneException(line, DnsType.name(type) + " takes " + want + " fields, not " + a.size());
        return switch (type) {
            case DnsType.A -> new Rdata.A(address(a.get(0), 4, line));
            case DnsType.AAAA -> new Rdata.Aaaa(address(a.get(0), 16, line));
            case DnsType.CNAME, DnsType.NS, DnsType.PTR -> new Rdata.Name(absolute(a.get(0), origin, line));
            case DnsType.MX -> {
                long pref = number(a.get(0), line, "MX preference");
                if (pref > 0xffff) throw new ZoneException(line, "MX preference is at most 65535");
                yield new Rdata.Mx((int) pref, absolute(a.get(1), origin, line));
            }
            case DnsType.SOA -> new Rdata.Soa(absolute(a.get(0), origin, line), absolute(a.get(1), origin, line),
                    number(a.get(2), line, "serial"), number(a.get(3), line, "refresh"), number(a.get(4), line, "retry"),
                    number(a.get(5), line, "expire"), number(a.get(6), line, "minimum"));
            case DnsType.TXT -> {
                for (String s : a) if (s.length() > 255) throw new ZoneException(line, "a TXT string is at most 255 octets");
                yield new Rdata.Txt(a);
            }
            default -> throw new ZoneException(line, "type " + DnsType.name(type) + " cannot be written in a zone file here");
        };
    }

    /** Parses a numeric address literal only (never a name lookup). */
    private static byte[] address(String text, int length, int line) throws ZoneException {
        boolean v4 = text.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = text.contains(":") && text.matches("[0-9A-Fa-f:.]+");
        if ((length == 4 && !v4) || (length == 16 && !v6))
            throw new ZoneException(line, "not an IPv" + (length == 4 ? "4" : "6") + " address: " + text);
        try {
            byte[] b = InetAddress.getByName(text).getAddress();
            if (b.length != length) throw new ZoneException(line, "not an IPv" + (length == 4 ? "4" : "6") + " address: " + text);
            return b;
        } catch (UnknownHostException e) {
            throw new ZoneException(line, "not an address: " + text);
        }
    }

    /** Splits a logical line into fields, honouring quotes (TXT) and dropping comments. */
    private static List<String> tokens(String s, int line) throws ZoneException {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) { i++; continue; }
            if (c == ';') break;
            StringBuilder t = new StringBuilder();
            if (c == '"') {
                i++;
                while (true) {
                    if (i >= s.length()) throw new ZoneException(line, "unterminated quoted string");
                    char q = s.charAt(i);
                    if (q == '"') { i++; break; }
                    if (q == '\\' && i + 1 < s.length()) { t.append(s.charAt(i + 1)); i += 2; continue; }
                    t.append(q);
                    i++;
                }
                out.add(t.toString());
                continue;
            }
            while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && s.charAt(i) != ';') t.append(s.charAt(i++));
            out.add(t.toString());
        }
        return out;
    }

    /** Joins lines inside parentheses into one logical line: {lineNumber, text}. */
    private static List<String[]> joinParentheses(String text) throws ZoneException {
        List<String[]> out = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        StringBuilder cur = null;
        int startLine = 0, depth = 0;
        for (int n = 0; n < lines.length; n++) {
            String l = stripComment(lines[n]);
            if (cur == null) {
                if (l.isBlank()) continue;
                startLine = n + 1;
                cur = new StringBuilder();
            }
            boolean quoted = false;
            StringBuilder kept = new StringBuilder(l.length());
            for (int i = 0; i < l.length(); i++) {
                char c = l.charAt(i);
                if (c == '"' && (i == 0 || l.charAt(i - 1) != '\\')) quoted = !quoted;
                if (!quoted && (c == '(' || c == ')')) {
                    if (c == '(') depth++;
                    else if (--depth < 0) throw new ZoneException(n + 1, "')' without '('");
                    c = ' ';
                }
                kept.append(c);
            }
            cur.append(kept).append(' ');
            if (depth == 0) {
                out.add(new String[] {String.valueOf(startLine), cur.toString()});
                cur = null;
            }
        }
        if (cur != null) throw new ZoneException(startLine, "unclosed parenthesis");
        return out;
    }

    private static String stripComment(String l) {
        boolean quoted = false;
        for (int i = 0; i < l.length(); i++) {
            char c = l.charAt(i);
            if (c == '"' && (i == 0 || l.charAt(i - 1) != '\\')) quoted = !quoted;
            if (c == ';' && !quoted) return l.substring(0, i);
        }
        return l;
    }
}
