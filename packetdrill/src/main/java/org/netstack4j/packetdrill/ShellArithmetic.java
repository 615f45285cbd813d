package org.netstack4j.packetdrill;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shell's arithmetic expansion, {@code $((expr))}, in the commands a script runs (the kernel
 * selftests write {@code tcp_rmem="4096 131072 $((32*1024*1024))"}): decimal integers, unary and
 * binary {@code + - * / %} and parentheses, in 64-bit signed arithmetic as bash does. An
 * expression outside that is left as written, so the command that uses it reports it.
 */
final class ShellArithmetic {
    private ShellArithmetic() {}

    private static final Pattern EXPANSION = Pattern.compile("\\$\\(\\(([0-9+\\-*/%()\\s]*)\\)\\)");

    /** {@code text} with every {@code $((...))} it can evaluate replaced by its value. */
    static String expand(String text) {
        if (!text.contains("$((")) return text;
        Matcher m = EXPANSION.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Long v = evaluate(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(v != null ? Long.toString(v) : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The expression's value, or null when it is malformed or divides by zero. */
    static Long evaluate(String expr) {
        Parser p = new Parser(expr.replaceAll("\\s+", ""));
        try {
            long v = p.sum();
            return p.pos == p.s.length() ? v : null;
        } catch (ArithmeticException | IllegalStateException e) {
            return null;
        }
    }

    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) { this.s = s; }

        long sum() {
            long v = product();
            while (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                char op = s.charAt(pos++);
                long r = product();
                v = op == '+' ? v + r : v - r;
            }
            return v;
        }

        long product() {
            long v = unary();
            while (pos < s.length() && "*/%".indexOf(s.charAt(pos)) >= 0) {
                char op = s.charAt(pos++);
                long r = unary();
                v = switch (op) {
                    case '*' -> v * r;
                    case '/' -> v / r;
                    default -> v % r;
                };
            }
            return v;
        }

        long unary() {
            if (pos < s.length() && (s.charAt(pos) == '-' || s.charAt(pos) == '+')) {
                char op = s.charAt(pos++);
                long v = unary();
                return op == '-' ? -v : v;
            }
            if (pos < s.length() && s.charAt(pos) == '(') {
                pos++;
                long v = sum();
                if (pos >= s.length() || s.charAt(pos) != ')') throw new IllegalStateException("missing )");
                pos++;
                return v;
            }
            int start = pos;
            while (pos < s.length() && Ascii.isDigit(s.charAt(pos))) pos++;
            if (start == pos) throw new IllegalStateException("number expected at " + start);
            try {
                return Long.parseLong(s.substring(start, pos));
            } catch (NumberFormatException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
