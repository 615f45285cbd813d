package org.netstack4j.packetdrill;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code %{ }%} mini-evaluator (NOTES.md 3.4): {@code assert EXPR [, msg]}, {@code x = EXPR},
 * {@code x += EXPR} and {@code print(...)} over integers, tcpi_* fields and TCPI_* constants.
 * Anything else in a block is {@link Unsupported}. States compare by name through one
 * numbering of our own, so Linux (TCP_SYN_RECV) and FreeBSD (SYN_RECEIVED) spellings agree.
 */
final class TcpInfoAssertions {
    private TcpInfoAssertions() {}

    /** RFC 9293 names in the order of FreeBSD's TCPS_* numbering. */
    static final String[] STATES = {"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "CLOSE-WAIT",
        "FIN-WAIT-1", "CLOSING", "LAST-ACK", "FIN-WAIT-2", "TIME-WAIT"};

    /** Linux's TCPI_OPT_* bits of tcpi_options. */
    static final Map<String, Long> OPTION_BITS = Map.of("TCPI_OPT_TIMESTAMPS", 1L, "TCPI_OPT_SACK", 2L,
        "TCPI_OPT_WSCALE", 4L, "TCPI_OPT_ECN", 8L, "TCPI_OPT_ECN_SEEN", 16L, "TCPI_OPT_SYN_DATA", 32L);

    /** Linux's tcp_ca_state values (tcpi_ca_state). */
    static final Map<String, Long> CA_STATES = Map.of("TCP_CA_Open", 0L, "TCP_CA_Disorder", 1L, "TCP_CA_CWR", 2L,
        "TCP_CA_Recovery", 3L, "TCP_CA_Loss", 4L);

    static long stateNumber(String rfcName) {
        for (int i = 0; i < STATES.length; i++) if (STATES[i].equals(rfcName)) return i;
        return -1;
    }

    private static Long stateConstant(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        for (String p : new String[] {"TCPI_", "TCPS_", "TCP_"}) if (n.startsWith(p)) { n = n.substring(p.length()); break; }
        n = switch (n) {
            case "SYN_RECV" -> "SYN_RECEIVED";
            case "FIN_WAIT1" -> "FIN_WAIT_1";
            case "FIN_WAIT2" -> "FIN_WAIT_2";
            case "CLOSE" -> "CLOSED";
            default -> n;
        };
        long v = stateNumber(n.replace('_', '-'));
        return v < 0 ? null : v;
    }

    /** Runs a block; throws Mismatch on a failed assert. */
    static void run(int line, String code, Map<String, Long> info, Map<String, Long> vars) {
        // Python joins a line ending in a backslash with the next one
        for (String raw : code.replace("\\\n", " ").split("[\n;]")) {
            String st = raw.strip();
            int hash = st.indexOf('#');
            if (hash >= 0) st = st.substring(0, hash).strip();
            if (st.isEmpty()) continue;
            if (st.startsWith("assert ") || st.startsWith("assert(")) {
                String body = st.substring(6).strip();
                int comma = topLevelComma(body);
                String expr = comma < 0 ? body : body.substring(0, comma);
                long v = new Eval(line, expr, info, vars).parse();
                if (v == 0) throw new Interpreter.Mismatch(line, "assertion failed: " + expr.strip()
                    + " (" + describe(expr, info, vars) + ")");
            } else if (st.startsWith("print")) {
                // output only
            } else if (st.matches("[A-Za-z_][A-Za-z0-9_]*\\s*\\+?=[^=].*")) {
                int eq = st.indexOf('=');
                boolean plus = st.charAt(eq - 1) == '+';
                String name = st.substring(0, plus ? eq - 1 : eq).strip();
                long v = new Eval(line, st.substring(eq + 1), info, vars).parse();
                vars.put(name, plus ? vars.getOrDefault(name, 0L) + v : v);
            } else {
                throw new Unsupported(line, "python statement '" + st + "'");
            }
        }
    }

    private static String describe(String expr, Map<String, Long> info, Map<String, Long> vars) {
        StringBuilder b = new StringBuilder();
        var m = java.util.regex.Pattern.compile("tcpi_[a-z_0-9]+").matcher(expr);
        while (m.find()) {
            String f = m.group();
            if (b.length() > 0) b.append(", ");
            Long v = info.get(f);
            b.append(f).append('=').append(f.equals("tcpi_state") && v != null ? STATES[(int) (long) v] : v);
        }
        return b.toString();
    }

