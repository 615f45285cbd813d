package org.netstack4j.apps.smtp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.netstack4j.trace.LogText;

/**
 * One SMTP client session that sends one message (RFC 5321 3.3), sans-IO: the server's bytes go
 * into {@link #receive}, commands come out of {@link #takeOutput}. It sends EHLO (HELO if the
 * server refuses it), announces SIZE when offered, pipelines MAIL, RCPT and DATA when the server
 * offers PIPELINING (RFC 2920), dot-stuffs the body (4.5.2) and ends with QUIT. {@link #result}
 * says how it went once {@link #done}.
 */
public final class SmtpClientSession {
    private enum Step { GREETING, EHLO, HELO, ENVELOPE, DATA, BODY, QUIT, DONE }

    private final String heloName, from;
    private final List<String> recipients;
    private final byte[] message;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final List<String> reply = new ArrayList<>();
    private Step step = Step.GREETING;
    private boolean pipelining, size;
    private int envelopeReplies, acceptedRecipients;
    private String result;
    private boolean delivered;
    private final List<String> transcript = new ArrayList<>();

    public SmtpClientSession(String heloName, String from, List<String> recipients, byte[] message) {
        if (recipients.isEmpty()) throw new IllegalArgumentException("at least one recipient");
        this.heloName = heloName;
        this.from = from;
        this.recipients = List.copyOf(recipients);
        this.message = message.clone();
    }

    public boolean done() { return step == Step.DONE; }

    /** True if the server accepted the message. */
    public boolean delivered() { return delivered; }

    /** The server's last relevant reply, or why the session failed. */
    public String result() { return result; }

    /** Commands sent and replies received, one line each (for logs and the lab). */
    public List<String> transcript() { return List.copyOf(transcript); }

    public byte[] takeOutput() {
        byte[] b = out.toByteArray();
        out.reset();
        return b;
    }

    public void receive(byte[] buf, int off, int len) {
        for (int i = off; i < off + len && step != Step.DONE; i++) {
            if (buf[i] == '\n') {
                String l = line.toString(StandardCharsets.ISO_8859_1);
                line.reset();
                if (l.endsWith("\r")) l = l.substring(0, l.length() - 1);
                transcript.add("S: " + LogText.controls(l));
                reply.add(l);
                if (l.length() < 4 || l.charAt(3) != '-') { // the last line of a reply
                    List<String> r = List.copyOf(reply);
                    reply.clear();
                    onReply(code(r.getLast()), r);
                }
            } else if (line.size() < 4096) {
                line.write(buf[i]);
            }
        }
    }

    /** The connection ended before the session did. */
    public void closed() {
        if (step != Step.DONE) fail("connection closed by the server during " + step.name().toLowerCase(Locale.ROOT));
    }

    private static int code(String l) {
        try { return Integer.parseInt(l.substring(0, 3)); } catch (RuntimeException e) { return 0; }
    }

    private void onReply(int code, List<String> r) {
        String last = r.getLast();
        switch (step) {
            case GREETING -> {
                if (code != 220) { fail(last); return; }
                send("EHLO " + heloName);
                step = Step.EHLO;
            }
            case EHLO -> {
                if (code == 250) {
                    for (String l : r) {
                        String ext = l.length() > 4 ? l.substring(4).toUpperCase(Locale.ROOT) : "";
                        if (ext.equals("PIPELINING")) pipelining = true;
                        if (ext.startsWith("SIZE")) size = true;
                    }
                    envelope();
                } else if (code >= 500) {
                    send("HELO " + heloName);
                    step = Step.HELO;
                } else fail(last);
            }
            case HELO -> { if (code == 250) envelope(); else fail(last); }
            case ENVELOPE -> {
                envelopeReplies++;
                if (envelopeReplies == 1) { // MAIL
                    if (code != 250) { fail(last); return; }
                    if (!pipelining) send("RCPT TO:<" + recipients.getFirst() + ">");
                    return;
                }
                if (code == 250 || code == 251) acceptedRecipients++;
                else result = last;
                int rcptDone = envelopeReplies - 1;
                if (rcptDone < recipients.size()) {
                    if (!pipelining) send("RCPT TO:<" + recipients.get(rcptDone) + ">");
                    return;
                }
                if (acceptedRecipients == 0) {
                    if (pipelining) { step = Step.DATA; return; } // DATA was already sent; its reply must be read
                    fail("no recipient accepted: " + last);
                    return;
                }
                step = Step.DATA;
                if (!pipelining) send("DATA");
            }
            case DATA -> {
                if (acceptedRecipients == 0) { fail("no recipient accepted: " + result); return; }
                if (code != 354) { fail(last); return; }
                body();
                step = Step.BODY;
            }
            case BODY -> {
                delivered = code == 250;
                result = last;
                send("QUIT");
                step = Step.QUIT;
            }
            case QUIT -> step = Step.DONE;
            case DONE -> { }
        }
    }

    private void envelope() {
        step = Step.ENVELOPE;
        send("MAIL FROM:<" + from + ">" + (size ? " SIZE=" + message.length : ""));
        if (pipelining) {
            for (String r : recipients) send("RCPT TO:<" + r + ">");
            send("DATA");
        }
    }

    /** The message with CRLF line ends, dot-stuffed, then the end-of-data line. */
    private void body() {
        boolean lineStart = true;
        for (int i = 0; i < message.length; i++) {
            byte c = message[i];
            if (lineStart && c == '.') out.write('.');
            if (c == '\n' && (i == 0 || message[i - 1] != '\r')) out.write('\r');
            out.write(c);
            lineStart = c == '\n';
        }
        if (!lineStart) out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(".\r\n".getBytes(StandardCharsets.ISO_8859_1));
        transcript.add("C: <" + message.length + " bytes of message>");
        transcript.add("C: .");
    }

    private void send(String cmd) {
        transcript.add("C: " + cmd);
        out.writeBytes((cmd + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    private void fail(String why) {
        result = why;
        delivered = false;
        if (step != Step.GREETING && step != Step.QUIT && step != Step.DONE) {
            send("QUIT");
            step = Step.QUIT;
        } else {
            step = Step.DONE;
        }
    }
}
