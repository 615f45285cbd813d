package org.netstack4j.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;
import org.netstack4j.wire.UdpRepr;

/**
 * {@code netstack4j explain ...}: the layer models of the notes (OSI and TCP/IP side by side,
 * with protocols, devices and the netstack4j packages that implement each layer), and the RFC
 * header diagrams of TCP (RFC 9293 3.1) and UDP (RFC 768) filled with a real segment's values.
 * Pure functions returning text of at most 100 columns.
 */
public final class Explain {
    private Explain() {}

    // ---------------------------------------------------------------- layers

    /** OSI and TCP/IP models side by side, as in the notes' table. */
    public static String layers(Lang lang) {
        boolean zh = lang == Lang.ZH;
        String[] head = zh
                ? new String[] {"OSI 七层模型", "TCP/IP 模型", "协议", "设备", "netstack4j 中的实现"}
                : new String[] {"OSI (7 layers)", "TCP/IP", "protocols", "devices", "in netstack4j"};
        int[] w = {14, 12, 14, 14, 30};
        String[][] rows = zh ? new String[][] {
            {"7 应用层", "应用层", "HTTP、SMTP、DNS、FTP", "", "apps 模块（DNS、SMTP、FTP）与 cli；socket 包（java.net 风格 API）；演示 dns、ftp-active-passive、smtp、http"},
            {"6 表示层", "", "", "", ""},
            {"5 会话层", "", "", "", ""},
            {"4 传输层", "传输层", "TCP、UDP", "", "tcp、tcp.cc 包（TCP）；ip 包（UDP）；wire：TcpRepr、UdpRepr；演示 udp"},
            {"3 网络层", "网络层", "IP、ICMP", "路由器、防火墙", "ip 包（IPv4、ICMP、路由、转发：开启转发的主机即路由器、分片）；filter 包（状态防火墙、连接跟踪、NAT）；wire：Ipv4Repr、IcmpRepr；演示 router、fragmentation、firewall、nat、encapsulation；lab run 拓扑文件"},
            {"2 数据链路层", "数据链路层", "以太网、ARP", "网卡、网桥、交换机",
                "device 包（Device、仿真链路、Bridge：学习型交换机）；ip 包（ARP）；wire：EthernetRepr、ArpRepr；linux（TAP）；演示 arp、switch-learning"},
            {"1 物理层", "物理层", "", "中继器、集线器", "device.Hub（中继集线器）与 sim 的 SimSegment（共享介质）；SimLink 模拟一根线缆（时延、带宽、丢包）；演示 hub-vs-switch；linux 的 TUN/TAP 交给内核"},
        } : new String[][] {
            {"7 Application", "Application", "HTTP, SMTP, DNS, FTP", "", "module apps (DNS, SMTP, FTP) and cli; package socket (java.net-shaped API); demos dns, ftp-active-passive, smtp, http"},
            {"6 Presentation", "", "", "", ""},
            {"5 Session", "", "", "", ""},
            {"4 Transport", "Transport", "TCP, UDP", "", "packages tcp, tcp.cc (TCP); ip (UDP); wire: TcpRepr, UdpRepr; demo udp"},
            {"3 Network", "Network", "IP, ICMP", "router, firewall", "package ip (IPv4, ICMP, routing, forwarding: a host that forwards is a router, fragments); filter (stateful firewall, conntrack, NAT); wire: Ipv4Repr, IcmpRepr; demos router, fragmentation, firewall, nat, encapsulation; lab run topologies"},
            {"2 Data link", "Data link", "Ethernet, ARP", "NIC, bridge, switch",
                "package device (Device, simulated link, Bridge: a learning switch); ip (ARP); wire: EthernetRepr, ArpRepr; linux (TAP); demos arp, switch-learning"},
            {"1 Physical", "Physical", "", "repeater, hub", "device.Hub (a repeater hub) and sim's SimSegment (a shared medium); SimLink models a cable (latency, rate, loss); demo hub-vs-switch; linux TUN/TAP hands frames to the kernel"},
        };
        StringBuilder sb = new StringBuilder();
        sb.append(zh ? "OSI 七层模型与 TCP/IP 模型（org.netstack4j 各包的对应关系）\n\n"
                : "The OSI and TCP/IP models side by side, and where netstack4j implements each layer\n\n");
        table(sb, head, w, rows);
        sb.append('\n').append(zh
                ? "OSI 七层：物理层、数据链路层、网络层、传输层、会话层、表示层、应用层。\n"
                  + "TCP/IP（教学用五层）：物理层、数据链路层、网络层、传输层、应用层。\n"
                  + "数据自上而下逐层加首部（封装），自下而上逐层去首部（解封装）；wire 包负责每层首部的解析与生成。\n"
                : "OSI: physical, data link, network, transport, session, presentation, application.\n"
                  + "TCP/IP (five-layer teaching form): physical, data link, network, transport, application.\n"
                  + "Going down, each layer adds its header (encapsulation); going up, each removes it. Package\n"
                  + "wire parses and writes every layer's header; the layers above it never touch raw bytes.\n");
        return sb.toString();
    }

