package org.netstack4j.lab;

import java.util.Map;
import org.netstack4j.trace.DropReason;

/**
 * The lab's Chinese for what the stack reports: drop reasons by their kind (one sentence per
 * {@link DropReason}, the packet's own numbers and addresses formatted in by the caller), the
 * causes of TCP state changes (the stack's fixed set), and layer names. The notes' terms are kept
 * (端口不可达, 第一次握手); the sentences are the project's own.
 */
public final class Zh {
    private Zh() {}

    /**
     * A drop in Chinese: "丢弃（UDP）：" and the kind's sentence; {@code what} names the packet or
     * port the drop is about ("端口 9", "10.0.0.1:5000 → 10.0.0.2:80"), empty when unknown.
     */
    public static String drop(String layer, DropReason kind, String what) {
        String about = what == null || what.isEmpty() ? "" : "（" + what + "）";
        return "丢弃（" + layer(layer) + "）：" + reason(layer, kind) + about;
    }

    /**
     * What each kind of drop means, in one sentence. Two kinds are used by several layers for
     * different rules, so there the layer picks the sentence: FILTERED by the firewall's hooks or
     * a fault injector, POLICY by forwarding (the TTL ran out), ICMP (an echo to a broadcast
     * address, the ICMPv6 error rate limit) and TCP (deferred accept, the lab's two-way handshake).
     */
    public static String reason(String layer, DropReason kind) {
        return switch (kind) {
            case CHECKSUM -> "校验和不对，数据在途中被改动过";
            case TRUNCATED -> "长度不足，首部或数据被截短";
            case BAD_HEADER -> "首部字段取值不合规定";
            case BAD_OPTION -> "TCP 选项格式错误";
            case UNSUPPORTED -> "本协议栈不实现这种协议或类型";
            case BAD_ADDRESS -> "地址不能出现在这个位置";
            case NOT_FOR_US -> "不是发给本机的";
            case NO_ROUTE -> "路由表里没有通往目的地址的路由";
            case NEIGHBOR_UNREACHABLE -> "下一跳始终没有回答 ARP";
            case TOO_BIG -> "超过允许的长度（MTU）";
            case QUEUE_FULL -> "队列或表已满";
            case REASSEMBLY -> "分片重组失败";
            case NO_LISTENER -> "没有对应的连接或监听的套接字";
            case OUT_OF_WINDOW -> "序号落在接收窗口之外";
            case CHALLENGE_ACK -> "可能是盲攻击，只回一个挑战 ACK";
            case TIMESTAMP -> "时间戳检查（PAWS）不通过";
            case BAD_ACK -> "确认号不可接受";
            case NO_ACK -> "缺少 ACK 标志";
            case UNEXPECTED -> "当前状态不接收这种报文段";
            case POLICY -> switch (layer == null ? "" : layer) {
                case "ipv4" -> "TTL 耗尽，不再转发";
                case "ipv6" -> "跳数限制耗尽，不再转发";
                case "icmp" -> "按策略不作回应（发往广播地址的回显请求）";
                case "icmpv6" -> "ICMPv6 差错报文限速";
                default -> "按配置的策略丢弃";
            };
            case LINK_DOWN -> "链路已断开";
            case LOST -> "在途中丢失";
            case FILTERED -> "netfilter".equals(layer) ? "防火墙规则不放行" : "被故障注入的过滤规则拦下";
        };
    }

    /** The stack's layer names as the notes write them. */
    public static String layer(String layer) {
        return switch (layer == null ? "" : layer) {
            case "ipv4" -> "IPv4";
            case "ipv6" -> "IPv6";
            case "icmp" -> "ICMP";
            case "icmpv6" -> "ICMPv6";
            case "nd" -> "邻居发现";
            case "arp" -> "ARP";
            case "udp" -> "UDP";
            case "tcp" -> "TCP";
            case "link" -> "链路";
            case "netfilter" -> "防火墙";
            default -> layer;
        };
    }

    /** The causes of TCP state changes the stack writes (TcpConnection, SegmentArrives), each in Chinese. */
    private static final Map<String, String> CAUSES = Map.ofEntries(
            Map.entry("user LISTEN", "应用调用 LISTEN"),
            Map.entry("user OPEN", "应用调用 OPEN"),
            Map.entry("user OPEN (active)", "应用主动打开"),
            Map.entry("user CLOSE", "应用关闭"),
            Map.entry("queued CLOSE", "先前排队的关闭"),
            Map.entry("user ABORT", "应用中止"),
            Map.entry("user timeout", "用户超时"),
            Map.entry("keepalive timeout", "保活探测无应答"),
            Map.entry("2MSL timeout", "2MSL 计时结束"),
            Map.entry("FIN-WAIT-2 timeout", "FIN-WAIT-2 超时"),
            Map.entry("TIME-WAIT disabled (lab switch)", "实验开关关掉了 TIME-WAIT"),
            Map.entry("rcv SYN", "收到 SYN"),
            Map.entry("rcv SYN,ACK", "收到 SYN,ACK"),
            Map.entry("rcv ACK of SYN", "收到对 SYN 的确认"),
            Map.entry("rcv ACK of FIN", "收到对 FIN 的确认"),
            Map.entry("rcv ACK of a SYN cookie", "收到对 SYN cookie 的确认"),
            Map.entry("rcv FIN", "收到 FIN"),
            Map.entry("rcv FIN (reassembled)", "收到 FIN（重组后）"),
            Map.entry("rcv RST", "收到 RST"),
            Map.entry("rcv RST,ACK", "收到 RST,ACK"),
            Map.entry("rcv SYN (simultaneous open)", "收到 SYN（同时打开）"),
            Map.entry("rcv SYN,ACK (simultaneous open)", "收到 SYN,ACK（同时打开）"),
            Map.entry("rcv RST (passive open: back to LISTEN)", "收到 RST（被动打开，回到 LISTEN）"),
            Map.entry("rcv SYN (passive open: back to LISTEN)", "收到 SYN（被动打开，回到 LISTEN）"),
            Map.entry("rcv SYN in window", "窗口内收到 SYN"),
            Map.entry("rcv data after close", "关闭后又收到数据"),
            Map.entry("rcv SYN (two-way handshake, lab mode)", "收到 SYN（实验用的两次握手）"));

