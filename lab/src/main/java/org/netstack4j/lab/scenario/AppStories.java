package org.netstack4j.lab.scenario;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.netstack4j.host.Host;
import org.netstack4j.lab.LaneRun;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.time.Time;

/**
 * The application stories: DNS, FTP's two modes, SMTP and HTTP. The protocol code is the apps
 * module's (its sans-IO sessions), driven from the lab's virtual time over the stacks'
 * non-blocking TCP and UDP; what the stories add is the plumbing and the notes.
 */
final class AppStories {
    private AppStories() {}

    static List<NetStory> all() {
        return List.of(new DnsStory(), new FtpStory(), new SmtpStory(), new HttpStory());
    }

    /**
     * A TCP connection an application drives: bytes written wait until the stack takes them,
     * bytes read go to {@link #onData}; the peer's FIN calls {@link #onEnd} (by default: close too).
     */
    static final class Pipe implements TcpEventListener {
        final Lan lan;
        TcpConnection conn;
        private boolean open, closeWhenSent, closed;
        private byte[] pending = new byte[0];
        Consumer<byte[]> onData = b -> {};
        Runnable onOpen = () -> {};
        Runnable onEnd = this::closeAfterSending;

        Pipe(Lan lan) { this.lan = lan; }

        void write(byte[] b) {
            byte[] all = Arrays.copyOf(pending, pending.length + b.length);
            System.arraycopy(b, 0, all, pending.length, b.length);
            pending = all;
            flush();
        }

        void write(String s) { write(s.getBytes(ISO_8859_1)); }

        void closeAfterSending() {
            closeWhenSent = true;
            flush();
        }

        private void flush() {
            if (!open) return;
            while (pending.length > 0) {
                int n = conn.send(lan.sim.now(), pending, 0, pending.length);
                if (n <= 0) return;
                pending = Arrays.copyOfRange(pending, n, pending.length);
            }
            if (closeWhenSent && !closed) {
                closed = true;
                conn.close(lan.sim.now());
            }
        }

        /** Takes over a connection a listener accepted (already established). */
        Pipe accepted(TcpConnection c) {
            c.setListener(this);
            onEstablished(c);
            return this;
        }

        @Override public void onEstablished(TcpConnection c) {
            conn = c;
            open = true;
            // Command and reply protocols: a short write must not wait behind an unacknowledged one
            // for the peer's delayed ACK (Nagle, RFC 896), as interactive servers set TCP_NODELAY.
            c.setNoDelay(true);
            onOpen.run();
            flush();
        }

        @Override public void onReadable(TcpConnection c) {
            byte[] buf = new byte[65536];
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            int n;
            while ((n = c.receive(lan.sim.now(), buf, 0, buf.length)) > 0) got.write(buf, 0, n);
            if (got.size() > 0) onData.accept(got.toByteArray());
        }

        @Override public void onWritable(TcpConnection c) { flush(); }

        @Override public void onRemoteClosed(TcpConnection c) {
            onReadable(c);
            onEnd.run();
        }
    }

    /** A host on lane name cabled straight to c (the two-host application stories). */
    static Host peer(Lan lan, Host c, String name, String addr) {
        Host h = IpStories.host(lan, name, addr, null);
        lan.cross(c, h);
        return h;
    }

    /** A DNS message over TCP (RFC 1035 4.2.2: a 2-byte length first) once all of it is in got; else null. */
    static byte[] framed(ByteArrayOutputStream got) {
        byte[] all = got.toByteArray();
        if (all.length < 2 || all.length < 2 + (((all[0] & 0xff) << 8) | (all[1] & 0xff))) return null;
        got.reset();
        return Arrays.copyOfRange(all, 2, all.length);
    }

    /** The lines of a protocol text, without their CR LF. */
    static List<String> lines(byte[] b) {
        List<String> out = new ArrayList<>();
        for (String l : new String(b, ISO_8859_1).split("\r\n")) if (!l.isEmpty()) out.add(l);
        return out;
    }

    /** Who sent the SYN (without ACK) of each TCP connection after time {@code from}: "lane src > dst". */
    static List<String> synSenders(Lan lan, long from) {
        List<String> out = new ArrayList<>();
        for (LaneRun.Event e : lan.events)
            if (e instanceof LaneRun.Frame f && f.via() == null && f.timeNs() >= from && f.label().matches("TCP \\S+ > \\S+ SYN len.*"))
                out.add(f.from() + " " + f.label().replaceFirst("TCP (\\S+ > \\S+) .*", "$1"));
        return out;
    }

    /** Frames lane received whose label starts with prefix: the TCP flags of each, joined. */
    static String tcpFlagsSeen(Lan lan, String lane) {
        List<String> out = new ArrayList<>();
        for (String l : lan.accepted.getOrDefault(lane, List.of()))
            if (l.startsWith("TCP ")) out.add(l.replaceFirst("TCP \\S+ > \\S+ (\\S+) len (\\d+).*", "$1 $2"));
        return String.join("; ", out);
    }

    // ------------------------------------------------------------------------------------------
    // SMTP

    static final String MAIL = """
            From: alice@a.example\r
            To: bob@b.example\r
            Subject: lunch\r
            \r
            Bob, noon at the usual place?\r
            .this line starts with a dot, so the client doubles it\r
            Alice\r
            """;

