package org.netstack4j.lab.scenario;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.lab.scenario.IpStoriesTest.notes;
import static org.netstack4j.lab.scenario.IpStoriesTest.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.netstack4j.lab.LaneJson;
import org.netstack4j.lab.LaneRun;
import org.netstack4j.lab.Lang;

/** What the application stories establish (DNS, FTP, SMTP, HTTP, UDP against TCP), read from their runs. */
class AppStoriesTest {
    @Test void dnsAsksOverUdpAndFallsBackToTcpForATruncatedAnswer() {
        NetStory.Result r = run("dns");
        assertEquals("10.0.0.80", r.facts().get("www"));
        assertTrue(r.facts().get("first query").matches("query \\(44 bytes\\): id 0x[0-9a-f]{4}, flags rd, question www.example.org. IN A, EDNS size 1232"),
                r.facts().get("first query"));
        assertEquals("80 addresses, 10.0.1.1 ... 10.0.1.80", r.facts().get("big"));
        assertEquals("1", r.facts().get("truncated UDP answers"));
        assertEquals("1", r.facts().get("TCP fallbacks"));
        // One TCP connection, opened by the resolver, only for the truncated name.
        assertTrue(r.facts().get("SYNs").matches("C 10\\.0\\.0\\.1:\\d+ > 10\\.0\\.0\\.53:53"), r.facts().get("SYNs"));
        assertTrue(r.facts().get("TCP answer").startsWith("answer (1324 bytes)") && r.facts().get("TCP answer").contains("80 answer records"),
                r.facts().get("TCP answer"));
        assertEquals("10.0.0.80 (from the cache)", r.facts().get("www again"));
        // The truncated UDP answer carries TC and no records; the handshake follows it.
        List<String> c = notes(r, "C", Lang.EN);
        int tc = indexOf(c, "flags qr aa tc rd"), tcp = indexOf(c, "ask again over TCP");
        assertTrue(tc >= 0 && tcp > tc && c.get(tc).contains("no answer records"), c.toString());
        long udpFromC = r.run().events().stream().filter(e -> e instanceof LaneRun.Frame f && f.from().equals("C") && f.label().startsWith("UDP")).count();
        assertEquals(2, udpFromC, "two UDP queries; the cached third lookup sends nothing");
    }

    @Test void ftpActiveModeTheServerOpensTheDataConnectionPassiveTheClient() {
        NetStory.Result r = run("ftp-active-passive");
        // Active: C opens the control connection, S opens the data connection from port 20 to the PORT address.
        assertTrue(r.facts().get("active SYNs").matches("C 10\\.0\\.0\\.1:\\d+ > 10\\.0\\.0\\.21:21; S 10\\.0\\.0\\.21:20 > 10\\.0\\.0\\.1:40001"),
                r.facts().get("active SYNs"));
        // Passive: both SYNs from C, the data one to the port the 227 reply named.
        assertTrue(r.facts().get("passive SYNs").matches("C 10\\.0\\.0\\.1:\\d+ > 10\\.0\\.0\\.21:21; C 10\\.0\\.0\\.1:\\d+ > 10\\.0\\.0\\.21:50000"),
                r.facts().get("passive SYNs"));
        assertEquals(r.facts().get("file bytes"), r.facts().get("active bytes"));
        assertEquals(r.facts().get("file bytes"), r.facts().get("passive bytes"));
        assertEquals("220 331 230 200 200 150 226 221", r.facts().get("active replies"));
        assertEquals("220 331 230 200 227 150 226 221", r.facts().get("passive replies"));
        assertTrue(notes(r, "S", Lang.EN).contains("S: 227 Entering Passive Mode (10,0,0,21,195,80)  (I listen there: h1,h2,h3,h4 is the address, p1*256+p2 the port)"),
                notes(r, "S", Lang.EN).toString());
    }

