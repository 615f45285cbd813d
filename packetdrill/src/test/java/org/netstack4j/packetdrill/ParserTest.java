package org.netstack4j.packetdrill;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ParserTest {

    private static Script parse(String text) {
        return ScriptParser.parse(Path.of("inline.pkt"), text, ScriptParser.DEFAULT_DEFINES);
    }

    @Test
    void parsesOptionsTimesPacketsAndSyscalls() {
        Script s = parse("""
            --tolerance_usecs=10000
            --ip_version=ipv4
            // a comment
             0.00 `sysctl -w net.inet.tcp.sack.enable=1`
            +0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            +0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0
            +0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
            +0 > S 0:0(0) win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 100 ecr 0>
            +.1 < S. 0:0(0) ack 1 win 32767 <mss 1460,sackOK,eol,eol>
            +0...0.200 read(3, ..., 1000) = 1000
            *  > . 1:1(0)
              ack 1 <...>
            0.1~0.2 > P. 1:2001(2000) ack 1
            +0 %{ assert tcpi_state == TCPI_ESTABLISHED }%
            +0 setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0
            """);
        assertEquals("10000", s.options().get("tolerance_usecs"));
        List<Event> ev = s.events();
        assertEquals(11, ev.size());
        assertInstanceOf(Event.CommandEvent.class, ev.get(0));
        var fcntl = (Event.SyscallEvent) ev.get(2);
        assertInstanceOf(Expr.Or.class, fcntl.args().get(2));
        var connect = (Event.SyscallEvent) ev.get(3);
        assertEquals("EINPROGRESS", connect.errno());
        assertEquals(-1, ((Expr.Int) connect.result()).value());
        var syn = (Event.PacketEvent) ev.get(4);
        assertFalse(syn.inbound());
        assertEquals(65535L, syn.win());
        assertEquals(5, syn.options().size());
        assertEquals(new OptionSpec.Ts(100, 0), syn.options().get(4));
        var synAck = (Event.PacketEvent) ev.get(5);
        assertEquals(100_000, synAck.time().startUs());
        assertTrue(synAck.time().isRelative());
        var read = (Event.SyscallEvent) ev.get(6);
        assertEquals(200_000, read.time().blockingEndUs());
        var any = (Event.PacketEvent) ev.get(7);
        assertEquals(TimeSpec.Kind.ANY, any.time().kind());
        assertTrue(any.anyOptions());
        assertEquals(11, any.line());
        assertTrue(ev.get(8).time().isRange());
        assertInstanceOf(Event.CodeEvent.class, ev.get(9));
        var linger = (Event.SyscallEvent) ev.get(10);
        assertInstanceOf(Expr.Struct.class, linger.args().get(3));
    }

    /** Linux's AccECN selftests: the ACE value as a digit in the flags, AE as 'A', the option as "ECN e1b N ceb N e0b N". */
    @Test
    void parsesAccurateEcnSyntax() {
        Script s = parse("""
            +0 < [ect1] SEWA 0:0(0) win 32792 <mss 1050,nop,nop,sackOK,nop,wscale 8>
            +.002 > SEW. 0:0(0) ack 1 <mss 1460,ECN e1b 1 ceb 0 e0b 1,nop,nop,nop,sackOK,nop,wscale 8>
            +0 > [ect0] P.5 1:101(100) ack 1 <ECN e0b 101 ceb 0,nop,nop,nop,nop,ECN>
            +.02 ~ +1.1 > F5. 101:101(0) ack 1
            """);
        Event.PacketEvent syn = (Event.PacketEvent) s.events().get(0);
        assertEquals(org.netstack4j.wire.TcpRepr.ACE_FLAGS | org.netstack4j.wire.TcpRepr.SYN, Packets.flagBits(syn.flags()));
        Event.PacketEvent synAck = (Event.PacketEvent) s.events().get(1);
        OptionSpec.AccEcn o1 = (OptionSpec.AccEcn) synAck.options().get(1);
        assertEquals(174, o1.kind());
        assertEquals(List.of(1L, 0L, 1L), o1.values());
        Event.PacketEvent data = (Event.PacketEvent) s.events().get(2);
        assertEquals(org.netstack4j.wire.TcpRepr.PSH | org.netstack4j.wire.TcpRepr.ACK | org.netstack4j.wire.TcpRepr.AE
            | org.netstack4j.wire.TcpRepr.ECE, Packets.flagBits(data.flags()));
        OptionSpec.AccEcn o0 = (OptionSpec.AccEcn) data.options().get(0);
        assertEquals(172, o0.kind());
        assertEquals(2, o0.values().size());
        assertEquals(0, ((OptionSpec.AccEcn) data.options().get(5)).values().size());
        Event.PacketEvent fin = (Event.PacketEvent) s.events().get(3);
        assertEquals(org.netstack4j.wire.TcpRepr.FIN | org.netstack4j.wire.TcpRepr.ACK | org.netstack4j.wire.TcpRepr.AE
            | org.netstack4j.wire.TcpRepr.ECE, Packets.flagBits(fin.flags()));
        assertThrows(Unsupported.class, () -> parse("+0 > . 1:1(0) ack 1 <ECN ceb 1 e0b 1>"));
    }

    @Test
    void ifdefKeepsLineNumbers() {
        Script s = ScriptParser.parse(Path.of("x.pkt"), """
            0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            #ifdef FreeBSD
            +0 close(3) = 0
            #else
            +0 close(3) = -1 EBADF (nope)
            #endif
            """, Set.of("STANDARD"));
        assertEquals(2, s.events().size());
        assertEquals(5, s.events().get(1).line());
    }

    @Test
    void unsupportedConstructsAreNamed() {
        var icmp = (Event.IcmpEvent) parse("0 < icmp unreachable frag_needed mtu 1200 [1:1461(1460)]\n").events().get(0);
        assertEquals("frag_needed", icmp.code());
        assertEquals(1200, icmp.mtu());
        assertEquals(1460, icmp.length());
        var u = assertThrows(Unsupported.class, () -> parse("0 > icmp unreachable port_unreachable [1:1(0)]\n"));
        assertEquals("outbound icmp packet", u.getMessage());
        var o = assertThrows(Unsupported.class, () -> parse("0 > S 0:0(0) <mss 1460,mptcp abcd>\n"));
        assertTrue(o.getMessage().contains("mptcp"), o.getMessage());
        // TCP-MD5 (RFC 2385) is supported since issue 16: signed with the script's key, or a given 16-byte digest
        var md5 = (Event.PacketEvent) parse("0 > S 0:0(0) <mss 1460,md5,md5 000102030405060708090a0b0c0d0e0f>\n").events().get(0);
        assertEquals(List.of(new OptionSpec.Mss(1460), new OptionSpec.Md5(null),
            new OptionSpec.Md5(java.util.HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f"))), md5.options());
        assertThrows(ScriptSyntaxError.class, () -> parse("0 > S 0:0(0) <mss 1460,md5 abcd>\n"));
        // Fast Open (RFC 7413) is supported since issue 16: a request, a cookie, the experimental kind
        var fo = (Event.PacketEvent) parse("0 > S 0:0(0) <mss 1460,FO,FO abcd,FOEXP 0102>\n").events().get(0);
        assertEquals(List.of(new OptionSpec.Mss(1460), new OptionSpec.FastOpen(new byte[0], false),
            new OptionSpec.FastOpen(new byte[] {(byte) 0xab, (byte) 0xcd}, false), new OptionSpec.FastOpen(new byte[] {1, 2}, true)), fo.options());
        var e = assertThrows(ScriptSyntaxError.class, () -> parse("0 socket(3 3) = 0\n"));
        assertEquals(1, e.line());
    }

    /** Every corpus script parses or names the construct it cannot handle; nothing throws anything else. */
    @Test
    void parsesTheCorpus() throws Exception {
        var dir = Corpus.locate();
        Assumptions.assumeTrue(dir.isPresent(), "packetdrill corpus (shared/conformance/packetdrill) not found; set -D"
            + Corpus.PROPERTY);
        List<Path> files = Corpus.expand(List.of(dir.get()));
        int parsed = 0, unsupported = 0;
        TreeMap<String, Integer> reasons = new TreeMap<>();
        for (Path f : files) {
            try {
                ScriptParser.parse(f);
                parsed++;
            } catch (Unsupported u) {
                unsupported++;
                reasons.merge(u.getMessage(), 1, Integer::sum);
            } catch (ScriptSyntaxError e) {
                fail(f + ":" + e.line() + ": " + e.getMessage());
            }
        }
        System.out.printf("packetdrill parser: %d files, %d parsed, %d unsupported %s%n", files.size(), parsed,
            unsupported, reasons);
        assertEquals(files.size(), parsed + unsupported);
    }
}