    /** What a reply code means, for the notes (RFC 5321 4.2). */
    static String[] smtpReply(String line, boolean first, boolean multiline) {
        String code = line.length() >= 3 ? line.substring(0, 3) : line;
        if (multiline && !first) return new String[] {"an extension it offers", "支持的扩展"};
        return switch (code) {
            case "220" -> new String[] {"greeting: the service is ready", "问候：服务已就绪"};
            case "250" -> multiline ? new String[] {"EHLO answered; the lines that follow name the extensions it offers",
                    "EHLO 的应答；后面各行是支持的扩展"} : new String[] {"OK", "成功"};
            case "354" -> new String[] {"send the message, end it with a line holding only '.'", "请发送邮件内容，以只含 '.' 的一行结束"};
            case "221" -> new String[] {"goodbye: the server closes the connection", "再见：服务器关闭连接"};
            default -> new String[] {"reply " + code, "应答 " + code};
        };
    }

    /** What a command asks, for the notes. */
    static String[] smtpCommand(String line) {
        String verb = line.split("[ :]")[0];
        return switch (verb) {
            case "EHLO" -> new String[] {"hello, and which extensions do you have?", "问候，并询问服务器支持哪些扩展"};
            case "MAIL" -> new String[] {"the envelope's sender, where bounces go", "信封上的发件人，退信寄回此地址"};
            case "RCPT" -> new String[] {"the envelope's recipient", "信封上的收件人"};
            case "DATA" -> new String[] {"the message follows", "接下来发送邮件内容"};
            case "QUIT" -> new String[] {"end the session", "结束会话"};
            case "." -> new String[] {"the end of the message: a line with only a dot", "邮件结束：只含一个点的一行"};
            default -> line.startsWith("<") ? new String[] {"the message: headers, an empty line, the body, lines starting with '.' doubled",
                    "邮件内容：首部、空行、正文，以 '.' 开头的行前面再加一个 '.'"} : new String[] {"command", "命令"};
        };
    }

    /** One message from C to the mail server MX over one TCP connection: the dialogue line by line. */
    static final class SmtpStory extends NetStory {
        @Override public String name() { return "smtp"; }
        @Override public String summary() { return "one mail delivered over one TCP connection: the server's 220 greeting, EHLO and the extensions offered, MAIL, RCPT and DATA (pipelined), the dot-terminated body, QUIT; each command and reply with its meaning"; }
        @Override public String summaryZh() { return "一封邮件经一条 TCP 连接投递：服务器的 220 问候，EHLO 与服务器列出的扩展，MAIL、RCPT、DATA（流水线一次发出），以单独一个点结束的邮件内容，QUIT；每条命令和应答都注明含义"; }
        @Override protected void play(Lan lan, Map<String, String> facts) {
            Host c = IpStories.host(lan, "C", "10.0.0.1/24", null), mx = peer(lan, c, "MX", "10.0.0.25/24");
            byte[] mail = MAIL.getBytes(ISO_8859_1);
            List<String> codes = new ArrayList<>(), commands = new ArrayList<>();
            lan.at(0, () -> {
                lan.note("MX", "an SMTP server (apps' SmtpServerSession) listens on port 25", "SMTP 服务器（本项目自带的实现）在 25 端口监听");
                mx.listen(lan.sim.now(), 25, 4, l -> {
                    TcpConnection k;
                    while ((k = l.accept()) != null) {
                        var session = new org.netstack4j.apps.smtp.SmtpServerSession("mx.b.example", (from, rcpts, body) -> {
                            facts.put("stored", "from " + from + " to " + String.join(",", rcpts) + ", " + body.length + " bytes");
                            facts.put("stored body equals the message", Boolean.toString(Arrays.equals(body, mail)));
                            lan.note("MX", "stored the message: " + body.length + " bytes for " + String.join(", ", rcpts) + ", the doubled dot undone",
                                    "邮件已保存：给 " + String.join("、", rcpts) + " 的 " + body.length + " 字节，加倍的点已还原");
                            return null;
                        }, org.netstack4j.apps.smtp.SmtpServerSession.Limits.DEFAULT);
                        Pipe p = new Pipe(lan);
                        Consumer<byte[]> reply = out -> {
                            boolean first = true;
                            for (String line : lines(out)) {
                                boolean last = line.length() < 4 || line.charAt(3) != '-';
                                String[] m = smtpReply(line, first, !(first && last));
                                first = last;
                                if (last) codes.add(line.substring(0, 3));
                                lan.note("MX", "S: " + line + "  (" + m[0] + ")", "服务器：“" + line + "”（" + m[1] + "）");
                            }
                            p.write(out);
                        };
                        p.onData = b -> {
                            session.receive(b, 0, b.length);
                            reply.accept(session.takeOutput());
                            if (session.closed()) p.closeAfterSending();
                        };
                        p.accepted(k);
                        reply.accept(session.takeOutput());
                    }
                });
                var client = new org.netstack4j.apps.smtp.SmtpClientSession("c.a.example", "alice@a.example", List.of("bob@b.example"), mail);
                Pipe p = new Pipe(lan);
                int[] shown = {0};
                p.onData = b -> {
                    client.receive(b, 0, b.length);
                    List<String> t = client.transcript();
                    List<String> sent = new ArrayList<>();
                    for (; shown[0] < t.size(); shown[0]++) if (t.get(shown[0]).startsWith("C: ")) sent.add(t.get(shown[0]).substring(3));
                    if (sent.size() > 1 && sent.get(0).startsWith("MAIL"))
                        lan.note("C", "the server offers PIPELINING (RFC 2920): MAIL, RCPT and DATA leave together, in one segment",
                                "服务器支持 PIPELINING（RFC 2920）：MAIL、RCPT、DATA 一起发出，装在同一个报文段里");
                    for (String line : sent) {
                        String[] m = smtpCommand(line);
                        commands.add(line.startsWith("<") ? "<body>" : line.split("[ :]")[0]);
                        String zh = line.startsWith("<") ? line.replaceFirst("<(\\d+) bytes of message>", "<$1 字节的邮件内容>") : line;
                        lan.note("C", "C: " + line + "  (" + m[0] + ")", "客户端：“" + zh + "”（" + m[1] + "）");
                    }
                    p.write(client.takeOutput());
                    if (client.done()) {
                        facts.put("client result", client.result());
                        p.closeAfterSending();
                    }
                };
                lan.note("C", "connect to MX port 25; the client waits for the server to speak first",
                        "连接 MX 的 25 端口；客户端等服务器先开口");
                p.conn = c.connect(lan.sim.now(), IpStories.ip("10.0.0.25"), 25, p);
            });
            lan.runUntil(Time.ms(20));
            facts.put("commands", String.join(" ", commands));
            facts.put("reply codes", String.join(" ", codes));
            facts.put("connections", Integer.toString(synSenders(lan, 0).size()));
            String dotted = new String(wireBytes(lan, "C"), ISO_8859_1);
            facts.put("dot doubled on the wire", Boolean.toString(dotted.contains("\r\n..this line starts with a dot")));
            facts.put("body ends with", dotted.contains("Alice\r\n.\r\n") ? "CRLF . CRLF" : "?");
        }
    }