    @Test void smtpDeliversOneMessageInOneDialogue() {
        NetStory.Result r = run("smtp");
        assertEquals("EHLO MAIL RCPT DATA <body> . QUIT", r.facts().get("commands"));
        assertEquals("220 250 250 250 354 250 221", r.facts().get("reply codes"));
        assertEquals("1", r.facts().get("connections"));
        assertEquals("from alice@a.example to bob@b.example, " + AppStories.MAIL.length() + " bytes", r.facts().get("stored"));
        assertEquals("true", r.facts().get("stored body equals the message"), "dot-stuffing undone at the server");
        assertEquals("true", r.facts().get("dot doubled on the wire"));
        assertEquals("CRLF . CRLF", r.facts().get("body ends with"));
        assertTrue(r.facts().get("client result").startsWith("250"), r.facts().get("client result"));
    }

    @Test void httpRunsEndToEndThroughTheDevices() {
        NetStory.Result r = run("http");
        assertEquals("GET /index.txt HTTP/1.1", r.facts().get("S got"));
        assertEquals("HTTP/1.1 200 OK / hello", r.facts().get("A got"));
        assertEquals("62", r.facts().get("TTL at S"), "64 less R1 and FW; the switch leaves it");
        assertTrue(r.facts().get("TCP at S").startsWith("SYN 0; ACK 0; PSH,ACK " + AppStories.HTTP_REQUEST.length()), r.facts().get("TCP at S"));
        assertEquals("SYN-SENT ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED", r.facts().get("A states"));
        assertEquals("SYN-RECEIVED ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT", r.facts().get("S states"));
        assertTrue(r.facts().get("conntrack at the end").endsWith("TIME_WAIT [ASSURED]"), r.facts().get("conntrack at the end"));
        assertTrue(notes(r, "FW", Lang.EN).stream().anyMatch(n -> n.startsWith("conntrack") && n.contains("ESTABLISHED")), notes(r, "FW", Lang.EN).toString());
        // The request crosses four links: A > sw0 > R1 > FW > S.
        long hops = r.run().events().stream().filter(e -> e instanceof LaneRun.Frame f && f.label().contains(":80 PSH,ACK")).count();
        assertEquals(4, hops);
    }

    @Test void udpAgainstTcpOnALossyLink() {
        NetStory.Result r = run("udp");
        assertEquals("request part 1/3, request part 3/3", r.facts().get("UDP: B got"), "no retransmission: part 2 is gone");
        assertEquals("none", r.facts().get("UDP: A's error"), "and nobody told A");
        assertEquals("3", r.facts().get("UDP: datagrams from A"));
        assertEquals("request part 1/3, request part 2/3, request part 3/3", r.facts().get("TCP: B got"), "all of it, in order");
        assertEquals("1", r.facts().get("TCP: SYNs"));
        assertEquals("4", r.facts().get("TCP: data frames from A"), "three parts and one retransmission");
        assertEquals(2, r.run().events().stream().filter(e -> e instanceof LaneRun.Frame f && f.label().startsWith("lost: ")).count());
        assertTrue(notes(r, "A", Lang.EN).stream().anyMatch(n -> n.contains("retransmission timer (RTO) fired")), notes(r, "A", Lang.EN).toString());
    }

    @Test void sameSeedSameBytes(@TempDir Path dir) throws Exception {
        for (String s : List.of("dns", "ftp-active-passive", "smtp", "http", "udp")) {
            NetStory story = NetStories.byName(s).orElseThrow();
            String a = LaneJson.render(story.run(7, dir.resolve(s + "-1.pcap")).run(), Lang.EN);
            String b = LaneJson.render(story.run(7, dir.resolve(s + "-2.pcap")).run(), Lang.EN);
            assertEquals(a, b, s);
            assertArrayEquals(Files.readAllBytes(dir.resolve(s + "-1.pcap")), Files.readAllBytes(dir.resolve(s + "-2.pcap")), s);
        }
    }

    @Test void everyNoteHasChineseText() {
        for (String s : List.of("dns", "ftp-active-passive", "smtp", "http")) {
            for (LaneRun.Event e : run(s).run().events())
                if (e instanceof LaneRun.Note n)
                    assertTrue(n.zh().codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN)
                            || n.zh().startsWith("ARP") || n.zh().startsWith("TCP"), s + ": no Chinese in " + n.zh());
        }
    }

    static int indexOf(List<String> l, String part) {
        for (int i = 0; i < l.size(); i++) if (l.get(i).contains(part)) return i;
        return -1;
    }
}
