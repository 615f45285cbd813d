package org.netstack4j.apps.ftp;

import static org.netstack4j.trace.LogText.controls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The control connection of a read-only FTP server (RFC 959) exposing one directory, sans-IO:
 * command lines in ({@link #command}), replies out, and a {@link DataRequest} when a command
 * needs the data connection, which the runtime opens (passive: it listens; active: it connects
 * back to the client, the notes' "server opens the connection") and reports back with
 * {@link #dataFinished}.
 *
 * <p>Supported: USER/PASS (anonymous, or accounts from a password map), SYST, FEAT, OPTS UTF8,
 * PWD, CWD, CDUP, TYPE A and I, MODE S, STRU F, PASV and EPSV (RFC 2428), PORT and EPRT (RFC
 * 2428; the address must be the client's own, RFC 2577 FTP bounce), LIST, NLST, MLSD and MLST,
 * SIZE and MDTM (RFC 3659), REST (restart offset for RETR), RETR, NOOP, QUIT. Everything that
 * writes is refused with 502/550. No path ever leaves the root: names are resolved against the
 * virtual working directory, normalised, and checked again after following links.
 */
public final class FtpServerSession {
    /** What the runtime must do on the data connection. */
    public record DataRequest(boolean passive, String activeHost, int activePort, Path file, long offset, boolean ascii, byte[] listing) {
        /** Bytes to send: the listing, or the file from {@code offset}. */
        public boolean isListing() { return listing != null; }
    }

    /**
     * Settings: accounts (user to password, or to a PBKDF2 hash as {@link FtpUsers#parse} gives;
     * empty: anonymous only), whether anonymous may log in, and limits.
     */
    public record Config(Map<String, String> accounts, boolean anonymous, int maxErrors, int maxLine) {
        public static final Config ANONYMOUS = new Config(Map.of(), true, 20, 1024);
    }

    private static final DateTimeFormatter MDTM = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

    private final Path root;
    private final Config config;
    private final String clientHost;
    private final StringBuilder out = new StringBuilder();
    private String cwd = "/";
    private String user;
    private boolean loggedIn, ascii, closed;
    private long restart;
    private int errors;
    private String activeHost;
    private int activePort = -1;
    private boolean passive;
    private DataRequest pending;

    /**
     * @param root       the directory served (its real path is used)
     * @param clientHost the client's address as text (PORT/EPRT may only name it)
     */
    public FtpServerSession(Path root, Config config, String clientHost) throws IOException {
        this.root = root.toRealPath();
        this.config = config;
        this.clientHost = clientHost;
        reply(220, "netstack4j FTP server ready (read-only)");
    }

    public boolean closed() { return closed; }

    /** True when the session ended because the client made too many errors (421 sent). */
    public boolean tooManyErrors() { return closed && errors >= config.maxErrors(); }

    /** True while a data transfer is under way (commands then wait, RFC 959 5.3). */
    public boolean transferring() { return pending != null; }

    public String takeOutput() {
        String s = out.toString();
        out.setLength(0);
        return s;
    }

    /**
     * Set by the runtime when a PASV/EPSV listener is ready: the reply tells the client where
     * to connect ({@code host} in a.b.c.d form for PASV).
     */
    public void passiveReady(boolean extended, String host, int port) {
        passive = true;
        activePort = -1;
        if (extended) reply(229, "Entering Extended Passive Mode (|||" + port + "|)");
        else reply(227, "Entering Passive Mode (" + host.replace('.', ',') + "," + (port >>> 8) + "," + (port & 0xff) + ")");
    }

    /** The data transfer of the last {@link DataRequest} ended; {@code error} is null on success. */
    public void dataFinished(String error) {
        if (pending == null) return;
        pending = null;
        passive = false;
        activePort = -1;
        if (error == null) reply(226, "Transfer complete");
        else reply(error.startsWith("connect") ? 425 : 426, "Transfer failed: " + controls(error));
    }

    /**
     * One command line (without CR LF). Returns the data request it starts, "PASV"/"EPSV" as a
     * request to open a passive listener (see {@link #passiveReady}), or null.
     */
    public Object command(String line) {
        if (closed) return null;
        if (line.length() > config.maxLine()) { error(500, "Line too long"); return null; }
        int sp = line.indexOf(' ');
        String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
        String arg = sp < 0 ? "" : line.substring(sp + 1);
        if (pending != null && !verb.equals("ABOR") && !verb.equals("QUIT") && !verb.equals("NOOP")) {
            error(425, "A transfer is in progress");
            return null;
        }
        switch (verb) {
            case "USER" -> {
                user = arg;
                loggedIn = false;
                boolean anon = arg.equalsIgnoreCase("anonymous") || arg.equalsIgnoreCase("ftp");
                if (anon && !config.anonymous()) { error(530, "Anonymous access is off"); return null; }
                reply(331, anon ? "Anonymous login ok, send your e-mail address as password" : "Password required for " + controls(arg));
                return null;
            }
            case "PASS" -> {
                if (user == null) { error(503, "Login with USER first"); return null; }
                boolean anon = user.equalsIgnoreCase("anonymous") || user.equalsIgnoreCase("ftp");
                String want = config.accounts().get(user);
                if (anon ? config.anonymous() : want != null && FtpUsers.matches(want, arg)) {
                    loggedIn = true;
                    reply(230, "Logged in" + (anon ? " anonymously" : ""));
                } else {
                    error(530, "Login incorrect");
                }
                return null;
            }
            case "QUIT" -> { reply(221, "Goodbye"); closed = true; return null; }
            case "NOOP" -> { reply(200, "OK"); return null; }
            case "SYST" -> { reply(215, "UNIX Type: L8"); return null; }
            case "FEAT" -> {
                out.append("211-Features:\r\n EPSV\r\n EPRT\r\n MDTM\r\n MLST type*;size*;modify*;\r\n REST STREAM\r\n SIZE\r\n UTF8\r\n211 End\r\n");
                return null;
            }
            case "OPTS" -> { reply(arg.equalsIgnoreCase("UTF8 ON") ? 200 : 501, arg.equalsIgnoreCase("UTF8 ON") ? "UTF8 mode on" : "Option not understood"); return null; }
            default -> { }
        }
        if (!loggedIn) { error(530, "Please login with USER and PASS"); return null; }
        switch (verb) {
            case "PWD", "XPWD" -> reply(257, "\"" + cwd.replace("\"", "\"\"") + "\" is the current directory");
            case "CWD", "XCWD" -> changeDirectory(arg);
            case "CDUP", "XCUP" -> changeDirectory("..");
            case "TYPE" -> {
                String t = arg.toUpperCase(Locale.ROOT);
                if (t.equals("A") || t.equals("A N")) { ascii = true; reply(200, "Type set to A"); }
                else if (t.equals("I") || t.equals("L 8")) { ascii = false; reply(200, "Type set to I"); }
                else error(504, "Type not supported");
            }
            case "MODE" -> { if (arg.equalsIgnoreCase("S")) reply(200, "Mode S"); else error(504, "Only stream mode"); }
            case "STRU" -> { if (arg.equalsIgnoreCase("F")) reply(200, "Structure F"); else error(504, "Only file structure"); }
            case "PASV" -> { return "PASV"; }
            case "EPSV" -> {
                if (arg.equalsIgnoreCase("ALL") || arg.isEmpty() || arg.equals("1") || arg.equals("2")) return "EPSV";
                error(522, "Network protocol not supported, use (1,2)");
            }
            case "PORT" -> port(arg);
            case "EPRT" -> eprt(arg);
            case "REST" -> {
                try {
                    restart = Long.parseLong(arg.trim());
                    if (restart < 0) throw new NumberFormatException();
                    reply(350, "Restarting at " + restart + ", send RETR");
                } catch (NumberFormatException e) {
                    error(501, "REST needs a byte offset");
                }
            }
            case "SIZE" -> {
                Path p = resolve(arg);
                if (p == null || !Files.isRegularFile(p)) { error(550, "Not a plain file"); break; }
                try { reply(213, String.valueOf(Files.size(p))); } catch (IOException e) { error(550, "Cannot read the size"); }
            }
            case "MDTM" -> {
                Path p = resolve(arg);
                if (p == null || !Files.isRegularFile(p)) { error(550, "Not a plain file"); break; }
                try { reply(213, MDTM.format(Files.getLastModifiedTime(p).toInstant())); } catch (IOException e) { error(550, "Cannot read the time"); }
            }
            case "MLST" -> {
                Path p = resolve(arg.isEmpty() ? "." : arg);
                if (p == null || !Files.exists(p)) { error(550, "No such file or directory"); break; }
                out.append("250-Listing ").append(controls(arg.isEmpty() ? cwd : arg)).append("\r\n ").append(fact(p, p.getFileName() == null ? "/" : p.getFileName().toString())).append("\r\n250 End\r\n");
            }
            case "RETR" -> { return retrieve(arg); }
            case "LIST", "NLST", "MLSD" -> { return list(verb, arg); }
            case "ABOR" -> reply(225, "No transfer to abort");
            case "STOR", "STOU", "APPE", "DELE", "RMD", "MKD", "XMKD", "XRMD", "RNFR", "RNTO", "SITE" -> error(502, "This server is read-only");
            default -> error(500, "Command not understood");
        }
        return null;
    }

    private Object retrieve(String arg) {
        Path p = resolve(arg);
        if (p == null || !Files.isRegularFile(p) || !Files.isReadable(p)) { error(550, "No such file"); return null; }
        DataRequest r = dataRequest(p, null);
        if (r == null) return null;
        long size;
        try { size = Files.size(p); } catch (IOException e) { error(550, "Cannot read the file"); return null; }
        if (r.offset() > size) { error(554, "Restart offset beyond the end of the file"); return null; }
        reply(150, "Opening " + (ascii ? "ASCII" : "BINARY") + " mode data connection for " + controls(arg) + " (" + size + " bytes)");
        pending = r;
        return r;
    }

    private Object list(String verb, String arg) {
        String target = arg.startsWith("-") ? "" : arg; // ls options such as -la are ignored
        Path dir = resolve(target.isEmpty() ? "." : target);
        if (dir == null || !Files.exists(dir)) { error(550, "No such file or directory"); return null; }
        if (verb.equals("MLSD") && !Files.isDirectory(dir)) { error(501, "Not a directory"); return null; }
        StringBuilder sb = new StringBuilder();
        List<Path> entries = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.sorted().limit(10_000).forEach(entries::add);
            } catch (IOException e) {
                error(550, "Cannot list the directory");
                return null;
            }
        } else {
            entries.add(dir);
        }
        for (Path e : entries) {
            String name = e.getFileName().toString();
            if (resolveReal(e) == null) continue; // a link out of the root is not shown
            switch (verb) {
                case "NLST" -> sb.append(name);
                case "MLSD" -> sb.append(fact(e, name));
                default -> sb.append(lsLine(e, name));
            }
            sb.append("\r\n");
        }
        DataRequest r = dataRequest(null, sb.toString().getBytes(StandardCharsets.UTF_8));
        if (r == null) return null;
        reply(150, "Opening data connection for the listing");
        pending = r;
        return r;
    }

    private DataRequest dataRequest(Path file, byte[] listing) {
        if (!passive && activePort < 0) { error(425, "Use PORT, EPRT, PASV or EPSV first"); return null; }
        long offset = file != null ? restart : 0;
        restart = 0;
        return new DataRequest(passive, activeHost, activePort, file, offset, ascii, listing);
    }

    private void port(String arg) {
        String[] f = arg.trim().split(",");
        if (f.length != 6) { error(501, "PORT needs h1,h2,h3,h4,p1,p2"); return; }
        try {
            int[] v = new int[6];
            for (int i = 0; i < 6; i++) {
                v[i] = Integer.parseInt(f[i].trim());
                if (v[i] < 0 || v[i] > 255) throw new NumberFormatException();
            }
            active(v[0] + "." + v[1] + "." + v[2] + "." + v[3], v[4] * 256 + v[5]);
        } catch (NumberFormatException e) {
            error(501, "PORT needs numbers from 0 to 255");
        }
    }

    /** EPRT |proto|address|port| (RFC 2428 2), any delimiter character. */
    private void eprt(String arg) {
        if (arg.length() < 7) { error(501, "EPRT needs |proto|address|port|"); return; }
        char d = arg.charAt(0);
        String[] f = arg.substring(1).split(java.util.regex.Pattern.quote(String.valueOf(d)), -1);
        if (f.length < 3) { error(501, "EPRT needs |proto|address|port|"); return; }
        if (!f[0].equals("1") && !f[0].equals("2")) { error(522, "Network protocol not supported, use (1,2)"); return; }
        try {
            active(f[1], Integer.parseInt(f[2]));
        } catch (NumberFormatException e) {
            error(501, "EPRT port is not a number");
        }
    }

    private void active(String host, int port) {
        // RFC 2577 3: only the client's own address, and no privileged port (the FTP bounce attack).
        if (!sameHost(host, clientHost) || port < 1024 || port > 65535) {
            error(500, "Illegal PORT command (only your own address and ports 1024-65535)");
            return;
        }
        activeHost = host;
        activePort = port;
        passive = false;
        reply(200, "PORT command successful");
    }

    private static boolean sameHost(String a, String b) {
        try {
            return java.net.InetAddress.getByName(a).equals(java.net.InetAddress.getByName(b))
                    && (a.matches("[0-9.]+") || a.contains(":"));
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private void changeDirectory(String arg) {
        Path p = resolve(arg);
        if (p == null || !Files.isDirectory(p)) { error(550, "No such directory"); return; }
        cwd = "/" + root.relativize(p).toString().replace('\\', '/');
        reply(250, "Directory changed to " + controls(cwd));
    }

    /** The real path of a client-given name inside the root, or null if it is outside (or broken). */
    Path resolve(String name) {
        if (name.indexOf('\0') >= 0) return null;
        String virtual = name.startsWith("/") ? name : cwd + "/" + name;
        Path p = root;
        for (String part : virtual.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) { p = p.equals(root) ? root : p.getParent(); continue; }
            p = p.resolve(part);
        }
        return resolveReal(p);
    }

    private Path resolveReal(Path p) {
        try {
            Path real = p.toRealPath();
            return real.startsWith(root) ? real : null; // a link that leads out of the root
        } catch (IOException e) {
            return null;
        }
    }

    private static String lsLine(Path p, String name) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            String when = DateTimeFormatter.ofPattern("MMM dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC).format(a.lastModifiedTime().toInstant());
            return String.format(Locale.ROOT, "%srw-r--r-- 1 ftp ftp %12d %s %s", a.isDirectory() ? "d" : "-", a.size(), when, name);
        } catch (IOException e) {
            return "?????????? " + name;
        }
    }

    private static String fact(Path p, String name) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return "type=" + (a.isDirectory() ? "dir" : "file") + ";size=" + a.size() + ";modify="
                    + MDTM.format(a.lastModifiedTime().toInstant()) + "; " + name;
        } catch (IOException e) {
            return "type=unknown; " + name;
        }
    }

    private void reply(int code, String text) { out.append(code).append(' ').append(text).append("\r\n"); }

    private void error(int code, String text) {
        reply(code, text);
        if (++errors >= config.maxErrors()) {
            reply(421, "Too many errors, closing control connection");
            closed = true;
        }
    }
}
