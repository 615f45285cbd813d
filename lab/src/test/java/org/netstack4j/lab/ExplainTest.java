package org.netstack4j.lab;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;
import org.netstack4j.wire.UdpRepr;

class ExplainTest {
    static void fits(String text) {
        for (String l : text.split("\n")) assertTrue(Cols.width(l) <= 100, Cols.width(l) + ": " + l);
    }

    @Test
    void layersTableNamesTheNotesLayersAndOurPackages() {
        String en = Explain.layers(Lang.EN), zh = Explain.layers(Lang.ZH);
        fits(en);
        fits(zh);
        for (String s : List.of("Physical", "Data link", "Network", "Transport", "Session", "Presentation", "Application",
                "HTTP, SMTP,", "repeater, hub", "bridge", "router", "firewall", "package ip", "wire", "tcp"))
            assertTrue(en.contains(s), s);
        for (String s : List.of("物理层", "数据链路层", "网络层", "传输层", "会话层", "表示层", "应用层", "中继器、集线器",
                "网卡", "网桥", "路由器", "防火墙"))
            assertTrue(zh.contains(s), s);
        // The hub and the switch run now; the table points to their stories.
        for (String s : List.of("device.Hub", "hub-vs-switch", "switch-learning", "Bridge"))
            assertTrue(en.contains(s) && zh.contains(s), s);
        assertTrue(!en.contains("not implemented") && !zh.contains("不实现"), en);
    }

    @Test
    void tcpHeaderShowsTheSegmentsValues() {
        TcpRepr t = new TcpRepr(49152, 80, (int) 3_456_789_012L, 1001, TcpRepr.SYN | TcpRepr.ACK, 65535, 0,
                List.of(new TcpOption.Mss(1460), new TcpOption.WindowScale(7)));
        String en = Explain.tcpHeader(Fixtures.C, Fixtures.S, t, new byte[0], Lang.EN);
        fits(en);
        for (String s : List.of("49152", "80", "3456789012", "1001", "65535", "|0|0|0|1|0|0|1|0|", "Data offset 7 x 4 = 28",
                "mss 1460, wscale 7", "(7 + 1 bytes)", "10.0.0.1:49152 > 10.0.0.2:80"))
            assertTrue(en.contains(s), s + "\n" + en);
        String zh = Explain.tcpHeader(t, 5, Lang.ZH);
        fits(zh);
        for (String s : List.of("源端口", "目的端口", "序号", "确认号", "窗口", "检验和", "紧急指针", "5 字节"))
            assertTrue(zh.contains(s), s);
    }

    @Test
    void checksumsComeFromTheWireCodecAndVerify() {
        TcpRepr t = new TcpRepr(49152, 80, 1000, 0, TcpRepr.SYN, 65535, 0, List.of(new TcpOption.Mss(1460)));
        byte[] buf = new byte[t.headerLength()];
        t.emit(Fixtures.C, Fixtures.S, buf, 0, new byte[0], 0, 0);
        String want = String.format("0x%04x", ((buf[16] & 0xff) << 8) | (buf[17] & 0xff));
        String text = Explain.tcpHeader(Fixtures.C, Fixtures.S, t, new byte[0], Lang.EN);
        assertTrue(text.contains(want), want + "\n" + text);
        assertTrue(TcpRepr.parse(Fixtures.C, Fixtures.S, buf, 0, buf.length, true).isOk(), "the emitted checksum verifies");
        assertTrue(Explain.tcpHeader(t, 0, Lang.EN).contains("no IP addresses given"));
    }

    @Test
    void udpHeader() {
        String en = Explain.udpHeader(Fixtures.C, Fixtures.S, new UdpRepr(5353, 53), new byte[12], Lang.EN);
        fits(en);
        assertTrue(en.contains("5353") && en.contains("53") && en.contains("20"));
        String zh = Explain.udpHeader(null, null, new UdpRepr(1, 2), null, Lang.ZH);
        assertTrue(zh.contains("长度") && zh.contains("8"));
    }
}
