package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
    @TempDir Path dir;

    @Test void listNamesTwelveStories() {
        Cli r = Cli.run("demo", "--list");
        assertEquals(0, r.status());
        for (String s : new String[] {"handshake", "teardown", "lost-final-ack", "old-duplicate", "stale-syn", "simultaneous-open",
                "simultaneous-close", "lost-syn", "refused", "half-close", "retransmission", "zero-window"})
            assertTrue(r.out().contains(s), s);
    }

    @Test void handshakeTextFitsOneHundredColumns() {
        Cli r = Cli.run("demo", "handshake");
        assertEquals(0, r.status(), r.err());
        for (String line : r.out().split("\n")) assertTrue(line.codePointCount(0, line.length()) <= 100, line);
        assertTrue(r.out().contains("SYN_SENT") && r.out().contains("SYN_RECEIVED") && r.out().contains("ESTABLISHED"));
    }

    @Test void handshakeOverIpv6() throws Exception {
        Cli r = Cli.run("demo", "handshake", "--ipv6");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("SYN_SENT") && r.out().contains("ESTABLISHED"), r.out());
        assertTrue(r.out().equals(Cli.run("demo", "handshake", "--ipv6").out()), "the same seed draws the same ladder");
        Path pcap = dir.resolve("h6.pcap");
        assertEquals(0, Cli.run("demo", "handshake", "--ipv6", "--pcap", pcap.toString()).status());
        byte[] p = Files.readAllBytes(pcap);
        boolean v6 = false;
        for (int i = 24 + 16 + 12; i + 1 < p.length; i++) if ((p[i] & 0xff) == 0x86 && (p[i + 1] & 0xff) == 0xdd) { v6 = true; break; }
        assertTrue(v6, "the capture carries IPv6 frames (EtherType 0x86dd)");
        Cli net = Cli.run("demo", "arp", "--ipv6");
        assertEquals(2, net.status());
        assertTrue(net.err().contains("--ipv6 apply to the TCP stories"), net.err());
    }

    @Test void jsonAndSvgAndPcap() throws Exception {
        Cli j = Cli.run("demo", "handshake", "--format", "json");
        assertEquals(0, j.status(), j.err());
        assertTrue(j.out().startsWith("{\"scenario\":") || j.out().startsWith("{\"scenario\" :") || j.out().contains("\"scenario\""), j.out());
        assertTrue(j.out().contains("\"hosts\"") && j.out().contains("\"events\""), j.out());
        Path svg = dir.resolve("h.svg"), pcap = dir.resolve("h.pcap");
        Cli s = Cli.run("demo", "handshake", "--format", "svg", "--out", svg.toString(), "--pcap", pcap.toString());
        assertEquals(0, s.status(), s.err());
        assertTrue(Files.readString(svg).contains("<svg"));
        assertTrue(Files.size(pcap) > 24);
    }

    @Test void misuseIsExplained() {
        Cli r = Cli.run("demo", "nosuch");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("demo --list"), r.err());
        r = Cli.run("demo", "handshake", "--two-way");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("stale-syn"), r.err());
        r = Cli.run("demo", "handshake", "--lang", "fr");
        assertEquals(2, r.status());
        r = Cli.run("demo");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("which story"), r.err());
    }

    @Test void everyNetworkStoryIsListedByDemoAndByLabHelp() {
        Cli list = Cli.run("demo", "--list");
        Cli help = Cli.run("lab", "--help");
        assertEquals(0, help.status(), help.err());
        for (var s : org.netstack4j.lab.scenario.NetStories.all()) {
            assertTrue(list.out().contains("  " + s.name() + " "), s.name() + " in demo --list");
            assertTrue(help.out().matches("(?s).*[\\s,]" + java.util.regex.Pattern.quote(s.name()) + "[,\\n].*"), s.name() + " in lab --help: " + help.out());
        }
    }

    @Test void applicationStoriesRunAsTextAndPcap() throws Exception {
        for (String s : new String[] {"dns", "ftp-active-passive", "smtp", "http"}) {
            Path pcap = dir.resolve(s + ".pcap");
            Cli r = Cli.run("demo", s, "--pcap", pcap.toString());
            assertEquals(0, r.status(), r.err());
            assertTrue(java.nio.file.Files.size(pcap) > 24, s + ": an empty pcap");
            Cli zh = Cli.run("demo", s, "--lang", "zh");
            assertEquals(0, zh.status(), zh.err());
        }
        assertTrue(Cli.run("demo", "smtp").out().contains("C: EHLO c.a.example"));
        assertTrue(Cli.run("demo", "ftp-active-passive", "--lang", "zh").out().contains("主动模式"));
    }

    @Test void linkLayerStoriesRunAsTextJsonAndPcap() throws Exception {
        Cli list = Cli.run("demo", "--list");
        for (String s : new String[] {"arp", "hub-vs-switch", "switch-learning"}) assertTrue(list.out().contains(s), s);
        Cli zh = Cli.run("demo", "hub-vs-switch", "--lang", "zh");
        assertEquals(0, zh.status(), zh.err());
        assertTrue(zh.out().contains("集线器") && zh.out().contains("交换机") && zh.out().contains("网卡"), zh.out());
        Cli j = Cli.run("demo", "switch-learning", "--format", "json");
        assertEquals(0, j.status(), j.err());
        assertTrue(j.out().contains("\"lanes\"") && j.out().contains("\"via\":\"FLOODED\""), j.out());
        Path pcap = dir.resolve("arp.pcap");
        Cli p = Cli.run("demo", "arp", "--pcap", pcap.toString());
        assertEquals(0, p.status(), p.err());
        // 6 frames, each written where it was sent and where it was received: 12 records.
        assertEquals(12, org.netstack4j.device.PcapReader.readAll(pcap).size());
        // The multi-lane stories are drawn as SVG and as an interactive page too; the TCP stories have no page.
        Cli svg = Cli.run("demo", "arp", "--format", "svg");
        assertEquals(0, svg.status(), svg.err());
        assertTrue(svg.out().startsWith("<svg") && svg.out().contains("class=\"ev\""), svg.out());
        Path page = dir.resolve("router.html");
        Cli html = Cli.run("demo", "router", "--format", "html", "--lang", "zh", "--out", page.toString());
        assertEquals(0, html.status(), html.err());
        String text = Files.readString(page);
        assertTrue(text.startsWith("<!DOCTYPE html>") && text.contains("TTL") && text.contains("路由器"), text.substring(0, 200));
        // the two-host TCP stories have the same page: their segments decoded from the frames the link carried
        Path tcpPage = dir.resolve("handshake.html");
        Cli tcp = Cli.run("demo", "handshake", "--format", "html", "--out", tcpPage.toString());
        assertEquals(0, tcp.status(), tcp.err());
        String tcpText = Files.readString(tcpPage);
        assertTrue(tcpText.startsWith("<!DOCTYPE html>") && tcpText.contains("Ethernet II") && tcpText.contains("SYN_SENT")
                && tcpText.contains("三次握手"), tcpText.substring(0, 200));
    }
}
