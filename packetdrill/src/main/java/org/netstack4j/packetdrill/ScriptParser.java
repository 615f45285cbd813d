package org.netstack4j.packetdrill;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Map;
import java.util.Set;

/**
 * A scannerless recursive-descent parser for the packetdrill language (google syntax.md,
 * nplab's extensions). Statements are free-form (a newline is whitespace); comments are
 * {@code //} and {@code /* *}{@code /}; {@code #ifdef NAME / #else / #endif} are resolved
 * first, keeping line numbers. Constructs that are recognised but not supported raise
 * {@link Unsupported} with their name; anything else raises {@link ScriptSyntaxError}.
 */
public final class ScriptParser {
    /** The names {@code #ifdef} sees as defined: we are neither FreeBSD nor Linux. */
    public static final Set<String> DEFAULT_DEFINES = Set.of("STANDARD");

    private static final String FLAG_CHARS = "SFRP.UEWA";

    private final String s;
    private final int[] lineStarts;
    private int pos;

    private ScriptParser(String text) {
        this.s = text;
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) if (text.charAt(i) == '\n') starts.add(i + 1);
        lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    public static Script parse(Path path) throws IOException {
        return parse(path, Files.readString(path, StandardCharsets.UTF_8), DEFAULT_DEFINES);
    }

    public static Script parse(Path path, String text, Set<String> defines) {
        String pre = preprocess(text, defines);
        ScriptParser p = new ScriptParser(pre);
        return p.script(path, text);
    }

    /**
     * With packetdrill's {@code -D NAME=VALUE} definitions: each NAME is defined for
     * {@code #ifdef}, and an identifier NAME in the script (outside quotes and backticks) reads as VALUE.
     */
    public static Script parse(Path path, String text, Map<String, String> definitions) {
        if (definitions.isEmpty()) return parse(path, text, DEFAULT_DEFINES);
        Set<String> names = new java.util.HashSet<>(DEFAULT_DEFINES);
        names.addAll(definitions.keySet());
        String pre = substitute(preprocess(text, names), definitions);
        return new ScriptParser(pre).script(path, text);
    }

