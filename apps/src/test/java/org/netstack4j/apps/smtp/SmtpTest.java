package org.netstack4j.apps.smtp;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.*;
import org.junit.jupiter.api.Test;

class SmtpTest {
    record Stored(String from, List<String> to, byte[] message) {}

    final List<Stored> stored = new ArrayList<>();

    SmtpServerSession server(SmtpServerSession.Limits limits) {
        return new SmtpServerSession("mx.example.test", (f, t, m) -> { stored.add(new Stored(f, t, m)); return null; }, limits);
    }

    static String talk(SmtpServerSession s, String clientText) {
        byte[] b = clientText.getBytes(StandardCharsets.ISO_8859_1);
        s.receive(b, 0, b.length);
        return new String(s.takeOutput(), StandardCharsets.ISO_8859_1);
    }

    @Test void aPlainDialogue() {
        SmtpServerSession s = server(SmtpServerSession.Limits.DEFAULT);
        assertTrue(new String(s.takeOutput(), StandardCharsets.ISO_8859_1).startsWith("220 mx.example.test ESMTP"));
        String ehlo = talk(s, "EHLO client.test\r\n");
        assertTrue(ehlo.contains("250-SIZE 26214400\r\n") && ehlo.contains("250-PIPELINING") && ehlo.contains("250-8BITMIME"), ehlo);
        assertEquals("250 2.1.0 Sender OK\r\n", talk(s, "MAIL FROM:<a@client.test> SIZE=100\r\n"));
        assertEquals("250 2.1.5 Recipient OK\r\n", talk(s, "RCPT TO:<b@example.test>\r\n"));
        assertTrue(talk(s, "DATA\r\n").startsWith("354"));
        assertEquals("250 2.0.0 Message accepted for delivery\r\n", talk(s, "Subject: hi\r\n\r\n..leading dot\r\n.\r\n"));
        assertEquals("Subject: hi\r\n\r\n.leading dot\r\n", new String(stored.getFirst().message(), StandardCharsets.ISO_8859_1));
        assertEquals("a@client.test", stored.getFirst().from());
        assertTrue(talk(s, "QUIT\r\n").startsWith("221"));
        assertTrue(s.closed());
    }

    @Test void pipelinedCommandsAreAnsweredInOrder() {
        SmtpServerSession s = server(SmtpServerSession.Limits.DEFAULT);
        s.takeOutput();
        String r = talk(s, "EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<x@y>\r\nRCPT TO:<z@y>\r\nDATA\r\nbody\r\n.\r\nQUIT\r\n");
        assertTrue(r.matches("(?s)250-.*250 ENHANCEDSTATUSCODES\r\n250 2.1.0.*\r\n250 2.1.5.*\r\n250 2.1.5.*\r\n354 .*\r\n250 2.0.0.*\r\n221 .*"), r);
        assertEquals(List.of("x@y", "z@y"), stored.getFirst().to());
        assertEquals("", stored.getFirst().from(), "the null reverse-path of a bounce");
    }

    @Test void limitsGiveTheirReplyCodes() {
        SmtpServerSession s = server(new SmtpServerSession.Limits(100, 2, 4, 512, 1000));
        s.takeOutput();
        talk(s, "EHLO c\r\n");
        assertTrue(talk(s, "MAIL FROM:<a@b> SIZE=101\r\n").startsWith("552"));
        talk(s, "MAIL FROM:<a@b>\r\n");
        talk(s, "RCPT TO:<1@b>\r\nRCPT TO:<2@b>\r\n");
        assertTrue(talk(s, "RCPT TO:<3@b>\r\n").startsWith("452"), "too many recipients is temporary");
        talk(s, "DATA\r\n");
        assertTrue(talk(s, ("x".repeat(60) + "\r\n").repeat(3) + ".\r\n").startsWith("552"), "message too big");
        assertTrue(stored.isEmpty());
        assertTrue(talk(s, "X".repeat(600) + "\r\n").startsWith("500 5.5.2 Line too long"));
        assertTrue(talk(s, "BOGUS\r\n").startsWith("500"));
        String last = talk(s, "RCPT TO:<x@y>\r\n");
        assertTrue(last.contains("421"), "fourth error closes: " + last);
        assertTrue(s.closed());
    }

    @Test void outOfOrderCommandsAreRefused() {
        SmtpServerSession s = server(SmtpServerSession.Limits.DEFAULT);
        s.takeOutput();
        assertTrue(talk(s, "MAIL FROM:<a@b>\r\n").startsWith("503"));
        talk(s, "HELO c\r\n");
        assertTrue(talk(s, "DATA\r\n").startsWith("503"));
        assertTrue(talk(s, "RCPT TO:<a@b>\r\n").startsWith("503"));
        assertTrue(talk(s, "MAIL FROM:a@b\r\n").startsWith("501"));
        assertTrue(talk(s, "EHLO\r\n").startsWith("501"));
        assertTrue(talk(s, "EHLO a\u001b[2Jb\r\n").contains("a\\x1b[2Jb"), "control characters are escaped when echoed");
    }

    /** Pumps bytes between a client and a server session until the client is done. */
    static void converse(SmtpClientSession c, SmtpServerSession s) {
        for (int i = 0; i < 100 && !c.done(); i++) {
            byte[] sv = s.takeOutput();
            c.receive(sv, 0, sv.length);
            byte[] cl = c.takeOutput();
            s.receive(cl, 0, cl.length);
            if (s.closed() && sv.length == 0 && cl.length == 0) { c.closed(); break; }
        }
    }

    @Test void clientDeliversThroughThePipelinedDialogue() {
        SmtpServerSession s = server(SmtpServerSession.Limits.DEFAULT);
        byte[] msg = "From: a@c\nSubject: test\n\n.hidden\nlast line without newline".getBytes(StandardCharsets.ISO_8859_1);
        SmtpClientSession c = new SmtpClientSession("c.test", "a@c", List.of("b@example.test", "d@example.test"), msg);
        converse(c, s);
        assertTrue(c.done());
        assertTrue(c.delivered(), c.result());
        assertEquals("From: a@c\r\nSubject: test\r\n\r\n.hidden\r\nlast line without newline\r\n",
                new String(stored.getFirst().message(), StandardCharsets.ISO_8859_1));
        assertTrue(c.transcript().contains("C: MAIL FROM:<a@c> SIZE=" + msg.length));
    }

    @Test void clientReportsRefusal() {
        SmtpServerSession s = new SmtpServerSession("mx", (f, t, m) -> "disk full", SmtpServerSession.Limits.DEFAULT);
        SmtpClientSession c = new SmtpClientSession("c", "a@c", List.of("b@d"), "x\r\n".getBytes(StandardCharsets.ISO_8859_1));
        converse(c, s);
        assertFalse(c.delivered());
        assertTrue(c.result().startsWith("451"), c.result());
    }

    @Property(tries = 300) void anyCrlfMessageArrivesByteIdentical(@ForAll("lines") List<String> lines) {
        stored.clear();
        String text = String.join("\r\n", lines) + "\r\n";
        byte[] msg = text.getBytes(StandardCharsets.ISO_8859_1);
        SmtpServerSession s = server(SmtpServerSession.Limits.DEFAULT);
        SmtpClientSession c = new SmtpClientSession("c", "a@c", List.of("b@d"), msg);
        converse(c, s);
        assertTrue(c.delivered(), c.result());
        assertArrayEquals(msg, stored.getFirst().message());
    }

    @Provide Arbitrary<List<String>> lines() {
        return Arbitraries.strings().withChars(".ab \t").ofMaxLength(20).list().ofMinSize(1).ofMaxSize(10);
    }
}