    private static void table(StringBuilder sb, String[] head, int[] w, String[][] rows) {
        StringBuilder sep = new StringBuilder("+");
        for (int c : w) sep.append("-".repeat(c + 2)).append('+');
        sb.append(sep).append('\n');
        tableRow(sb, head, w);
        sb.append(sep.toString().replace('-', '=')).append('\n');
        for (int r = 0; r < rows.length; r++) {
            tableRow(sb, rows[r], w);
            // OSI 5-7 are one TCP/IP layer: no line between them
            boolean joined = r < 2;
            sb.append(joined ? mergedSep(w) : sep.toString()).append('\n');
        }
    }

    private static String mergedSep(int[] w) {
        StringBuilder s = new StringBuilder("+").append("-".repeat(w[0] + 2)).append('+');
        for (int i = 1; i < w.length; i++) s.append(" ".repeat(w[i] + 2)).append('|');
        return s.toString();
    }

    private static void tableRow(StringBuilder sb, String[] cells, int[] w) {
        List<List<String>> wrapped = new ArrayList<>();
        int lines = 1;
        for (int i = 0; i < cells.length; i++) {
            List<String> l = cells[i].isEmpty() ? List.of("") : Cols.wrap(cells[i], w[i]);
            wrapped.add(l);
            lines = Math.max(lines, l.size());
        }
        for (int k = 0; k < lines; k++) {
            StringBuilder line = new StringBuilder("|");
            for (int i = 0; i < cells.length; i++) {
                String t = k < wrapped.get(i).size() ? wrapped.get(i).get(k) : "";
                line.append(' ').append(Cols.pad(t, w[i])).append(" |");
            }
            sb.append(line).append('\n');
        }
    }

    // ---------------------------------------------------------------- header diagrams

    private static final String RULER = "    0                   1                   2                   3\n"
            + "    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1\n";
    private static final String BORDER = "   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+\n";

    /** A cell of a 32-bit row: bits wide, its text lines (centered). */
    private record Cell(int bits, String... lines) {}

    private static void row(StringBuilder sb, Cell... cells) {
        int lines = 0;
        for (Cell c : cells) lines = Math.max(lines, c.lines().length);
        for (int k = 0; k < lines; k++) {
            StringBuilder l = new StringBuilder("   |");
            for (Cell c : cells) {
                int width = c.bits() * 2 - 1;
                String t = k < c.lines().length ? c.lines()[k] : "";
                t = Cols.fit(t, width);
                int left = (width - Cols.width(t)) / 2;
                l.append(" ".repeat(left)).append(t).append(" ".repeat(width - left - Cols.width(t))).append('|');
            }
            sb.append(l).append('\n');
        }
        sb.append(BORDER);
    }

    /** TCP header diagram without addresses (the checksum cannot be computed). */
    public static String tcpHeader(TcpRepr tcp, int payloadLength, Lang lang) {
        return tcpHeader(null, null, tcp, new byte[payloadLength], lang, false);
    }

    /**
     * The RFC 9293 3.1 header diagram filled with this segment's values; src/dst are needed for
     * the checksum over the pseudo-header. The checksum is taken from the wire codec (emit).
     */
    public static String tcpHeader(IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload, Lang lang) {
        return tcpHeader(src, dst, tcp, payload == null ? new byte[0] : payload, lang, true);
    }

