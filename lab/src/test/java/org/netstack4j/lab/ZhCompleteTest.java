package org.netstack4j.lab;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.netstack4j.lab.scenario.LabRunner;
import org.netstack4j.lab.scenario.NetStories;
import org.netstack4j.lab.scenario.NetStory;
import org.netstack4j.lab.scenario.Scenario;
import org.netstack4j.lab.scenario.ScenarioOptions;
import org.netstack4j.lab.scenario.Scenarios;
import org.netstack4j.lab.scenario.Topology;
import org.netstack4j.tcp.TcpState;

/**
 * {@code --lang zh} is complete: every story, in every format (text, JSON, SVG, the Chinese half
 * of the HTML page), shows no English word. A run of ASCII letters passes only if it is a
 * protocol token or field name (an allow-list below: TCP, SYN, ttl, MSS, ...), a TCP state's
 * name, a lane or host name, the story's own name, or inside a quoted payload ("hello, udp!"
 * is the data the hosts sent, the same bytes in either language). Addresses, numbers and hex
 * are removed before the check. What is not checked: the HTML page's decoded packet, which is
 * the {@code decode} command's dissection (field names, one language), and its hex.
 */
class ZhCompleteTest {
    /** Protocol tokens, field names and units the Chinese text keeps as they are. */
    static final Set<String> TOKENS = Set.of(
            // protocols and layers
            "TCP", "UDP", "IP", "IPv4", "IPv6", "ICMP", "ICMPv6", "ARP", "NDP", "NAT", "DNS", "HTTP", "FTP", "SMTP", "MAC",
            "Ethernet", "EtherType", "RFC", "ISN", "MSS", "MSL", "2MSL", "RTO", "RTT", "SRTT", "TTL", "MTU", "DF", "MF", "ECN",
            "SACK", "PMTU", "NIC", "LAN", "ping", "traceroute", "echo", "conntrack", "netfilter", "forward", "input", "output",
            // TCP flags and header fields as tcpdump and the notes write them
            "SYN", "ACK", "FIN", "RST", "PSH", "URG", "ECE", "CWR", "seq", "ack", "len", "win", "mss", "wscale", "sackOK",
            "TS", "val", "ecr", "nop", "eol", "sack", "ttl", "id", "proto", "x", "y", "u", "v", "w", "p", "PAWS",
            // DNS header flags and record classes/types as dig prints them
            "qr", "aa", "tc", "rd", "ra", "TC", "IN", "EDNS",
            // application protocols' commands and replies (what the stories' clients send)
            "USER", "PASS", "PORT", "PASV", "EPSV", "EPRT", "RETR", "STOR", "LIST", "TYPE", "QUIT", "HELO", "EHLO", "MAIL",
            "FROM", "RCPT", "TO", "DATA", "GET", "Host", "PIPELINING", "ESMTP", "A", "PTR", "AAAA", "CNAME", "NXDOMAIN", "NOERROR",
            // conntrack states (Linux spells them so)
            "NEW", "ESTABLISHED", "RELATED", "INVALID", "SYN_SENT", "SYN_SENT2", "SYN_RECV", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",
            // units and the project
            "ms", "netstack4j", "decode");

    private static final Pattern WORD = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final Pattern REMOVE = Pattern.compile(String.join("|",
            "\"(?:[^\"\\\\]|\\\\.)*\"", // a quoted payload (the data itself)
            "--[a-z][a-z0-9-]*", // a command-line option (--no-time-wait)
            "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+", // a mail address
            "\\b[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+\\.?", // a domain or file name (www.example.org, notes.txt)
            "\\b(?:eth|tun|lo)\\d*\\b", // an interface
            "0x[0-9a-fA-F]+",
            "\\b[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}\\b", // MAC
            "\\b[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}", // IPv6
            "\\b\\d+(?:\\.\\d+){3}\\b"));

    record Output(String story, String format, String text, Set<String> names) {
        @Override public String toString() { return story + " " + format; }
    }

