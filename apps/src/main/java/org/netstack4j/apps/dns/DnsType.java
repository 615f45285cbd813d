package org.netstack4j.apps.dns;

import java.util.Locale;

/** Type, class and response-code numbers (RFC 1035 3.2, RFC 3596, RFC 6891) and their names. */
public final class DnsType {
    public static final int A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, MX = 15, TXT = 16, AAAA = 28, OPT = 41, ANY = 255;
    public static final int IN = 1;
    public static final int NOERROR = 0, FORMERR = 1, SERVFAIL = 2, NXDOMAIN = 3, NOTIMP = 4, REFUSED = 5;

    private DnsType() {}

    public static String name(int type) {
        return switch (type) {
            case A -> "A"; case NS -> "NS"; case CNAME -> "CNAME"; case SOA -> "SOA"; case PTR -> "PTR";
            case MX -> "MX"; case TXT -> "TXT"; case AAAA -> "AAAA"; case OPT -> "OPT"; case ANY -> "ANY";
            default -> "TYPE" + type; // RFC 3597 5
        };
    }

    /** The number of a type name ("AAAA", "mx", "TYPE65"); -1 if unknown. */
    public static int parse(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        for (int t : new int[] {A, NS, CNAME, SOA, PTR, MX, TXT, AAAA, OPT, ANY}) if (name(t).equals(n)) return t;
        if (n.startsWith("TYPE")) {
            try {
                int v = Integer.parseInt(n.substring(4));
                return v >= 0 && v <= 0xffff ? v : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    public static String className(int c) { return c == IN ? "IN" : "CLASS" + c; }

    public static String rcodeName(int rcode) {
        return switch (rcode) {
            case NOERROR -> "NOERROR"; case FORMERR -> "FORMERR"; case SERVFAIL -> "SERVFAIL";
            case NXDOMAIN -> "NXDOMAIN"; case NOTIMP -> "NOTIMP"; case REFUSED -> "REFUSED";
            default -> "RCODE" + rcode;
        };
    }
}