    /** A state change's cause in Chinese; a cause the table lacks is marked so a test finds it. */
    public static String cause(String cause) {
        if (cause == null || cause.isEmpty()) return "";
        String zh = CAUSES.get(cause);
        return zh != null ? zh : "?" + cause;
    }

    /**
     * The stack's notes (ARP, neighbour discovery, ICMP) in Chinese. These are the layers' fixed
     * sentences with addresses and numbers in them; each form is matched whole and rewritten, the
     * ICMP message names by the notes' terms. A form not listed stays as it is (the lab's
     * ZhCompleteTest walks every story and fails on any English left).
     */
    public static String note(String layer, String text) {
        String s = text;
        for (String[] r : NOTE_FORMS) s = s.replaceAll(r[0], r[1]);
        for (String[] p : PHRASES) s = s.replace(p[0], p[1]);
        return s.replace("\u0001", "").replace("\u0002", "");
    }

    private static final String A = "(\\S+)";

    private static final String[][] NOTE_FORMS = {
            {"^DAD: who-has " + A + " \\(tentative\\)$", "重复地址检测：有谁在用 $1？（地址暂不可用）"},
            {"^DAD: " + A + " is unique, preferred$", "重复地址检测：$1 无人使用，开始启用"},
            {"^who-has " + A + " tell " + A + " \\(unicast probe\\)$", "谁有 $1？请告诉 $2（单播探测）"},
            {"^who-has " + A + " tell " + A + "$", "谁有 $1？请告诉 $2"},
            {"^" + A + " is-at " + A + " to " + A + "$", "$1 的 MAC 是 $2，告诉 $3"},
            {"^" + A + " is-at " + A + " \\(solicited\\)$", "$1 的 MAC 是 $2（应请求而答）"},
            {"^" + A + " is-at " + A + "$", "$1 的 MAC 是 $2"},
            {"^SLAAC address " + A + " from router " + A + "$", "无状态自动配置：从路由器 $2 得到地址 $1"},
            {"^path MTU to " + A + " now (\\d+)$", "到 $1 的路径 MTU 现在是 $2"},
            {"^sending (.+) to " + A + " about (.+)$", "发送\u0001$1\u0002给 $2，针对 $3"},
            {"^(.+) from " + A + " about (.+)$", "收到 $2 发来的\u0001$1\u0002，针对 $3"},
    };

    /** ICMP message names and the IPv4 summary's words (Icmp.describe, IpTrace.summary). */
    private static final String[][] PHRASES = {
            {"\u0001time to live exceeded in transit\u0002", "生存时间（TTL）在途中耗尽"},
            {"\u0001fragmentation needed and DF set\u0002", "需要分片但设置了 DF"},
            {"\u0001fragment reassembly time exceeded\u0002", "分片重组超时"},
            {"\u0001port unreachable\u0002", "端口不可达"},
            {"\u0001host unreachable\u0002", "主机不可达"},
            {"\u0001net unreachable\u0002", "网络不可达"},
            {"\u0001protocol unreachable\u0002", "协议不可达"},
            {"\u0001source route failed\u0002", "源路由失败"},
            {"\u0001echo request\u0002", "回显请求"},
            {"\u0001echo reply\u0002", "回显应答"},
            {", length ", "，总长度 "},
            {", frag ", "，分片偏移 "},
            {", id ", "，id "},
            {", ttl ", "，ttl "},
            {": proto ", "：proto "},
            {", DF", "，DF"},
    };

    /** An ICMP message by its type and code (RFC 792), as the notes name it. */
    public static String icmp(int type, int code) {
        return switch (type) {
            case 0 -> "回显应答";
            case 8 -> "回显请求";
            case 11 -> code == 1 ? "分片重组超时" : "生存时间（TTL）耗尽";
            case 3 -> switch (code) {
                case 0 -> "网络不可达";
                case 1 -> "主机不可达";
                case 2 -> "协议不可达";
                case 3 -> "端口不可达";
                case 4 -> "需要分片但设置了 DF";
                case 5 -> "源路由失败";
                default -> "目的不可达（代码 " + code + "）";
            };
            default -> "类型 " + type + "、代码 " + code;
        };
    }
}