    static Stream<Arguments> outputs() {
        List<Arguments> out = new ArrayList<>();
        for (Scenario s : Scenarios.all()) {
            List<ScenarioOptions> variants = new ArrayList<>(List.of(ScenarioOptions.defaults()));
            if (s.extraFlags().contains("--no-time-wait")) variants.add(ScenarioOptions.defaults().withNoTimeWait(true));
            if (s.extraFlags().contains("--two-way")) variants.add(ScenarioOptions.defaults().withTwoWay(true));
            if (s.name().equals("handshake")) variants.add(ScenarioOptions.defaults().withIpv6(true));
            for (int v = 0; v < variants.size(); v++) {
                LabRun run = LabRunner.run(s, variants.get(v));
                Set<String> names = names(s.name(), run.hosts());
                String id = s.name() + (v == 0 ? "" : " variant " + v);
                out.add(Arguments.of(new Output(id, "text", TextLadder.render(run, TextLadder.Options.defaults().withLang(Lang.ZH)), names)));
                out.add(Arguments.of(new Output(id, "json", jsonText(JsonRun.render(run, Lang.ZH)), names)));
                out.add(Arguments.of(new Output(id, "svg", svgText(SvgLadder.render(run, Lang.ZH)), names)));
                out.add(Arguments.of(new Output(id, "html", htmlZh(LadderHtml.render(run, s.summary(), s.summaryZh(), false)), names)));
            }
        }
        List<NetStory.Result> lanes = new ArrayList<>();
        List<String[]> about = new ArrayList<>();
        for (NetStory s : NetStories.all()) {
            lanes.add(s.run(1, null));
            about.add(new String[] {s.name(), s.summary(), s.summaryZh()});
        }
        // the topologies the tests load (lab run TOPOLOGY): their notes come from the same devices and stacks
        for (String topo : List.of("gateway", "two-switches")) {
            try {
                lanes.add(Topology.read(java.nio.file.Path.of("src", "test", "resources", "topology", topo + ".topo")).run(topo, 1, null));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            about.add(new String[] {topo, "topology " + topo, "拓扑 " + topo});
        }
        for (int i = 0; i < lanes.size(); i++) {
            LaneRun run = lanes.get(i).run();
            String[] s = about.get(i);
            Set<String> names = names(s[0], run.lanes().stream().map(LaneRun.Lane::name).toList());
            out.add(Arguments.of(new Output(s[0], "text", LaneLadder.render(run, Lang.ZH, false, 100), names)));
            out.add(Arguments.of(new Output(s[0], "json", jsonText(LaneJson.render(run, Lang.ZH)), names)));
            out.add(Arguments.of(new Output(s[0], "svg", svgText(LaneSvg.render(run, Lang.ZH)), names)));
            out.add(Arguments.of(new Output(s[0], "html", htmlZh(LaneHtml.render(run, s[1], s[2])), names)));
        }
        return out.stream();
    }

    /** The story's name and its parts (the title shows it), the hosts' and devices' names. */
    private static Set<String> names(String story, List<String> lanes) {
        Set<String> names = new LinkedHashSet<>(List.of(story.split("-")));
        for (String l : lanes) {
            Matcher m = WORD.matcher(l);
            while (m.find()) names.add(m.group());
        }
        return names;
    }

    /** The human-readable values of a JSON rendering: every string value except the keys and the event's type. */
    static String jsonText(String json) {
        StringBuilder sb = new StringBuilder();
        collect(MiniJson.parse(json), null, sb);
        return sb.toString();
    }

    private static void collect(Object v, String key, StringBuilder sb) {
        switch (v) {
            case null -> { }
            case Map<?, ?> m -> m.forEach((k, x) -> collect(x, (String) k, sb));
            case List<?> l -> l.forEach(x -> collect(x, key, sb));
            // type, kind, via, action and the flags are the schema's enumerations, switched on by programs
            case String s when !Set.of("type", "kind", "via", "action", "flags", "from", "to", "name", "host", "lane", "hosts", "scenario", "key").contains(key) -> sb.append(s).append('\n');
            case String s when ("from".equals(key) || "to".equals(key)) && s.matches("[A-Z_0-9]+") -> sb.append(s).append('\n');
            default -> { }
        }
    }

    /** An SVG's text nodes (text and title elements), entities decoded. */
    static String svgText(String svg) {
        StringBuilder sb = new StringBuilder();
        Matcher m = Pattern.compile(">([^<]+)<").matcher(svg.replaceAll("(?s)<style[^>]*>.*?</style>", ""));
        while (m.find()) {
            String t = m.group(1).strip();
            if (!t.isEmpty()) sb.append(unescape(t)).append('\n');
        }
        return sb.toString();
    }

    private static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&apos;", "'").replace("&amp;", "&");
    }

