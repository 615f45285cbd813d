package org.netstack4j.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.filter.Pkts.tcp;
import static org.netstack4j.wire.TcpRepr.ACK;
import static org.netstack4j.wire.TcpRepr.SYN;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Parsed;
import org.netstack4j.wire.TcpRepr;

class FirewallTest {
    static final String RULES = """
            # a host that serves the web to 10/8 and pings, and lets nothing else in
            chain input policy drop
            accept state established,related
            accept in eth0 tcp from 10.0.0.0/8 to any port 80,443 state new
            accept icmp type echo-request
            reject with tcp-reset tcp to port 25
            reject with icmp admin-prohibited udp from 192.0.2.0/24,198.51.100.7 port 1000-2000
            drop flags syn,!ack tcp   # counted apart from the policy

            chain forward policy drop
            accept in lan out wan
            accept in wan out lan state established,related
            """;

    static RuleSet load(String text) {
        RuleSet.Loaded l = RuleSet.parse(text);
        if (l instanceof RuleSet.Loaded.Failed f) throw new AssertionError(f.errors().toString());
        return ((RuleSet.Loaded.Ok) l).rules();
    }

    static List<RuleSet.Error> errors(String text) {
        return assertInstanceOf(RuleSet.Loaded.Failed.class, RuleSet.parse(text)).errors();
    }

    @Test void parsesTheDocumentedExample() {
        RuleSet rs = load(RULES);
        assertEquals(Verdict.DROP, rs.policy(Chain.INPUT));
        assertEquals(Verdict.ACCEPT, rs.policy(Chain.OUTPUT), "undeclared chains accept");
        assertEquals(6, rs.rules(Chain.INPUT).size());
        assertEquals(2, rs.rules(Chain.FORWARD).size());
        Rule web = rs.rules(Chain.INPUT).get(1);
        assertEquals(4, web.line()); // line 1 is the comment
        assertEquals("accept in eth0 tcp from 10.0.0.0/8 to any port 80,443 state new", web.toString());
        assertEquals("reject with icmp admin-prohibited udp from 192.0.2.0/24,198.51.100.7 port 1000-2000",
                rs.rules(Chain.INPUT).get(4).toString());
        assertEquals("drop tcp flags syn,!ack", rs.rules(Chain.INPUT).get(5).toString());
        // the canonical text parses back to the same rules
        RuleSet again = load(rs.toText());
        for (Chain c : Chain.values()) {
            assertEquals(rs.policy(c), again.policy(c));
            assertEquals(rs.rules(c).stream().map(Rule::toString).toList(), again.rules(c).stream().map(Rule::toString).toList());
        }
    }

    @Test void badInputGivesEveryErrorWithItsLineNumber() {
        List<RuleSet.Error> e = errors("""
                accept tcp
                chain input policy maybe
                chain inptu
                chain forward
                acept tcp
                accept tcp to any port 80-70
                accept to port 80
                accept udp flags syn
                reject with tcp-reset udp
                accept from 10.0.0.1/8
                accept from 10.0.0.0/33 tcp tcp
                accept state new,sleepy
                accept icmp type echo-requets
                accept tcp from
                accept from 2001:db8::1/129
                chain forward
                reject with icmp port-unreachabel
                accept in
                """);
        List<String> got = e.stream().map(x -> x.line() + ": " + x.message()).toList();
        List<String> want = List.of(
                "1: a rule before any chain: start with e.g. 'chain input policy drop'",
                "2: a policy is accept or drop, not 'maybe'",
                "3: unknown chain 'inptu' (want input, forward or output)",
                "5: unknown word 'acept': a line is 'chain ...' or a rule starting with accept, drop or reject",
                "6: port range 80-70 runs backwards",
                "7: ports need 'tcp' or 'udp' in the rule",
                "8: flags need 'tcp' in the rule",
                "9: 'reject with tcp-reset' needs 'tcp' in the rule",
                "10: host bits set in 10.0.0.1/8 (did you mean 10.0.0.0/8?)",
                "11: prefix length must be 0 to 32: 10.0.0.0/33",
                "12: unknown state 'sleepy' (want new, established, related, invalid)",
                "13: unknown ICMP type 'echo-requets' (want echo-request, echo-reply, destination-unreachable, time-exceeded,"
                        + " source-quench, redirect, parameter-problem or a number)",
                "14: 'from' needs addresses (or any) after it",
                "15: prefix length must be 0 to 128: 2001:db8::1/129",
                "16: chain forward is declared again (first at line 4)",
                "17: unknown reject answer 'port-unreachabel' (want tcp-reset or icmp net-unreachable, host-unreachable,"
                        + " proto-unreachable, port-unreachable, net-prohibited, host-prohibited, admin-prohibited)",
                "18: 'in' needs an interface name after it");
        assertEquals(want, got);
        assertTrue(e.get(0).toString().startsWith("line 1: a rule before any chain"));
    }