    /** Replaces whole identifiers found in {@code definitions}, leaving "strings" and `commands` alone. */
    static String substitute(String text, Map<String, String> definitions) {
        StringBuilder out = new StringBuilder(text.length());
        char quote = 0;
        for (int i = 0; i < text.length(); ) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
                out.append(c);
                i++;
            } else if (c == '"' || c == '`') {
                quote = c;
                out.append(c);
                i++;
            } else if (Character.isLetter(c) || c == '_') {
                int j = i;
                while (j < text.length() && (Character.isLetterOrDigit(text.charAt(j)) || text.charAt(j) == '_')) j++;
                String word = text.substring(i, j);
                out.append(definitions.getOrDefault(word, word));
                i = j;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** Resolves #ifdef/#ifndef/#else/#endif; inactive and directive lines become empty lines. */
    static String preprocess(String text, Set<String> defines) {
        String[] lines = text.split("\n", -1);
        Deque<boolean[]> stack = new ArrayDeque<>(); // {active, parentActive}
        boolean active = true;
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].strip();
            String keep = "";
            if (t.startsWith("#ifdef") || t.startsWith("#ifndef")) {
                String[] w = t.split("\\s+");
                if (w.length < 2) throw new ScriptSyntaxError(i + 1, "#ifdef without a name");
                boolean def = defines.contains(w[1]);
                boolean cond = t.startsWith("#ifdef") ? def : !def;
                stack.push(new boolean[] {cond, active});
                active = active && cond;
            } else if (t.startsWith("#else")) {
                if (stack.isEmpty()) throw new ScriptSyntaxError(i + 1, "#else without #ifdef");
                boolean[] top = stack.peek();
                top[0] = !top[0];
                active = top[1] && top[0];
            } else if (t.startsWith("#endif")) {
                if (stack.isEmpty()) throw new ScriptSyntaxError(i + 1, "#endif without #ifdef");
                active = stack.pop()[1];
            } else if (t.startsWith("#if") || t.startsWith("#elif") || t.startsWith("#define") || t.startsWith("#include")) {
                throw new Unsupported(i + 1, "preprocessor directive " + t.split("\\s+")[0]);
            } else if (active) {
                keep = lines[i];
            }
            out.append(keep);
            if (i < lines.length - 1) out.append('\n');
        }
        if (!stack.isEmpty()) throw new ScriptSyntaxError(lines.length, "#ifdef without #endif");
        return out.toString();
    }

    private Script script(Path path, String source) {
        Map<String, String> options = new LinkedHashMap<>();
        List<Event> events = new ArrayList<>();
        skipWs();
        while (s.startsWith("--", pos)) {
            int eol = s.indexOf('\n', pos);
            if (eol < 0) eol = s.length();
            String opt = stripComment(s.substring(pos + 2, eol)).strip();
            int eq = opt.indexOf('=');
            if (eq < 0) options.put(opt, "");
            else options.put(opt.substring(0, eq).strip(), opt.substring(eq + 1).strip());
            pos = eol;
            skipWs();
        }
        if (word().equals("init") || word().equals("cleanup"))
            throw new Unsupported(line(), word() + " command");
        while (true) {
            skipWs();
            if (pos >= s.length()) break;
            events.add(event());
        }
        return new Script(path, options, List.copyOf(events), source);
    }

    private static String stripComment(String t) {
        int c = t.indexOf("//");
        return c < 0 ? t : t.substring(0, c);
    }

    // ---- statements ----

    private Event event() {
        int line = line();
        // An untimed `command` or %{ code }% (google: `../common/defaults.sh`) runs at +0.
        TimeSpec time = peek() == '`' || s.startsWith("%{", pos)
            ? new TimeSpec(TimeSpec.Kind.RELATIVE, 0, 0, TimeSpec.NOT_BLOCKING, false) : time();
        skipWs();
        if (s.startsWith("...", pos)) {
            pos += 3;
            skipWs();
            long end = seconds();
            time = time.withBlockingEnd(end);
            skipWs();
            if (!Character.isLetter(peek())) throw error("a blocking end time (...t) must precede a system call");
        }
        char c = peek();
        if (c == '<' || c == '>') {
            if (time.isBlocking()) throw error("a packet cannot block");
            return packet(line, time);
        }
        if (c == '`') {
            int end = s.indexOf('`', pos + 1);
            if (end < 0) throw error("unterminated `command`");
            String cmd = s.substring(pos + 1, end).strip();
            pos = end + 1;
            return new Event.CommandEvent(line, time, cmd);
        }
        if (s.startsWith("%{", pos)) {
            int end = s.indexOf("}%", pos + 2);
            if (end < 0) throw error("unterminated %{ }%");
            String code = s.substring(pos + 2, end);
            pos = end + 2;
            return new Event.CodeEvent(line, time, code);
        }
        if (Character.isLetter(c) || c == '_') return syscall(line, time);
        throw error("expected a packet, a system call, a `command` or %{ code }%");
    }

    private TimeSpec time() {
        if (peek() == '*') {
            pos++;
            return new TimeSpec(TimeSpec.Kind.ANY, 0, 0, TimeSpec.NOT_BLOCKING, false);
        }
        boolean rel = false;
        if (peek() == '+') { pos++; rel = true; skipBlanks(); }
        if (peek() == '-') throw error("negative time");
        long start = seconds();
        int afterStart = pos;
        skipBlanks(); // "+.02 ~ +1.1": blanks around '~' (Linux's AccECN selftests write them)
        if (peek() != '~') pos = afterStart;
        if (peek() == '~') {
            pos++;
            skipBlanks();
            boolean rel2 = false;
            if (peek() == '+') { pos++; rel2 = true; }
            if (rel != rel2) throw error("a time range must be both absolute or both relative");
            long end = seconds();
            return new TimeSpec(rel ? TimeSpec.Kind.RANGE_RELATIVE : TimeSpec.Kind.RANGE_ABSOLUTE, start, end,
                TimeSpec.NOT_BLOCKING, false);
        }
        return new TimeSpec(rel ? TimeSpec.Kind.RELATIVE : TimeSpec.Kind.ABSOLUTE, start, start,
            TimeSpec.NOT_BLOCKING, false);
    }

    /** A time in seconds (int or decimal, {@code .1}, {@code 0.}) returned as microseconds. */
    private long seconds() {
        int start = pos;
        while (pos < s.length() && Ascii.isDigit(s.charAt(pos))) pos++;
        if (pos < s.length() && s.charAt(pos) == '.' && !s.startsWith("...", pos)) {
            pos++;
            while (pos < s.length() && Ascii.isDigit(s.charAt(pos))) pos++;
        }
        String t = s.substring(start, pos);
        if (t.isEmpty() || t.equals(".")) { pos = start; throw error("expected a time"); }
        return Math.round(Double.parseDouble(t) * 1_000_000.0);
    }

    private Event packet(int line, TimeSpec time) {
        boolean inbound = s.charAt(pos) == '<';
        pos++;
        skipWs();
        String ipInfo = null;
        if (peek() == '(' || peek() == '[') {
            ipInfo = balanced();
            skipWs();
        }
        String w = word();
        if (w.equals("icmp")) {
            // FreeBSD's tcp-testsuite writes the quoted TCP segment before the keyword:
            // "< [0:0(0)] icmp unreachable port_unreachable"
            Matcher q = ipInfo == null ? null : ECHOED_BEFORE_ICMP.matcher(ipInfo);
            if (q != null && q.matches()) {
                Event.IcmpEvent e = icmp(line, time, inbound, null);
                if (e.seqStart() >= 0) throw error("two quoted segments for one ICMP message");
                return new Event.IcmpEvent(e.line(), e.time(), e.type(), e.code(), e.mtu(), Long.parseLong(q.group(1)),
                    Long.parseLong(q.group(2)), Integer.parseInt(q.group(3)), null);
            }
            return icmp(line, time, inbound, ipInfo);
        }
        switch (w) {
            case "udp", "udplite", "sctp", "ipv4", "ipv6", "gre", "mpls", "psp" ->
                throw new Unsupported(line, w + " packet");
            default -> { }
        }
        if (Ascii.isDigit(peek())) throw new Unsupported(line, "packet with explicit port numbers");
        String flags;
        if (peek() == '-') { pos++; flags = "-"; }
        else {
            int st = pos;
            // letters and '.', and Accurate ECN's ACE value as one digit 0-7 ("P.5", "F5.": RFC 9768 3.2.2.1)
            while (pos < s.length() && (Character.isLetter(s.charAt(pos)) || s.charAt(pos) == '.'
                    || Ascii.isDigit(s.charAt(pos)) && pos > st && !Ascii.isDigit(s.charAt(pos - 1)))) pos++;
            flags = s.substring(st, pos);
            if (flags.isEmpty()) throw error("expected TCP flags");
            for (char f : flags.toCharArray())
                if (FLAG_CHARS.indexOf(f) < 0 && !(f >= '0' && f <= '7')) throw new Unsupported(line, "TCP flag '" + f + "'");
        }
        skipWs();
        boolean seqAny = false, absolute = false;
        long seqStart = 0, seqEnd = 0, len;
        if (s.startsWith("...", pos)) {
            // nplab: ...(len), any sequence number
            pos += 3;
            seqAny = true;
            expect('(');
            len = number();
            expect(')');
        } else {
            seqStart = number();
            expect(':');
            seqEnd = number();
            expect('(');
            len = number();
            expect(')');
            if (peek() == '!') { pos++; absolute = true; } // nplab: no ISN offsets
        }
        Long ack = null, win = null, urg = null;
        while (true) {
            skipWs();
            String k = word();
            if (k.equals("ack")) { pos += 3; skipWs(); ack = number(); }
            else if (k.equals("win")) { pos += 3; skipWs(); win = number(); }
            else if (k.equals("urg")) { pos += 3; skipWs(); urg = number(); }
            else if (k.equals("ece") || k.equals("cwr") || k.equals("ecn")) throw new Unsupported(line, "packet field " + k);
            else break;
        }
        List<OptionSpec> opts = null;
        boolean any = false;
        if (peek() == '<') {
            pos++;
            skipWs();
            if (s.startsWith("...", pos)) {
                pos += 3;
                skipWs();
                expect('>');
                any = true;
            } else {
                opts = options(line);
            }
        }
        skipWs();
        if (peek() == '/') throw new Unsupported(line, "UDP encapsulation (/udp)");
        if (peek() == '{') throw new Unsupported(line, "packet mutation annotation { ... } (fuzzing)");
        return new Event.PacketEvent(line, time, inbound, flags, seqStart, seqEnd, (int) len, ack, win, urg,
            opts, any, ipInfo, seqAny, absolute);
    }

    private static final Pattern ECHOED_BEFORE_ICMP = Pattern.compile("\\[?\\s*(\\d+):(\\d+)\\((\\d+)\\)\\s*]?");

    /** {@code icmp TYPE [CODE] [mtu N] [[start:end(len)]]}, after the direction and ipinfo. */
    private Event.IcmpEvent icmp(int line, TimeSpec time, boolean inbound, String ipInfo) {
        pos += 4;
        if (!inbound) throw new Unsupported(line, "outbound icmp packet");
        skipWs();
        String type = word();
        if (type.isEmpty()) throw error("expected an ICMP type");
        pos += type.length();
        skipWs();
        String code = null;
        String w = word();
        if (!w.isEmpty() && !w.equals("mtu")) {
            code = w;
            pos += w.length();
            skipWs();
            w = word();
        }
        int mtu = 0;
        if (w.equals("mtu")) {
            pos += 3;
            mtu = (int) number();
            skipWs();
        }
        long start = -1, end = -1, len = 0;
        if (peek() == '[') {
            pos++;
            skipWs();
            if (Character.isLetter(peek())) throw new Unsupported(line, "ICMP quoting a non-TCP or explicit-port packet");
            start = number();
            expect(':');
            end = number();
            expect('(');
            len = number();
            expect(')');
            skipWs();
            if (peek() != ']') throw new Unsupported(line, "ICMP quoted packet details");
            pos++;
        }
        return new Event.IcmpEvent(line, time, type, code, mtu, start, end, (int) len, ipInfo);
    }

    private List<OptionSpec> options(int line) {
        List<OptionSpec> out = new ArrayList<>();
        skipWs();
        if (peek() == '>') { pos++; return out; }
        while (true) {
            skipWs();
            String w = word();
            if (w.isEmpty()) throw error("expected a TCP option");
            pos += w.length();
            skipWs();
            switch (w) {
                case "nop", "NOP" -> out.add(new OptionSpec.Nop());
                case "eol", "EOL" -> out.add(new OptionSpec.Eol());
                case "mss" -> out.add(new OptionSpec.Mss((int) number()));
                case "wscale" -> out.add(new OptionSpec.WScale((int) number()));
                case "sackOK" -> out.add(new OptionSpec.SackOk());
                case "md5" -> {
                    // RFC 2385: "md5" (signed with the script's key) or "md5 <digest in hex>"
                    int st = pos;
                    while (pos < s.length() && Ascii.isHexDigit(s.charAt(pos))) pos++;
                    String hex = s.substring(st, pos);
                    if (!hex.isEmpty() && hex.length() != 32) throw error("TCP-MD5 digest '" + hex + "' is not 16 bytes");
                    out.add(new OptionSpec.Md5(hex.isEmpty() ? null : java.util.HexFormat.of().parseHex(hex)));
                }
                // Accurate ECN option (RFC 9768 3.2.3): "ECN e1b 1 ceb 0 e0b 1", the first field's
                // name telling the order (e0b: Order 0, kind 172; e1b: Order 1, kind 174)
                case "ECN", "AccECN", "AccECN0", "AccECN1" -> {
                    List<String> names = new ArrayList<>();
                    List<Long> values = new ArrayList<>();
                    while (true) {
                        String f = word();
                        if (!f.equals("e0b") && !f.equals("e1b") && !f.equals("ceb")) break;
                        pos += f.length();
                        skipWs();
                        names.add(f);
                        values.add(number());
                        skipWs();
                    }
                    out.add(OptionSpec.AccEcn.of(line, w, names, values));
                }
                case "FO", "FOEXP" -> {
                    // RFC 7413: "FO" alone asks for a cookie; "FO abcd1234" carries one (hex)
                    int st = pos;
                    while (pos < s.length() && Ascii.isHexDigit(s.charAt(pos))) pos++;
                    String hex = s.substring(st, pos);
                    if (hex.length() % 2 != 0) throw error("Fast Open cookie '" + hex + "' is not whole bytes");
                    out.add(new OptionSpec.FastOpen(java.util.HexFormat.of().parseHex(hex), w.equals("FOEXP")));
                }
                case "sack" -> {
                    List<long[]> blocks = new ArrayList<>();
                    while (Ascii.isDigit(peek())) {
                        long l = number();
                        expect(':');
                        long r = number();
                        blocks.add(new long[] {l, r});
                        skipWs();
                    }
                    out.add(new OptionSpec.Sack(blocks));
                }
                case "TS" -> {
                    if (!word().equals("val")) throw error("expected 'val' in TS option");
                    pos += 3;
                    skipWs();
                    long val;
                    if (s.startsWith("...", pos)) { pos += 3; val = -1; } // nplab: any TS val
                    else val = number();
                    skipWs();
                    if (!word().equals("ecr")) throw error("expected 'ecr' in TS option");
                    pos += 3;
                    skipWs();
                    long ecr = number();
                    boolean ecrAbsolute = false;
                    if (peek() == '!') { pos++; ecrAbsolute = true; }
                    out.add(new OptionSpec.Ts(val, ecr, ecrAbsolute));
                }
                default -> throw new Unsupported(line, "TCP option '" + w + "'");
            }
            skipWs();
            if (peek() == ',') { pos++; continue; }
            if (peek() == '>') { pos++; return out; }
            throw error("expected ',' or '>' in TCP options");
        }
    }

    private Event.SyscallEvent syscall(int line, TimeSpec time) {
        String name = word();
        pos += name.length();
        skipWs();
        expect('(');
        List<Expr> args = exprList(')');
        skipWs();
        expect('=');
        skipWs();
        Expr result = expr();
        skipWs();
        String errno = null;
        String w = word();
        if (!w.isEmpty() && w.charAt(0) == 'E' && w.equals(w.toUpperCase())) {
            errno = w;
            pos += w.length();
            skipWs();
        }
        if (peek() == '(') balanced(); // the errno text or a note: "(flags O_RDWR)"
        return new Event.SyscallEvent(line, time, name, args, result, errno);
    }

    private List<Expr> exprList(char close) {
        List<Expr> out = new ArrayList<>();
        skipWs();
        if (peek() == close) { pos++; return out; }
        while (true) {
            out.add(expr());
            skipWs();
            if (peek() == ',') { pos++; continue; }
            if (peek() == close) { pos++; return out; }
            throw error("expected ',' or '" + close + "'");
        }
    }

    private Expr expr() {
        Expr left = term();
        skipWs();
        while (peek() == '|') {
            pos++;
            left = new Expr.Or(left, term());
            skipWs();
        }
        return left;
    }

    private Expr term() {
        skipWs();
        char c = peek();
        if (s.startsWith("...", pos)) { pos += 3; return new Expr.Ellipsis(); }
        if (Ascii.isDigit(c) || (c == '-' && pos + 1 < s.length() && Ascii.isDigit(s.charAt(pos + 1)))) {
            int st = pos;
            long v = signedNumber();
            return new Expr.Int(v, s.substring(st, pos));
        }
        if (c == '"') {
            StringBuilder b = new StringBuilder();
            pos++;
            while (pos < s.length() && s.charAt(pos) != '"') {
                if (s.charAt(pos) == '\\' && pos + 3 < s.length() && s.charAt(pos + 1) == 'x'
                        && Ascii.isHexDigit(s.charAt(pos + 2)) && Ascii.isHexDigit(s.charAt(pos + 3))) {
                    // "\xa1": one byte (TCP_FASTOPEN_KEY's value), kept as a char 0-255
                    b.append((char) Integer.parseInt(s.substring(pos + 2, pos + 4), 16));
                    pos += 4;
                    continue;
                }
                if (s.charAt(pos) == '\\' && pos + 1 < s.length()) pos++;
                b.append(s.charAt(pos++));
            }
            expect('"');
            if (s.startsWith("...", pos)) pos += 3; // "abc"... : a buffer that starts with abc
            return new Expr.Str(b.toString());
        }
        if (c == '[') { pos++; return new Expr.Array(exprList(']')); }
        if (c == '{') {
            pos++;
            List<Expr.Field> fields = new ArrayList<>();
            skipWs();
            if (peek() == '}') { pos++; return new Expr.Struct(fields); }
            while (true) {
                skipWs();
                int save = pos;
                String w = word();
                Expr.Field f = null;
                if (!w.isEmpty()) {
                    pos += w.length();
                    skipWs();
                    Expr index = null;
                    if (peek() == '(') { pos++; index = expr(); skipWs(); expect(')'); skipWs(); }
                    if (peek() == '=') { pos++; f = new Expr.Field(w, index, expr()); }
                    else pos = save;
                }
                if (f == null) f = new Expr.Field(null, null, expr());
                fields.add(f);
                skipWs();
                if (peek() == ',') { pos++; continue; }
                if (peek() == '}') { pos++; return new Expr.Struct(fields); }
                throw error("expected ',' or '}'");
            }
        }
        String w = word();
        if (!w.isEmpty()) {
            pos += w.length();
            skipWs();
            if (peek() == '(') { pos++; return new Expr.Call(w, exprList(')')); }
            return new Expr.Symbol(w);
        }
        throw error("expected an expression");
    }

    // ---- lexical helpers ----

    private long number() {
        skipWs();
        long v = signedNumber();
        if (v < 0) throw error("negative number");
        return v;
    }

    private long signedNumber() {
        int st = pos;
        boolean neg = false;
        if (peek() == '-') { neg = true; pos++; }
        String digits;
        int radix = 10;
        if (s.startsWith("0x", pos) || s.startsWith("0X", pos)) {
            pos += 2;
            radix = 16;
            int d = pos;
            while (pos < s.length() && Ascii.isHexDigit(s.charAt(pos))) pos++;
            digits = s.substring(d, pos);
        } else {
            int d = pos;
            while (pos < s.length() && Ascii.isDigit(s.charAt(pos))) pos++;
            digits = s.substring(d, pos);
        }
        if (digits.isEmpty()) { pos = st; throw error("expected a number"); }
        if (pos < s.length() && s.charAt(pos) == '.' && !s.startsWith("...", pos)
                && pos + 1 < s.length() && Ascii.isDigit(s.charAt(pos + 1)))
            throw error("expected an integer");
        try {
            long v = Long.parseLong(digits, radix);
            return neg ? -v : v;
        } catch (NumberFormatException e) {
            pos = st;
            throw error("number out of range");
        }
    }

    /** The identifier at pos (not consumed), or "". */
    private String word() {
        int e = pos;
        while (e < s.length() && (Character.isLetterOrDigit(s.charAt(e)) || s.charAt(e) == '_')) e++;
        if (e == pos || Ascii.isDigit(s.charAt(pos))) return "";
        return s.substring(pos, e);
    }

    /** A parenthesised or bracketed run of text, nesting respected; returns the inside. */
    private String balanced() {
        char open = s.charAt(pos);
        char close = open == '(' ? ')' : open == '[' ? ']' : '}';
        int depth = 0;
        int st = pos;
        while (pos < s.length()) {
            char c = s.charAt(pos++);
            if (c == open) depth++;
            else if (c == close && --depth == 0) return s.substring(st + 1, pos - 1).strip();
        }
        pos = st;
        throw error("unbalanced '" + open + "'");
    }

    private void expect(char c) {
        skipWs();
        if (peek() != c) throw error("expected '" + c + "'");
        pos++;
    }

    private char peek() { return pos < s.length() ? s.charAt(pos) : '\0'; }

    private void skipBlanks() {
        while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) pos++;
    }

    private void skipWs() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (Character.isWhitespace(c)) pos++;
            else if (s.startsWith("//", pos)) {
                int e = s.indexOf('\n', pos);
                pos = e < 0 ? s.length() : e;
            } else if (s.startsWith("/*", pos)) {
                int e = s.indexOf("*/", pos + 2);
                pos = e < 0 ? s.length() : e + 2;
            } else break;
        }
    }

    private int line() {
        int lo = 0, hi = lineStarts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (lineStarts[mid] <= pos) lo = mid; else hi = mid - 1;
        }
        return lo + 1;
    }

    private ScriptSyntaxError error(String what) {
        int e = Math.min(s.length(), pos + 30);
        int nl = s.indexOf('\n', pos);
        if (nl >= 0 && nl < e) e = nl;
        return new ScriptSyntaxError(line(), what + " at '" + s.substring(Math.min(pos, s.length()), e) + "'");
    }
}