    /** The Chinese half of an HTML page: its Chinese SVG, the Chinese strings of its data and of its controls. */
    @SuppressWarnings("unchecked")
    static String htmlZh(String html) {
        StringBuilder sb = new StringBuilder();
        int a = html.indexOf("<div id=\"svg-zh\" hidden>"), b = html.indexOf("</div></div>", a);
        sb.append(svgText(html.substring(a, b)));
        int d = html.indexOf("<script type=\"application/json\" id=\"data\">"), e = html.indexOf("</script>", d);
        String json = html.substring(html.indexOf('>', d) + 1, e).replace("<\\/", "</");
        Map<String, Object> data = (Map<String, Object>) MiniJson.parse(json);
        sb.append(((Map<String, Object>) data.get("summary")).get("zh")).append('\n');
        sb.append(((Map<String, Object>) data.get("state")).get("zh")).append('\n');
        for (Object l : (List<Object>) data.get("lanes")) sb.append(((Map<String, Object>) l).get("zh")).append('\n');
        for (Object o : (List<Object>) data.get("events")) {
            Map<String, Object> ev = (Map<String, Object>) o;
            sb.append(ev.get("zh")).append('\n');
            for (Object st : (List<Object>) ((Map<String, Object>) ev.get("st")).get("zh")) sb.append(st).append('\n');
        }
        Matcher ui = Pattern.compile("zh: \\{([^}]*)}").matcher(html);
        assertTrue(ui.find(), "the page's Chinese controls");
        Matcher v = Pattern.compile("(\\w+): \"((?:[^\"\\\\]|\\\\.)*)\"").matcher(ui.group(1));
        // the language button names the other language in its own words ("English")
        while (v.find()) if (!v.group(1).equals("lang")) sb.append(v.group(2)).append('\n');
        return sb.toString();
    }

    /** The English words left in text: each run of letters that is no token, state or name. */
    static List<String> english(String text, Set<String> names) {
        Set<String> allowed = new LinkedHashSet<>(TOKENS);
        allowed.addAll(names);
        for (TcpState s : TcpState.values()) {
            allowed.add(s.name());
            allowed.addAll(List.of(s.rfcName().split("-")));
        }
        // a quotation may wrap over lines of a ladder: it goes first, leaving its line breaks; one
        // cut short in a drawing ends at the ellipsis
        StringBuilder unquoted = new StringBuilder();
        Matcher q = Pattern.compile("“[^”…]*[”…]").matcher(text);
        while (q.find()) q.appendReplacement(unquoted, q.group().replaceAll("[^\n]", ""));
        q.appendTail(unquoted);
        List<String> out = new ArrayList<>();
        for (String line : unquoted.toString().split("\n")) {
            String cleaned = REMOVE.matcher(line).replaceAll(" ");
            Matcher m = WORD.matcher(cleaned);
            while (m.find()) {
                String w = m.group();
                if (!allowed.contains(w) && !allowed.contains(w.replaceAll("\\d+$", ""))) out.add(w + "  in: " + line.strip());
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputs")
    void noEnglishInChinese(Output o) {
        List<String> found = english(o.text(), o.names());
        assertTrue(found.isEmpty(), o.story() + " (" + o.format() + ", zh) has English:\n" + String.join("\n", found.stream().distinct().limit(40).toList()));
    }

    /** The check itself: it catches an English word among tokens, and lets tokens, names and payloads pass. */
    @org.junit.jupiter.api.Test
    void theCheckCatchesEnglish() {
        Set<String> names = Set.of("A", "B", "sw0");
        assertTrue(english("A → sw0：TCP SYN seq=0 len 0 ttl 64（目的 02:00:00:00:10:01）", names).isEmpty());
        assertTrue(english("UDP 交付：\"request part 1/3\" 10.0.0.1 fd00::1 0x658e", names).isEmpty());
        assertTrue(english("ESTABLISHED → TIME-WAIT（收到 FIN）", names).isEmpty());
        assertTrue(!english("丢弃（UDP）：port 9 closed", names).isEmpty());
        assertTrue(english("丢弃（UDP）：port 9 closed", names).stream().anyMatch(w -> w.startsWith("closed ")));
    }
}