    @Test void aWordGivenTwiceIsAnError() {
        assertEquals("'udp' given twice (a rule has at most one protocol)",
                errors("chain input\naccept tcp udp").get(0).message());
    }

    @Test void firstMatchWinsAndEveryRuleCounts() {
        Firewall fw = new Firewall(load(RULES));
        Packet webSyn = tcp("10.1.2.3", 40000, "10.0.0.1", 443, SYN, 1, 0, 1000, 0);
        assertEquals(Verdict.ACCEPT, fw.filter(Chain.INPUT, webSyn, CtState.NEW, "eth0", "").verdict());
        assertEquals(Verdict.DROP, fw.filter(Chain.INPUT, webSyn, CtState.NEW, "eth1", "").verdict(),
                "wrong interface: falls to the syn,!ack drop");
        assertEquals(1, fw.packets(Chain.INPUT, 1));
        assertEquals(webSyn.length(), fw.bytes(Chain.INPUT, 1));
        assertEquals(1, fw.packets(Chain.INPUT, 5));
        Packet outsider = tcp("172.16.0.1", 40000, "10.0.0.1", 443, SYN, 1, 0, 1000, 0);
        assertEquals(Verdict.DROP, fw.filter(Chain.INPUT, outsider, CtState.NEW, "eth0", "").verdict());
        // an ACK of an established flow from anywhere passes by the first rule
        Packet ack = tcp("172.16.0.1", 40000, "10.0.0.1", 443, ACK, 1, 1, 1000, 0);
        assertEquals(Optional.of(3), fw.filter(Chain.INPUT, ack, CtState.ESTABLISHED, "eth0", "").rule().map(Rule::line));
        // unsolicited: policy
        Firewall.Decision d = fw.filter(Chain.INPUT, ack, CtState.NEW, "eth0", "");
        assertEquals(Verdict.DROP, d.verdict());
        assertTrue(d.rule().isEmpty());
        assertEquals(1, fw.policyPackets(Chain.INPUT));
        // smtp and udp rejects
        assertEquals(new Verdict.Reject(Verdict.RejectWith.TCP_RESET),
                fw.filter(Chain.INPUT, tcp("172.16.0.1", 1, "10.0.0.1", 25, ACK, 1, 1, 1, 0), CtState.NEW, "x", "").verdict());
        assertEquals(new Verdict.Reject(Verdict.RejectWith.ADMIN_PROHIBITED),
                fw.filter(Chain.INPUT, Pkts.udp("198.51.100.7", 1500, "10.0.0.1", 9, 0), CtState.NEW, "x", "").verdict());
        assertEquals(Verdict.DROP,
                fw.filter(Chain.INPUT, Pkts.udp("198.51.100.7", 999, "10.0.0.1", 9, 0), CtState.NEW, "x", "").verdict());
        assertEquals(Verdict.ACCEPT,
                fw.filter(Chain.INPUT, Pkts.echoRequest("8.8.8.8", "10.0.0.1", 1, 1), CtState.NEW, "x", "").verdict());
        // forward chain: out by wan allowed, back in only as a reply
        assertEquals(Verdict.ACCEPT, fw.filter(Chain.FORWARD, outsider, CtState.NEW, "lan", "wan").verdict());
        assertEquals(Verdict.DROP, fw.filter(Chain.FORWARD, outsider, CtState.NEW, "wan", "lan").verdict());
        assertEquals(Verdict.ACCEPT, fw.filter(Chain.FORWARD, outsider, CtState.ESTABLISHED, "wan", "lan").verdict());
        assertEquals(fw.stats().size(), 7 + 3 + 1);
    }