    private static int topLevelComma(String s) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == ',' && depth == 0) return i;
        }
        return -1;
    }

    /** Precedence climbing over or/and/not, comparisons, + -, * / %. */
    private static final class Eval {
        final int line; final String s; final Map<String, Long> info, vars; int pos;

        Eval(int line, String s, Map<String, Long> info, Map<String, Long> vars) {
            this.line = line; this.s = s; this.info = info; this.vars = vars;
        }

        long parse() {
            long v = or();
            ws();
            if (pos < s.length()) throw new Unsupported(line, "python expression '" + s.strip() + "'");
            return v;
        }

        long or() {
            long v = and();
            while (kw("or")) v = (and() != 0 || v != 0) ? 1 : 0;
            return v;
        }

        long and() {
            long v = not();
            while (kw("and")) { long r = not(); v = (v != 0 && r != 0) ? 1 : 0; }
            return v;
        }

        long not() { return kw("not") ? (not() == 0 ? 1 : 0) : cmp(); }

        /** Comparisons chain as in Python: {@code a <= x <= b} is {@code a <= x and x <= b}. */
        long cmp() {
            long v = bitOr();
            boolean chained = false, all = true;
            while (true) {
                ws();
                String op = null;
                for (String o : new String[] {"==", "!=", "<=", ">=", "<", ">"}) {
                    if (s.startsWith(o, pos)) { op = o; break; }
                }
                if (op == null) return chained ? (all ? 1 : 0) : v;
                pos += op.length();
                long r = bitOr();
                boolean ok = switch (op) {
                    case "==" -> v == r;
                    case "!=" -> v != r;
                    case "<=" -> v <= r;
                    case ">=" -> v >= r;
                    case "<" -> v < r;
                    default -> v > r;
                };
                all &= ok;
                chained = true;
                v = r;
            }
        }

        long bitOr() {
            long v = bitAnd();
            while (true) {
                ws();
                if (peek('|')) { pos++; v |= bitAnd(); } else return v;
            }
        }

        long bitAnd() {
            long v = sum();
            while (true) {
                ws();
                if (peek('&')) { pos++; v &= sum(); } else return v;
            }
        }

        long sum() {
            long v = prod();
            while (true) {
                ws();
                if (peek('+')) { pos++; v += prod(); }
                else if (peek('-')) { pos++; v -= prod(); }
                else return v;
            }
        }

        long prod() {
            long v = atom();
            while (true) {
                ws();
                if (s.startsWith("//", pos)) { pos += 2; v = Math.floorDiv(v, nonZero(atom())); }
                else if (peek('*')) { pos++; v *= atom(); }
                else if (peek('/')) { pos++; v /= nonZero(atom()); }
                else if (peek('%')) { pos++; v = Math.floorMod(v, nonZero(atom())); }
                else return v;
            }
        }

        long nonZero(long v) {
            if (v == 0) throw new Interpreter.Mismatch(line, "division by zero in %{ }%");
            return v;
        }

        long atom() {
            ws();
            if (peek('(')) { pos++; long v = or(); ws(); expect(')'); return v; }
            if (peek('-')) { pos++; return -atom(); }
            int st = pos;
            if (pos < s.length() && Ascii.isDigit(s.charAt(pos))) {
                while (pos < s.length() && Character.isLetterOrDigit(s.charAt(pos))) pos++;
                String t = s.substring(st, pos);
                try {
                    return t.startsWith("0x") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
                } catch (NumberFormatException e) {
                    throw new Unsupported(line, "python number '" + t + "'");
                }
            }
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) pos++;
            String name = s.substring(st, pos);
            if (name.isEmpty()) throw new Unsupported(line, "python expression '" + s.strip() + "'");
            if (name.equals("True")) return 1;
            if (name.equals("False")) return 0;
            if (name.startsWith("tcpi_")) {
                Long v = info.get(name);
                if (v == null) throw new Unsupported(line, "TCP_INFO field " + name);
                return v;
            }
            Long opt = OPTION_BITS.get(name);
            if (opt != null) return opt;
            Long ca = CA_STATES.get(name);
            if (ca != null) return ca;
            Long c = stateConstant(name);
            if (c != null && (name.startsWith("TCP") || name.startsWith("tcp"))) return c;
            Long var = vars.get(name);
            if (var != null) return var;
            throw new Unsupported(line, "python name " + name);
        }

        boolean kw(String k) {
            ws();
            if (s.startsWith(k, pos) && (pos + k.length() >= s.length() || !Character.isLetterOrDigit(s.charAt(pos + k.length())))) {
                pos += k.length();
                return true;
            }
            return false;
        }

        void expect(char c) {
            if (!peek(c)) throw new Unsupported(line, "python expression '" + s.strip() + "'");
            pos++;
        }

        boolean peek(char c) { return pos < s.length() && s.charAt(pos) == c; }

        void ws() { while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++; }
    }

    static Map<String, Long> newVars() { return new HashMap<>(); }
}