    private static String tcpHeader(IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload, Lang lang,
                                    boolean withChecksum) {
        boolean zh = lang == Lang.ZH;
        int optLen = 0;
        for (TcpOption o : tcp.options()) optLen += o.length();
        int hlen = tcp.headerLength();
        String checksum = withChecksum && src != null && dst != null ? tcpChecksum(src, dst, tcp, payload) : null;
        String seq = Integer.toUnsignedString(tcp.seq()), ack = Integer.toUnsignedString(tcp.ack());
        StringBuilder sb = new StringBuilder();
        sb.append(zh ? "TCP 报文段首部（RFC 9293 3.1）" : "TCP header (RFC 9293 3.1)");
        if (src != null && dst != null) sb.append(": ").append(src).append(':').append(tcp.srcPort())
                .append(" > ").append(dst).append(':').append(tcp.dstPort());
        sb.append("\n\n").append(RULER).append(BORDER);
        row(sb, new Cell(16, zh ? "源端口" : "Source Port", Integer.toString(tcp.srcPort())),
                new Cell(16, zh ? "目的端口" : "Destination Port", Integer.toString(tcp.dstPort())));
        row(sb, new Cell(32, zh ? "序号 seq" : "Sequence Number", seq));
        row(sb, new Cell(32, zh ? "确认号 ack" : "Acknowledgment Number",
                ack + (tcp.has(TcpRepr.ACK) ? "" : zh ? "（ACK=0，无意义）" : " (ACK=0: not used)")));
        int f = tcp.flags();
        String[] names = {"CWR", "ECE", "URG", "ACK", "PSH", "RST", "SYN", "FIN"};
        int[] bits = {TcpRepr.CWR, TcpRepr.ECE, TcpRepr.URG, TcpRepr.ACK, TcpRepr.PSH, TcpRepr.RST, TcpRepr.SYN, TcpRepr.FIN};
        Cell[] r4 = new Cell[11];
        r4[0] = new Cell(4, zh ? "数据" : " Data", zh ? "偏移" : "Offset", "", Integer.toString(hlen / 4));
        r4[1] = new Cell(4, "", zh ? "保留" : "Rsrvd", "", "0");
        for (int i = 0; i < 8; i++) {
            r4[2 + i] = new Cell(1, names[i].substring(0, 1), names[i].substring(1, 2), names[i].substring(2, 3),
                    (f & bits[i]) != 0 ? "1" : "0");
        }
        r4[10] = new Cell(16, "", zh ? "窗口" : "Window", "", Integer.toString(tcp.window()));
        row(sb, r4);
        row(sb, new Cell(16, zh ? "检验和" : "Checksum", checksum == null ? "?" : checksum),
                new Cell(16, zh ? "紧急指针" : "Urgent Pointer", Integer.toString(tcp.urgentPointer())));
        if (!tcp.options().isEmpty()) {
            List<String> lines = new ArrayList<>();
            lines.add((zh ? "选项 + 填充" : "Options + Padding") + " (" + optLen + " + " + (hlen - 20 - optLen)
                    + (zh ? " 字节)" : " bytes)"));
            lines.addAll(Cols.wrap(TraceConverter.optionsSummary(tcp.options()).replace(",", ", "), 60));
            row(sb, new Cell(32, lines.toArray(String[]::new)));
        }
        row(sb, new Cell(32, zh ? "数据" : "Data", payload.length + (zh ? " 字节" : " bytes")));
        sb.append('\n');
        List<String> notes = new ArrayList<>();
        notes.add(zh ? "数据偏移 " + hlen / 4 + " × 4 = " + hlen + " 字节首部（固定 20 字节" + (hlen > 20 ? " + 选项 " + (hlen - 20) : "") + "）。"
                : "Data offset " + hlen / 4 + " x 4 = " + hlen + "-byte header (20 fixed" + (hlen > 20 ? " + " + (hlen - 20) + " options" : "") + ").");
        String flagText = String.join(",", LabEvent.flagNames(f));
        notes.add(zh ? "标志位：" + (flagText.isEmpty() ? "无" : flagText) + "。SYN 与 FIN 各消耗一个序号，纯 ACK 不消耗序号。"
                : "Flags: " + (flagText.isEmpty() ? "none" : flagText) + ". SYN and FIN each consume one sequence number; a bare ACK consumes none.");
        if (tcp.has(TcpRepr.SYN)) notes.add(zh
                ? "这是 SYN：seq 是初始序列号 ISN，对方将确认 seq+1=" + Integer.toUnsignedString(tcp.seq() + 1) + "。"
                : "A SYN: seq is the initial sequence number (ISN); the peer will ack seq+1=" + Integer.toUnsignedString(tcp.seq() + 1) + ".");
        notes.add(zh ? "窗口字段是未缩放的原始值（若协商了窗口扩大选项，实际窗口 = 窗口 << wscale）。"
                : "Window is the raw field; with window scaling (RFC 7323) the real window is window << wscale.");
        if (checksum == null) notes.add(zh
                ? "检验和覆盖伪首部（源/目的 IP、协议号 6、TCP 长度）、首部与数据；" + (withChecksum ? "需要 wire 编解码器（尚未可用）才能计算。" : "未给出 IP 地址，无法计算。")
                : "The checksum covers a pseudo-header (source/destination IP, protocol 6, TCP length), the header and the data; "
                        + (withChecksum ? "computing it needs the wire codec, not available yet." : "no IP addresses given, so it is not computed."));
        else notes.add(zh ? "检验和覆盖伪首部（源/目的 IP、协议号 6、TCP 长度）、首部与数据。"
                : "The checksum covers a pseudo-header (source/destination IP, protocol 6, TCP length), the header and the data.");
        for (String n : notes) for (String l : Cols.wrap(n, 96)) sb.append("  ").append(l).append('\n');
        return sb.toString();
    }