    @Test void aStatefulFirewallLetsRepliesInAndDropsUnsolicitedInbound() {
        Firewall fw = new Firewall(load("""
                chain forward policy drop
                accept state established,related
                accept in lan out wan state new
                """));
        ConnTrack ct = new ConnTrack(ConnTrackConfig.defaults(), new Counters());
        long now = Time.s(1);
        record Hop(Packet p, String in, String out, Verdict want) {}
        for (Hop h : List.of(
                new Hop(tcp("10.0.0.5", 40000, "93.184.216.34", 80, SYN, 100, 0, 1000, 0), "lan", "wan", Verdict.ACCEPT),
                new Hop(tcp("93.184.216.34", 80, "10.0.0.5", 40000, SYN | ACK, 900, 101, 1000, 0), "wan", "lan", Verdict.ACCEPT),
                new Hop(tcp("10.0.0.5", 40000, "93.184.216.34", 80, ACK, 101, 901, 1000, 0), "lan", "wan", Verdict.ACCEPT),
                new Hop(tcp("93.184.216.34", 80, "10.0.0.5", 40001, SYN | ACK, 900, 101, 1000, 0), "wan", "lan", Verdict.DROP),
                new Hop(tcp("93.184.216.34", 80, "10.0.0.5", 40000, ACK, 900 + 5_000_000, 101, 1000, 10), "wan", "lan", Verdict.DROP),
                new Hop(tcp("198.51.100.1", 5555, "10.0.0.5", 22, SYN, 1, 0, 1000, 0), "wan", "lan", Verdict.DROP))) {
            ConnTrack.Result r = ct.track(h.p, now);
            Verdict v = fw.filter(Chain.FORWARD, h.p, r.state(), h.in, h.out).verdict();
            assertEquals(h.want, v, h.p.toString());
            if (v == Verdict.ACCEPT) assertTrue(ct.confirm(r, now));
        }
        assertEquals(1, ct.size(), "the dropped SYN left no entry");
    }

    @Test void rejectAnswersWithAResetOrAnIcmpError() {
        Packet syn = tcp("10.1.2.3", 40000, "10.0.0.1", 25, SYN, 777, 0, 1000, 0);
        byte[] rst = Reject.answer(syn, Verdict.RejectWith.TCP_RESET, Ipv4Address.parse("10.0.0.1")).orElseThrow();
        Packet r = Pkts.parse(rst); // parse verifies IP and TCP checksums
        TcpRepr th = ((Packet.Transport.Tcp) r.transport()).header();
        assertEquals(TcpRepr.RST | TcpRepr.ACK, th.flags());
        assertEquals(0, th.seq());
        assertEquals(778, th.ack());
        assertEquals(new FlowKey(6, new Endpoint(Pkts.ip("10.0.0.1"), 25), new Endpoint(Pkts.ip("10.1.2.3"), 40000)), r.key());
        Packet withAck = tcp("10.1.2.3", 40000, "10.0.0.1", 25, ACK, 777, 4242, 1000, 10);
        TcpRepr th2 = ((Packet.Transport.Tcp) Pkts.parse(Reject.answer(withAck, Verdict.RejectWith.TCP_RESET,
                Pkts.ip("10.0.0.1")).orElseThrow()).transport()).header();
        assertEquals(TcpRepr.RST, th2.flags());
        assertEquals(4242, th2.seq());
        assertTrue(Reject.answer(tcp("10.1.2.3", 1, "10.0.0.1", 25, TcpRepr.RST, 1, 0, 0, 0), Verdict.RejectWith.TCP_RESET,
                Pkts.ip("10.0.0.1")).isEmpty(), "never a reset for a reset");

        byte[] dgram = Pkts.udpBytes("10.1.2.3", 5000, "10.0.0.1", 53, 30);
        Packet icmp = Pkts.parse(Reject.answer(Pkts.parse(dgram), Verdict.RejectWith.PORT_UNREACHABLE, Pkts.ip("10.0.0.254")).orElseThrow());
        assertEquals(Pkts.ip("10.0.0.254"), icmp.src());
        IcmpRepr.DestinationUnreachable du = assertInstanceOf(IcmpRepr.DestinationUnreachable.class,
                ((Packet.Transport.Icmp) icmp.transport()).message());
        assertEquals(IcmpRepr.CODE_PORT_UNREACHABLE, du.code());
        assertEquals(Pkts.parse(dgram).key(), icmp.quotedKey().orElseThrow());
        assertTrue(Reject.answer(icmp, Verdict.RejectWith.PORT_UNREACHABLE, Pkts.ip("10.0.0.1")).isEmpty(), "no error about an error");
        // tcp-reset on UDP falls back to port unreachable
        Parsed<Packet> fb = Packet.parse(Reject.answer(Pkts.parse(dgram), Verdict.RejectWith.TCP_RESET, Pkts.ip("10.0.0.1")).orElseThrow(), 0,
                Ipv4Repr.MIN_HEADER_LENGTH + 8 + 20 + 8, true);
        assertEquals(3, ((Packet.Transport.Icmp) fb.value().transport()).message().code());
    }

}
