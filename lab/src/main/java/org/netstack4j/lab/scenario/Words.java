package org.netstack4j.lab.scenario;

import java.util.List;
import java.util.Map;

/**
 * Chinese for the stack's trace wording (drop reasons, ICMP notes), phrase by phrase: the notes'
 * terms where they have one (生存时间, 需要分片, 端口不可达), addresses and numbers kept.
 */
final class Words {
    private Words() {}

    /** Longest phrases first, so that a phrase is not split by a shorter one inside it. */
    private static final List<Map.Entry<String, String>> PHRASES = List.of(
            Map.entry("time to live exceeded in transit", "生存时间（TTL）在途中耗尽"),
            Map.entry("TTL exceeded in transit", "TTL 耗尽，路由器不再转发"),
            Map.entry("fragmentation needed and DF set", "需要分片但设置了 DF"),
            Map.entry("fragment reassembly time exceeded", "分片重组超时"),
            Map.entry("port unreachable", "端口不可达"),
            Map.entry("host unreachable", "主机不可达"),
            Map.entry("net unreachable", "网络不可达"),
            Map.entry("no route (forwarding)", "没有路由（转发时）"),
            Map.entry("no route to host", "没有到主机的路由"),
            Map.entry("next-hop MTU", "下一跳 MTU"),
            Map.entry("DF set", "DF 置位"),
            Map.entry("exceed MTU", "超过 MTU"),
            Map.entry("forward policy", "forward 链的默认策略"),
            Map.entry("input policy", "input 链的默认策略"),
            Map.entry("output policy", "output 链的默认策略"),
            Map.entry("rejected", "拒绝并回应"),
            Map.entry("closed", "未打开"),
            Map.entry("sending ", "发送 "),
            Map.entry(" bytes", " 字节"),
            Map.entry(" about ", "，涉及 "),
            Map.entry(" from ", "，来自 "),
            Map.entry(" to ", " 给 "),
            Map.entry("line ", "第 "),
            Map.entry("port ", "端口 "));

    static String zh(String en) {
        String s = en;
        for (var e : PHRASES) s = s.replace(e.getKey(), e.getValue());
        return s.replaceAll("第 (\\d+):", "第 $1 行：");
    }

    static String layerZh(String layer) {
        return switch (layer) {
            case "ipv4" -> "IPv4";
            case "icmp" -> "ICMP";
            case "udp" -> "UDP";
            case "tcp" -> "TCP";
            case "netfilter" -> "防火墙";
            default -> layer;
        };
    }
}