    private static String tcpChecksum(IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload) {
        try {
            byte[] buf = new byte[60 + payload.length];
            tcp.emit(src, dst, buf, 0, payload, 0, payload.length);
            return String.format(Locale.ROOT, "0x%04x", ((buf[16] & 0xff) << 8) | (buf[17] & 0xff));
        } catch (UnsupportedOperationException notYet) {
            return null; // no codec to compute it with: say so instead of inventing a value
        }
    }

    /** The RFC 768 UDP header diagram filled with this datagram's values. */
    public static String udpHeader(IpAddress src, IpAddress dst, UdpRepr udp, byte[] payload, Lang lang) {
        boolean zh = lang == Lang.ZH;
        byte[] data = payload == null ? new byte[0] : payload;
        int length = UdpRepr.HEADER_LENGTH + data.length;
        String checksum = null;
        if (src != null && dst != null) {
            try {
                byte[] buf = new byte[length];
                udp.emit(src, dst, buf, 0, data, 0, data.length);
                checksum = String.format(Locale.ROOT, "0x%04x", ((buf[6] & 0xff) << 8) | (buf[7] & 0xff));
            } catch (UnsupportedOperationException notYet) {
                checksum = null;
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(zh ? "UDP 用户数据报首部（RFC 768）" : "UDP header (RFC 768)");
        if (src != null && dst != null) sb.append(": ").append(src).append(':').append(udp.srcPort())
                .append(" > ").append(dst).append(':').append(udp.dstPort());
        sb.append("\n\n").append(RULER).append(BORDER);
        row(sb, new Cell(16, zh ? "源端口" : "Source Port", Integer.toString(udp.srcPort())),
                new Cell(16, zh ? "目的端口" : "Destination Port", Integer.toString(udp.dstPort())));
        row(sb, new Cell(16, zh ? "长度" : "Length", Integer.toString(length)),
                new Cell(16, zh ? "检验和" : "Checksum", checksum == null ? "?" : checksum));
        row(sb, new Cell(32, zh ? "数据" : "Data", data.length + (zh ? " 字节" : " bytes")));
        sb.append('\n');
        List<String> notes = new ArrayList<>();
        notes.add(zh ? "首部固定 8 字节；长度字段 = 8 + 数据长度 = " + length + "。UDP 无连接、无确认、无重传，也没有序号和窗口。"
                : "The header is always 8 bytes; Length = 8 + data = " + length + ". UDP has no connection, no ACKs,"
                        + " no retransmission, no sequence numbers and no window.");
        notes.add(zh ? "检验和覆盖伪首部（源/目的 IP、协议号 17、UDP 长度）、首部与数据；值为 0 表示未计算（IPv4 允许）。"
                + (checksum == null ? "此处无法计算（需要 IP 地址与 wire 编解码器）。" : "")
                : "The checksum covers a pseudo-header (source/destination IP, protocol 17, UDP length), the header"
                        + " and the data; 0 means \"none\" (allowed over IPv4)."
                        + (checksum == null ? " Not computed here (needs the addresses and the wire codec)." : ""));
        for (String n : notes) for (String l : Cols.wrap(n, 96)) sb.append("  ").append(l).append('\n');
        return sb.toString();
    }
}