    // ------------------------------------------------------------------------------------------
    // DNS

    /** The zone NS serves: www with one address, big with so many that the answer outgrows UDP. */
    static String zone() {
        StringBuilder z = new StringBuilder("""
                $ORIGIN example.org.
                $TTL 300
                @    IN SOA ns1 hostmaster ( 1 7200 900 1209600 300 )
                     IN NS ns1
                ns1  IN A 10.0.0.53
                www  IN A 10.0.0.80
                """);
        for (int i = 1; i <= BIG; i++) z.append("big  IN A 10.0.1.").append(i).append('\n');
        return z.toString();
    }

    static final int BIG = 80;

    static java.net.InetAddress inet(String literal) {
        try {
            return java.net.InetAddress.getByName(literal); // a literal: no lookup happens
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** A DNS message's fields in one line: id, flags, the question, EDNS size, the answers (first few). */
    static String[] describe(org.netstack4j.apps.dns.DnsMessage m, int bytes) {
        List<String> flags = new ArrayList<>();
        if (m.isResponse()) flags.add("qr");
        if (m.authoritative()) flags.add("aa");
        if (m.truncated()) flags.add("tc");
        if (m.recursionDesired()) flags.add("rd");
        String q = m.questions().isEmpty() ? "-" : m.questions().getFirst().toString();
        String head = String.format("id 0x%04x, flags %s, question %s", m.id(), String.join(" ", flags), q)
                + (m.ednsUdpSize() > 0 ? ", EDNS size " + m.ednsUdpSize() : "");
        String headZh = String.format("标识 0x%04x，标志 %s，问题 %s", m.id(), String.join(" ", flags), q)
                + (m.ednsUdpSize() > 0 ? "，EDNS 大小 " + m.ednsUdpSize() : "");
        if (!m.isResponse()) return new String[] {"query (" + bytes + " bytes): " + head, "查询（" + bytes + " 字节）：" + headZh};
        List<String> an = new ArrayList<>();
        for (var r : m.answers()) an.add(r.data().toString());
        String rcode = org.netstack4j.apps.dns.DnsType.rcodeName(m.rcode());
        String answers = an.isEmpty() ? "no answer records" : an.size() <= 3 ? "answer " + String.join(", ", an)
                : an.size() + " answer records (" + an.getFirst() + " ... " + an.getLast() + ")";
        String ttl = m.answers().isEmpty() ? "" : ", TTL " + m.answers().getFirst().ttl() + " s";
        String answersZh = an.isEmpty() ? "没有应答记录" : an.size() <= 3 ? "应答 " + String.join("，", an)
                : an.size() + " 条应答记录（" + an.getFirst() + " … " + an.getLast() + "）";
        return new String[] {"answer (" + bytes + " bytes): " + head + ", status " + rcode + ", " + answers + ttl,
                "应答（" + bytes + " 字节）：" + headZh + "，状态 " + rcode + "，" + answersZh + ttl.replace(", TTL", "，TTL").replace(" s", " 秒")};
    }

    static org.netstack4j.apps.dns.DnsMessage parse(byte[] b, int off, int len) {
        return org.netstack4j.apps.dns.DnsCodec.parse(b, off, len).value();
    }

    /**
     * A stub resolver (apps' Resolver) on C asks the authoritative server (apps' Authority) on NS:
     * an A query over UDP; a name whose answer does not fit UDP, answered with TC set, asked
     * again over TCP (RFC 7766); the first name again, from the cache.
     */
    static final class DnsStory extends NetStory {
        @Override public String name() { return "dns"; }
        @Override public String summary() { return "a stub resolver asks an authoritative server: www.example.org A over UDP (one datagram each way, the fields shown); big.example.org, whose 80 addresses do not fit the UDP answer, comes back truncated (TC) and is asked again over TCP, handshake first; www again, from the cache, sends nothing"; }
        @Override public String summaryZh() { return "存根解析器向权威服务器查询：www.example.org 的 A 记录走 UDP（一来一回各一个数据报，显示各字段）；big.example.org 有 80 个地址，UDP 应答装不下，被截断（TC 置位），解析器改用 TCP 重新查询，先三次握手；再查 www.example.org，直接从缓存得到，不发任何报文"; }
        @Override protected void play(Lan lan, Map<String, String> facts) {
            Host c = IpStories.host(lan, "C", "10.0.0.1/24", null), ns = peer(lan, c, "NS", "10.0.0.53/24");
            org.netstack4j.apps.dns.Authority authority;
            try {
                authority = new org.netstack4j.apps.dns.Authority(List.of(org.netstack4j.apps.dns.Zone.parse(zone(), null)));
            } catch (org.netstack4j.apps.dns.Zone.ZoneException e) {
                throw new IllegalStateException(e);
            }
            server(lan, ns, authority);
            var resolver = new org.netstack4j.apps.dns.Resolver(new org.netstack4j.apps.dns.Resolver.Config(
                    List.of(inet("10.0.0.53")), 53, Time.s(2), 2, 64, 86_400), 1);
            Runnable[] drain = new Runnable[1];
            drain[0] = () -> transmit(lan, c, resolver, drain[0], facts);
            lan.sim.add(new org.netstack4j.time.Pollable() {
                @Override public long pollAt() { return resolver.pollAt(); }
                @Override public void poll(long now) {
                    resolver.poll(now);
                    drain[0].run();
                }
            });
            lan.at(0, () -> {
                lan.note("C", "part 1: look up www.example.org A (apps' Resolver, server 10.0.0.53, UDP port 53)",
                        "第一部分：查询 www.example.org 的 A 记录（本项目的存根解析器，服务器 10.0.0.53，UDP 53 端口）");
                lookup(lan, resolver, "www.example.org", facts, "www");
                drain[0].run();
            });
            lan.at(Time.ms(10), () -> {
                lan.note("C", "part 2: look up big.example.org A: " + BIG + " addresses", "第二部分：查询 big.example.org 的 A 记录：共 " + BIG + " 个地址");
                lookup(lan, resolver, "big.example.org", facts, "big");
                drain[0].run();
            });
            lan.at(Time.ms(30), () -> {
                lan.note("C", "part 3: www.example.org A again", "第三部分：再次查询 www.example.org 的 A 记录");
                lookup(lan, resolver, "www.example.org", facts, "www again");
                drain[0].run();
            });
            lan.runUntil(Time.ms(40));
            facts.put("TCP fallbacks", Long.toString(resolver.stats().tcpFallbacks()));
            facts.put("truncated UDP answers", Long.toString(authority.stats().truncated()));
            facts.put("SYNs", String.join("; ", synSenders(lan, 0)));
        }

        static void lookup(Lan lan, org.netstack4j.apps.dns.Resolver resolver, String name, Map<String, String> facts, String key) {
            resolver.lookup(lan.sim.now(), org.netstack4j.apps.dns.DnsName.parse(name), org.netstack4j.apps.dns.DnsType.A, r -> {
                String en, zh;
                switch (r) {
                    case org.netstack4j.apps.dns.Resolver.Result.Answer a -> {
                        List<String> addrs = a.records().stream().map(x -> x.data().toString()).toList();
                        String list = addrs.size() <= 3 ? String.join(", ", addrs) : addrs.size() + " addresses, " + addrs.getFirst() + " ... " + addrs.getLast();
                        facts.put(key, list + (a.fromCache() ? " (from the cache)" : ""));
                        en = name + " is " + list + (a.fromCache() ? ": from the cache, TTL left " + a.records().getFirst().ttl() + " s, no packet sent" : "");
                        zh = name + " 的地址：" + list.replace(" addresses, ", " 个地址，") + (a.fromCache()
                                ? "：来自缓存，TTL 还剩 " + a.records().getFirst().ttl() + " 秒，没有发送报文" : "");
                    }
                    case org.netstack4j.apps.dns.Resolver.Result.NxDomain nx -> { en = name + ": no such name"; zh = name + "：域名不存在"; facts.put(key, "NXDOMAIN"); }
                    case org.netstack4j.apps.dns.Resolver.Result.NoData nd -> { en = name + ": no A record"; zh = name + "：没有 A 记录"; facts.put(key, "NODATA"); }
                    case org.netstack4j.apps.dns.Resolver.Result.Failure f -> { en = name + ": " + f.reason(); zh = name + "：失败，" + f.reason(); facts.put(key, f.reason()); }
                }
                lan.note("C", "resolver: " + en, "解析器：" + zh);
            });
        }

        /** Sends what the resolver hands out: a datagram from a fresh port, or a query over a new TCP connection. */
        static void transmit(Lan lan, Host c, org.netstack4j.apps.dns.Resolver resolver, Runnable drain, Map<String, String> facts) {
            Object t;
            while ((t = resolver.pollTransmit()) != null) {
                switch (t) {
                    case org.netstack4j.apps.dns.Resolver.Datagram d -> {
                        org.netstack4j.ip.UdpSocket s = c.ip().udpBind(IpStories.ip("10.0.0.1"), d.localPort());
                        s.setReceiveListener(() -> {
                            org.netstack4j.ip.UdpDatagram in;
                            while ((in = s.receive()) != null) {
                                String[] n = describe(parse(in.data(), 0, in.data().length), in.data().length);
                                lan.note("C", n[0], n[1]);
                                resolver.onDatagram(lan.sim.now(), d.localPort(), inet(in.src().toString()), in.srcPort(), in.data(), 0, in.data().length);
                            }
                            s.close();
                            drain.run();
                        });
                        String[] n = describe(parse(d.payload(), 0, d.payload().length), d.payload().length);
                        facts.putIfAbsent("first query", n[0]);
                        lan.note("C", "UDP from port " + d.localPort() + " (random, RFC 5452) to 53: " + n[0],
                                "UDP 从 " + d.localPort() + " 端口（随机选取，RFC 5452）发往 53：" + n[1]);
                        s.sendTo(lan.sim.now(), IpStories.ip(d.server().getHostAddress()), d.serverPort(), d.payload(), 0, d.payload().length);
                    }
                    case org.netstack4j.apps.dns.Resolver.TcpExchange x -> {
                        lan.note("C", "the answer was truncated (TC): ask again over TCP, the query with a 2-byte length in front (RFC 7766)",
                                "应答被截断（TC）：改用 TCP 重新查询，查询报文前加 2 字节长度（RFC 7766）");
                        Pipe p = new Pipe(lan);
                        ByteArrayOutputStream got = new ByteArrayOutputStream();
                        p.onOpen = () -> p.write(x.payload());
                        p.onData = b -> {
                            got.writeBytes(b);
                            byte[] reply = framed(got);
                            if (reply == null) return;
                            String[] n = describe(parse(reply, 0, reply.length), reply.length);
                            lan.note("C", "over TCP: " + n[0], "经 TCP：" + n[1]);
                            facts.put("TCP answer", n[0]);
                            p.closeAfterSending();
                            resolver.onTcpResponse(lan.sim.now(), x.exchangeId(), reply);
                            drain.run();
                        };
                        p.conn = c.connect(lan.sim.now(), IpStories.ip(x.server().getHostAddress()), x.serverPort(), p);
                    }
                    default -> throw new IllegalStateException("the resolver handed out " + t);
                }
            }
        }

        /** NS answers on UDP and TCP port 53 with apps' Authority. */
        static void server(Lan lan, Host ns, org.netstack4j.apps.dns.Authority authority) {
            org.netstack4j.ip.UdpSocket udp = ns.ip().udpBind(IpStories.ip("10.0.0.53"), 53);
            udp.setReceiveListener(() -> {
                org.netstack4j.ip.UdpDatagram in;
                while ((in = udp.receive()) != null) {
                    byte[] out = authority.answer(in.data(), 0, in.data().length, true);
                    if (out == null) continue;
                    var m = parse(out, 0, out.length);
                    String[] n = describe(m, out.length);
                    if (m.truncated()) {
                        int full = org.netstack4j.apps.dns.DnsCodec.encode(authority.respond(parse(in.data(), 0, in.data().length))).length;
                        lan.note("NS", "the full answer is " + full + " bytes, more than the " + m.ednsUdpSize()
                                        + " the query's EDNS allows over UDP: the records are left out and TC is set",
                                "完整应答有 " + full + " 字节，超过查询的 EDNS 允许 UDP 携带的 " + m.ednsUdpSize() + " 字节：去掉记录，置 TC 位");
                    }
                    lan.note("NS", n[0], n[1]);
                    udp.sendTo(lan.sim.now(), in.src(), in.srcPort(), out, 0, out.length);
                }
            });
            ns.listen(lan.sim.now(), 53, 4, l -> {
                TcpConnection k;
                while ((k = l.accept()) != null) {
                    Pipe p = new Pipe(lan);
                    ByteArrayOutputStream got = new ByteArrayOutputStream();
                    p.onData = b -> {
                        got.writeBytes(b);
                        byte[] query = framed(got);
                        if (query == null) return;
                        byte[] out = authority.answer(query, 0, query.length, false);
                        if (out == null) return;
                        String[] n = describe(parse(out, 0, out.length), out.length);
                        lan.note("NS", "over TCP, no size limit but 65535: " + n[0], "经 TCP，上限是 65535 字节：" + n[1]);
                        byte[] framed = new byte[out.length + 2];
                        framed[0] = (byte) (out.length >>> 8);
                        framed[1] = (byte) out.length;
                        System.arraycopy(out, 0, framed, 2, out.length);
                        p.write(framed);
                    };
                    p.accepted(k);
                }
            });
        }
    }

    // ------------------------------------------------------------------------------------------
    // FTP

    static final String FILE = "notes.txt";
    static final String FILE_TEXT = """
            Active and passive FTP
            The control connection (port 21) carries commands and replies.
            Each file travels on a data connection of its own.
            Active (PORT): the client listens, the server connects back.
            Passive (PASV): the server listens, the client connects.
            """;

    /** What an FTP command asks, for the notes. */
    static String[] ftpCommand(String line) {
        return switch (line.split(" ")[0]) {
            case "USER" -> new String[] {"log in as", "登录的用户名"};
            case "PASS" -> new String[] {"the password (anonymous: an e-mail address)", "密码（匿名登录时填电子邮件地址）"};
            case "TYPE" -> new String[] {"binary: bytes unchanged", "二进制：字节原样传输"};
            case "PORT" -> new String[] {"active mode: I listen at this address and port, connect to me",
                    "主动模式：我在这个地址和端口监听，请你来连接我"};
            case "PASV" -> new String[] {"passive mode: you listen, tell me where", "被动模式：请你监听，告诉我地址和端口"};
            case "RETR" -> new String[] {"send me this file on the data connection", "在数据连接上把这个文件发给我"};
            case "QUIT" -> new String[] {"end the session", "结束会话"};
            default -> new String[] {"command", "命令"};
        };
    }

    static String[] ftpReply(String line) {
        return switch (line.substring(0, 3)) {
            case "220" -> new String[] {"greeting", "问候"};
            case "331" -> new String[] {"user known, password next", "用户名已收到，请发送密码"};
            case "230" -> new String[] {"logged in", "登录成功"};
            case "200" -> new String[] {"OK", "成功"};
            case "227" -> new String[] {"I listen there: h1,h2,h3,h4 is the address, p1*256+p2 the port", "我在那里监听：前四个数是地址，p1*256+p2 是端口"};
            case "150" -> new String[] {"the transfer starts on the data connection", "数据连接上的传输开始"};
            case "226" -> new String[] {"the transfer is complete, the data connection closed", "传输完成，数据连接已关闭"};
            case "221" -> new String[] {"goodbye", "再见"};
            default -> new String[] {"reply", "应答"};
        };
    }

    /**
     * The same download in active mode (PORT: the server opens the data connection to the client)
     * and in passive mode (PASV: the client opens it to the server), the control connection
     * driven by apps' FtpServerSession on S and a scripted client on C.
     */
    static final class FtpStory extends NetStory {
        @Override public String name() { return "ftp-active-passive"; }
        @Override public String summary() { return "one file downloaded twice over FTP: in active mode (PORT) the server sends the SYN of the data connection, from its port 20 to the port the client named; in passive mode (PASV) the client sends it, to the port the server named; commands and replies stay on the control connection (port 21)"; }
        @Override public String summaryZh() { return "用 FTP 下载同一个文件两次：主动模式（PORT）下由服务器从 20 端口向客户端指定的端口发出数据连接的 SYN；被动模式（PASV）下由客户端向服务器指定的端口发出 SYN；命令和应答始终走控制连接（21 端口）"; }
        @Override protected void play(Lan lan, Map<String, String> facts) {
            Host c = IpStories.host(lan, "C", "10.0.0.1/24", null), srv = peer(lan, c, "S", "10.0.0.21/24");
            java.nio.file.Path root;
            try {
                root = java.nio.file.Files.createTempDirectory("netstack4j-ftp-story");
                java.nio.file.Files.writeString(root.resolve(FILE), FILE_TEXT, java.nio.charset.StandardCharsets.US_ASCII);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            try {
                lan.at(0, () -> {
                    lan.note("S", "an FTP server (apps' FtpServerSession, anonymous, read-only) listens on port 21",
                            "FTP 服务器（本项目自带的实现，匿名、只读）在 21 端口监听");
                    srv.listen(lan.sim.now(), 21, 4, l -> {
                        TcpConnection k;
                        while ((k = l.accept()) != null) new FtpControl(lan, srv, root).accept(k);
                    });
                    lan.note("C", "part 1: active mode. C listens on port 40001 and names it with PORT",
                            "第一部分：主动模式。C 在 40001 端口监听，用 PORT 命令告诉服务器");
                    new FtpClient(lan, c, true, facts, "active").start();
                });
                lan.at(Time.ms(20), () -> {
                    facts.put("active SYNs", String.join("; ", synSenders(lan, 0)));
                    lan.note("C", "part 2: passive mode. C sends PASV, the server listens and names its port",
                            "第二部分：被动模式。C 发送 PASV，服务器监听并告知端口");
                    new FtpClient(lan, c, false, facts, "passive").start();
                });
                lan.runUntil(Time.ms(40));
                facts.put("passive SYNs", String.join("; ", synSenders(lan, Time.ms(20))));
                facts.put("file bytes", Integer.toString(FILE_TEXT.length()));
            } finally {
                try {
                    java.nio.file.Files.deleteIfExists(root.resolve(FILE));
                    java.nio.file.Files.deleteIfExists(root);
                } catch (java.io.IOException e) {
                    // a temporary directory left behind: harmless
                }
            }
        }
    }

    /** The server's side of one control connection: lines to the session, its data requests carried out. */
    static final class FtpControl {
        final Lan lan;
        final Host host;
        final java.nio.file.Path root;
        final Pipe control;
        org.netstack4j.apps.ftp.FtpServerSession session;
        org.netstack4j.apps.ftp.FtpServerSession.DataRequest request;
        Pipe data;
        final StringBuilder partial = new StringBuilder();

        FtpControl(Lan lan, Host host, java.nio.file.Path root) {
            this.lan = lan;
            this.host = host;
            this.root = root;
            this.control = new Pipe(lan);
        }

        void accept(TcpConnection k) {
            try {
                session = new org.netstack4j.apps.ftp.FtpServerSession(root, org.netstack4j.apps.ftp.FtpServerSession.Config.ANONYMOUS,
                        k.remoteAddress().toString());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            control.onData = b -> {
                partial.append(new String(b, ISO_8859_1));
                int nl;
                while ((nl = partial.indexOf("\r\n")) >= 0) {
                    String line = partial.substring(0, nl);
                    partial.delete(0, nl + 2);
                    Object r = session.command(line);
                    if ("PASV".equals(r)) {
                        int port = 50000;
                        lan.note("S", "PASV: listening on port " + port + " for the data connection", "PASV：在 " + port + " 端口监听，等待数据连接");
                        host.listen(lan.sim.now(), port, 1, l -> {
                            TcpConnection d;
                            while ((d = l.accept()) != null) {
                                data = dataPipe();
                                data.accepted(d);
                                transfer();
                            }
                        });
                        session.passiveReady(false, "10.0.0.21", port);
                    } else if (r instanceof org.netstack4j.apps.ftp.FtpServerSession.DataRequest d) {
                        request = d;
                        if (!d.passive()) {
                            lan.note("S", "active mode: S opens the data connection, from port 20 to " + d.activeHost() + ":" + d.activePort(),
                                    "主动模式：由 S 打开数据连接，从 20 端口连到 " + d.activeHost() + ":" + d.activePort());
                            data = dataPipe();
                            data.onOpen = this::transfer;
                            data.conn = host.tcp().connect(lan.sim.now(), IpStories.ip("10.0.0.21"), 20,
                                    IpStories.ip(d.activeHost()), d.activePort(), data);
                        }
                    }
                    reply();
                    if (request != null && request.passive()) transfer();
                }
                if (session.closed()) control.closeAfterSending();
            };
            control.accepted(k);
            reply();
        }

        private Pipe dataPipe() {
            Pipe p = new Pipe(lan);
            p.onEnd = () -> {
                p.closeAfterSending();
                session.dataFinished(null);
                request = null;
                reply();
            };
            return p;
        }

        /** Sends the file once both the request and the data connection are there. */
        private void transfer() {
            if (request == null || data == null || data.conn == null) return;
            try {
                byte[] file = java.nio.file.Files.readAllBytes(request.file());
                data.write(file);
                data.closeAfterSending();
                lan.note("S", "data connection: the file's " + file.length + " bytes, then FIN (the end of the file)",
                        "数据连接：发送文件的 " + file.length + " 字节，然后 FIN（文件结束）");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            request = null; // sent once; the session hears of the end when C closes its side too (onEnd)
        }

        private void reply() {
            byte[] out = session.takeOutput().getBytes(ISO_8859_1);
            for (String line : lines(out)) {
                String[] m = ftpReply(line);
                lan.note("S", "S: " + line + "  (" + m[0] + ")", "服务器：“" + line + "”（" + m[1] + "）");
            }
            control.write(out);
        }
    }

    /** A scripted FTP client: one command per final reply; the data connection by PORT or PASV. */
    static final class FtpClient {
        final Lan lan;
        final Host host;
        final boolean active;
        final Map<String, String> facts;
        final String part;
        final Pipe control;
        final List<String> script;
        final StringBuilder partial = new StringBuilder();
        final ByteArrayOutputStream file = new ByteArrayOutputStream();
        final List<String> codes = new ArrayList<>();
        int next;

        FtpClient(Lan lan, Host host, boolean active, Map<String, String> facts, String part) {
            this.lan = lan;
            this.host = host;
            this.active = active;
            this.facts = facts;
            this.part = part;
            this.control = new Pipe(lan);
            this.script = List.of("USER anonymous", "PASS guest@c.example", "TYPE I",
                    active ? "PORT 10,0,0,1," + (40001 >> 8) + "," + (40001 & 0xff) : "PASV", "RETR " + FILE, "QUIT");
        }

        void start() {
            if (active) {
                host.listen(lan.sim.now(), 40001, 1, l -> {
                    TcpConnection d;
                    while ((d = l.accept()) != null) dataPipe().accepted(d);
                });
            }
            control.onData = b -> {
                partial.append(new String(b, ISO_8859_1));
                int nl;
                while ((nl = partial.indexOf("\r\n")) >= 0) {
                    String line = partial.substring(0, nl);
                    partial.delete(0, nl + 2);
                    if (line.length() < 4 || line.charAt(3) != ' ') continue; // a line inside a multi-line reply
                    codes.add(line.substring(0, 3));
                    if (line.startsWith("1")) continue; // preliminary: the final reply follows
                    if (line.startsWith("227")) {
                        String[] f = line.replaceFirst(".*\\((.*)\\).*", "$1").split(",");
                        int port = Integer.parseInt(f[4]) * 256 + Integer.parseInt(f[5]);
                        String addr = f[0] + "." + f[1] + "." + f[2] + "." + f[3];
                        lan.note("C", "passive mode: C opens the data connection to " + addr + ":" + port,
                                "被动模式：由 C 打开数据连接，连到 " + addr + ":" + port);
                        Pipe p = dataPipe();
                        p.onOpen = this::send;
                        p.conn = host.connect(lan.sim.now(), IpStories.ip(addr), port, p);
                        continue;
                    }
                    send();
                }
            };
            control.conn = host.connect(lan.sim.now(), IpStories.ip("10.0.0.21"), 21, control);
        }

        private Pipe dataPipe() {
            Pipe p = new Pipe(lan);
            p.onData = file::writeBytes;
            p.onEnd = () -> {
                facts.put(part + " bytes", Integer.toString(file.size()));
                lan.note("C", "data connection closed by S: the file is complete, " + file.size() + " bytes",
                        "S 关闭了数据连接：文件接收完整，共 " + file.size() + " 字节");
                p.closeAfterSending();
            };
            return p;
        }

        private void send() {
            if (next >= script.size()) {
                facts.put(part + " replies", String.join(" ", codes));
                control.closeAfterSending();
                return;
            }
            String cmd = script.get(next++);
            String[] m = ftpCommand(cmd);
            lan.note("C", "C: " + cmd + "  (" + m[0] + ")", "客户端：“" + cmd + "”（" + m[1] + "）");
            control.write(cmd + "\r\n");
        }
    }

    // ------------------------------------------------------------------------------------------
    // HTTP

    static final String HTTP_REQUEST = "GET /index.txt HTTP/1.1\r\nHost: 10.0.2.80\r\nUser-Agent: netstack4j-lab\r\nConnection: close\r\n\r\n";
    static final String HTTP_RESPONSE = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhello\n";

    /**
     * One HTTP request from A through a switch, a router and a firewall to S and the answer back:
     * the TCP connection end to end (handshake, request, response, teardown), the hosts' TCP
     * states beside the firewall's conntrack entry, the devices in between only forwarding.
     */
    static final class HttpStory extends NetStory {
        @Override public String name() { return "http"; }
        @Override public String summary() { return "one HTTP request from A to S through a switch, a router and a firewall: the TCP handshake end to end, GET and its headers, the 200 response, the server closing (Connection: close); A's and S's TCP states beside the firewall's conntrack entry; the devices only forward"; }
        @Override public String summaryZh() { return "一个 HTTP 请求从 A 经交换机、路由器、防火墙到达 S 再返回：端到端的 TCP 三次握手，GET 请求及其首部，200 响应，服务器关闭连接（“Connection: close”）；A 与 S 的 TCP 状态和防火墙连接跟踪表并列；中间设备只负责转发"; }
        @Override protected void play(Lan lan, Map<String, String> facts) {
            lan.ipDetail = true;
            lan.tcpStates = true;
            IpStories.ServerPath path = IpStories.ServerPath.build(lan);
            IpStories.watchConntrack(lan, "FW", path.nf(), Time.ms(20));
            StringBuilder atServer = new StringBuilder(), atClient = new StringBuilder();
            lan.at(0, () -> {
                lan.note("S", "a web server listens on port 80", "网页服务器在 80 端口监听");
                path.s().listen(lan.sim.now(), 80, 4, l -> {
                    TcpConnection k;
                    while ((k = l.accept()) != null) {
                        Pipe p = new Pipe(lan);
                        p.onData = b -> {
                            atServer.append(new String(b, ISO_8859_1));
                            if (!atServer.toString().endsWith("\r\n\r\n")) return;
                            List<String> req = lines(atServer.toString().getBytes(ISO_8859_1));
                            lan.note("S", "HTTP request: " + req.getFirst() + " (method, path, version), then "
                                            + (req.size() - 1) + " header lines and an empty line",
                                    "HTTP 请求：" + req.getFirst() + "（方法、路径、版本），随后 " + (req.size() - 1) + " 行首部和一个空行");
                            lan.note("S", "HTTP response: HTTP/1.1 200 OK, Content-Length: 6, body 'hello'; Connection: close, so S closes after it",
                                    "HTTP 响应：“HTTP/1.1 200 OK”，“Content-Length: 6”，正文“hello”；因为有“Connection: close”，S 发完就关闭连接");
                            p.write(HTTP_RESPONSE);
                            p.closeAfterSending();
                        };
                        p.accepted(k);
                    }
                });
                Pipe p = new Pipe(lan);
                p.onOpen = () -> {
                    lan.note("A", "connected; HTTP request: GET /index.txt HTTP/1.1, Host, User-Agent, Connection: close",
                            "连接已建立；HTTP 请求：“GET /index.txt HTTP/1.1”，首部“Host”、“User-Agent”、“Connection: close”");
                    p.write(HTTP_REQUEST);
                };
                p.onData = b -> atClient.append(new String(b, ISO_8859_1));
                p.onEnd = () -> {
                    String r = atClient.toString();
                    String body = r.substring(r.indexOf("\r\n\r\n") + 4);
                    facts.put("A got", r.lines().findFirst().orElse("") + " / " + body.strip());
                    lan.note("A", "response complete (the server's FIN ends it): " + r.lines().findFirst().orElse("") + ", body '" + body.strip() + "'",
                            "响应接收完整（服务器的 FIN 表示结束）：“" + r.lines().findFirst().orElse("") + "”，正文“" + body.strip() + "”");
                    p.closeAfterSending();
                };
                lan.note("A", "connect to 10.0.2.80:80 (through sw0, R1 and FW)", "连接 10.0.2.80:80（经过 sw0、R1 和 FW）");
                p.conn = path.a().connect(lan.sim.now(), IpStories.ip("10.0.2.80"), 80, p);
            });
            lan.runUntil(Time.ms(20));
            facts.put("S got", atServer.toString().lines().findFirst().orElse(""));
            facts.put("TCP at S", tcpFlagsSeen(lan, "S"));
            facts.put("TCP at A", tcpFlagsSeen(lan, "A"));
            facts.put("TTL at S", String.join(",", IpStories.received(lan, "S", java.util.regex.Pattern.compile("^TCP .* ttl (\\d+)")).stream().distinct().toList()));
            facts.put("A states", states(lan, "A"));
            facts.put("S states", states(lan, "S"));
            facts.put("conntrack at the end", IpStories.conntrack(path.nf()));
        }

        static String states(Lan lan, String lane) {
            List<String> out = new ArrayList<>();
            for (LaneRun.Event e : lan.events)
                if (e instanceof LaneRun.Note n && n.lane().equals(lane) && n.en().startsWith("TCP ") && n.en().contains(" -> "))
                    out.add(n.en().replaceFirst("TCP \\S+ -> (\\S+) .*", "$1"));
            return String.join(" ", out);
        }
    }

    /** The TCP payload lane sent, in order (retransmissions included): what its application wrote. */
    static byte[] wireBytes(Lan lan, String lane) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (LaneRun.Event e : lan.events) {
            if (!(e instanceof LaneRun.Frame f) || !f.from().equals(lane) || f.bytes() == null) continue;
            Frames.Tcp t = Frames.tcp(f.bytes());
            if (t == null || t.payloadLength() == 0) continue;
            byte[] b = f.bytes();
            out.write(b, 14 + (b[14] & 0xf) * 4 + t.tcp().headerLength(), t.payloadLength());
        }
        return out.toByteArray();
    }
}
