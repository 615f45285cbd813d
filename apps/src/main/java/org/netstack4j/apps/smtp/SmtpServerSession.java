package org.netstack4j.apps.smtp;

import static org.netstack4j.trace.LogText.controls;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One SMTP server session (RFC 5321), sans-IO: bytes from the client go into {@link #receive},
 * the replies come out of {@link #takeOutput}. ESMTP with SIZE (RFC 1870), 8BITMIME (RFC 6152)
 * and PIPELINING (RFC 2920: commands are taken as they arrive, replies queue in order).
 *
 * <p>Limits that protect the server, each with the reply code RFC 5321 gives it: a command line
 * of at most 512 octets and a text line of at most 1000 (4.5.3.1.4-6; 500), the message size
 * (552), recipients per message (452, 4.5.3.1.10), and errors per session (421 and close). The
 * body's dot-stuffing is undone (4.5.2) and the message handed to the {@link Mailbox} as it came.
 */
public final class SmtpServerSession {
    /** Where accepted messages go; returns null when stored, or the reason it could not be. */
    @FunctionalInterface
    public interface Mailbox {
        String deliver(String from, List<String> recipients, byte[] message);
    }

    /** Session limits. */
    public record Limits(int maxMessageBytes, int maxRecipients, int maxErrors, int maxCommandLine, int maxTextLine) {
        public static final Limits DEFAULT = new Limits(25 << 20, 100, 10, 512, 1000);
    }

    private enum State { COMMAND, DATA, CLOSED }

    private final String hostname;
    private final Mailbox mailbox;
    private final Limits limits;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean lineTooLong;
    private State state = State.COMMAND;
    private String greeted;
    private String from;
    private final List<String> recipients = new ArrayList<>();
    private ByteArrayOutputStream body;
    private boolean bodyTooBig;
    private int errors;
    private long messages;

    public SmtpServerSession(String hostname, Mailbox mailbox, Limits limits) {
        this.hostname = hostname;
        this.mailbox = mailbox;
        this.limits = limits;
        reply("220 " + hostname + " ESMTP netstack4j ready");
    }

    /** Messages accepted in this session. */
    public long messages() { return messages; }

    /** True once the session has ended (QUIT, or too many errors): close the connection after sending the output. */
    public boolean closed() { return state == State.CLOSED; }

    /** True when the session ended because the client made too many errors (421 sent). */
    public boolean tooManyErrors() { return state == State.CLOSED && errors >= limits.maxErrors(); }

    /** Replies waiting to be sent (and cleared). */
    public byte[] takeOutput() {
        byte[] b = out.toByteArray();
        out.reset();
        return b;
    }

    /** Feeds bytes from the client; complete lines are processed at once (pipelining). */
    public void receive(byte[] buf, int off, int len) {
        for (int i = off; i < off + len && state != State.CLOSED; i++) {
            byte c = buf[i];
            int limit = state == State.DATA ? limits.maxTextLine() : limits.maxCommandLine();
            if (c == '\n') {
                byte[] l = line.toByteArray();
                int n = l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length;
                boolean tooLong = lineTooLong;
                line.reset();
                lineTooLong = false;
                if (state == State.DATA) dataLine(l, n, tooLong);
                else if (tooLong) error("500 5.5.2 Line too long");
                else command(new String(l, 0, n, StandardCharsets.ISO_8859_1));
            } else if (line.size() < limit + 1) { // CR LF counts in the limit; keep one CR
                line.write(c);
            } else {
                lineTooLong = true;
            }
        }
    }

    private void command(String l) {
        String upper = l.toUpperCase(Locale.ROOT);
        String verb = upper.length() >= 4 ? upper.substring(0, 4) : upper;
        switch (verb) {
            case "EHLO", "HELO" -> {
                String arg = l.length() > 5 ? l.substring(5).trim() : "";
                if (arg.isEmpty()) { error("501 5.5.4 " + verb + " needs a domain or address"); return; }
                greeted = arg;
                resetTransaction();
                if (verb.equals("HELO")) { reply("250 " + hostname); return; }
                reply("250-" + hostname + " greets " + controls(arg));
                reply("250-SIZE " + limits.maxMessageBytes());
                reply("250-8BITMIME");
                reply("250-PIPELINING");
                reply("250 ENHANCEDSTATUSCODES");
            }
            case "MAIL" -> {
                if (!upper.startsWith("MAIL FROM:")) { error("501 5.5.4 Syntax: MAIL FROM:<address>"); return; }
                if (greeted == null) { error("503 5.5.1 Say EHLO first"); return; }
                if (from != null) { error("503 5.5.1 Nested MAIL command"); return; }
                Path p = path(l.substring(10));
                if (p == null) { error("501 5.1.7 Bad sender address syntax"); return; }
                for (String param : p.params) {
                    String pu = param.toUpperCase(Locale.ROOT);
                    if (pu.startsWith("SIZE=")) {
                        long size;
                        try { size = Long.parseLong(param.substring(5)); } catch (NumberFormatException e) { error("501 5.5.4 Bad SIZE"); return; }
                        if (size > limits.maxMessageBytes()) { error("552 5.3.4 Message size exceeds fixed limit"); return; }
                    } else if (!pu.equals("BODY=8BITMIME") && !pu.equals("BODY=7BIT")) {
                        error("555 5.5.4 Unsupported parameter " + controls(param));
                        return;
                    }
                }
                from = p.address;
                reply("250 2.1.0 Sender OK");
            }
            case "RCPT" -> {
                if (!upper.startsWith("RCPT TO:")) { error("501 5.5.4 Syntax: RCPT TO:<address>"); return; }
                if (from == null) { error("503 5.5.1 Need MAIL before RCPT"); return; }
                Path p = path(l.substring(8));
                if (p == null || p.address.isEmpty()) { error("501 5.1.3 Bad recipient address syntax"); return; }
                if (recipients.size() >= limits.maxRecipients()) { reply("452 4.5.3 Too many recipients"); return; }
                recipients.add(p.address);
                reply("250 2.1.5 Recipient OK");
            }
            case "DATA" -> {
                if (!upper.equals("DATA")) { error("501 5.5.4 DATA takes no argument"); return; }
                if (recipients.isEmpty()) { error("503 5.5.1 Need RCPT before DATA"); return; }
                state = State.DATA;
                body = new ByteArrayOutputStream();
                bodyTooBig = false;
                reply("354 Start mail input; end with <CRLF>.<CRLF>");
            }
            case "RSET" -> { resetTransaction(); reply("250 2.0.0 OK"); }
            case "NOOP" -> reply("250 2.0.0 OK");
            case "VRFY" -> reply("252 2.5.2 Cannot VRFY user, but will accept message");
            case "QUIT" -> { reply("221 2.0.0 " + hostname + " closing connection"); state = State.CLOSED; }
            default -> error("500 5.5.1 Command unrecognized");
        }
    }

    private void dataLine(byte[] l, int n, boolean tooLong) {
        if (n == 1 && l[0] == '.') {
            state = State.COMMAND;
            if (bodyTooBig) {
                reply("552 5.3.4 Message exceeds the size limit of " + limits.maxMessageBytes() + " bytes");
            } else {
                String failure = mailbox.deliver(from, List.copyOf(recipients), body.toByteArray());
                if (failure == null) {
                    messages++;
                    reply("250 2.0.0 Message accepted for delivery");
                } else {
                    reply("451 4.3.0 " + controls(failure));
                }
            }
            body = null;
            resetTransaction();
            return;
        }
        int start = n > 0 && l[0] == '.' ? 1 : 0; // RFC 5321 4.5.2: remove the stuffed dot
        if (body.size() + (n - start) + 2 > limits.maxMessageBytes() || tooLong) {
            bodyTooBig = true;
            return;
        }
        body.write(l, start, n - start);
        body.write('\r');
        body.write('\n');
    }

    private void resetTransaction() {
        from = null;
        recipients.clear();
    }

    private void error(String r) {
        reply(r);
        if (++errors >= limits.maxErrors()) {
            reply("421 4.7.0 " + hostname + " too many errors, closing connection");
            state = State.CLOSED;
        }
    }

    private void reply(String r) { out.writeBytes((r + "\r\n").getBytes(StandardCharsets.ISO_8859_1)); }

    private record Path(String address, List<String> params) {}

    /** Parses {@code <address> [params]} (RFC 5321 4.1.2); the null path {@code <>} gives "". */
    private static Path path(String s) {
        s = s.trim();
        if (!s.startsWith("<")) return null;
        int close = s.indexOf('>');
        if (close < 0) return null;
        String addr = s.substring(1, close);
        if (addr.contains(" ") || addr.contains("<") || addr.length() > 256) return null;
        if (!addr.isEmpty() && (addr.indexOf('@') <= 0 || addr.indexOf('@') == addr.length() - 1)) return null;
        String rest = s.substring(close + 1).trim();
        return new Path(addr, rest.isEmpty() ? List.of() : List.of(rest.split("\\s+")));
    }
}
