package org.netstack4j.packetdrill;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The interpreter against {@link FakeStack}: mapping, matching, timing and messages, independent of the engine. */
class InterpreterTest {

    private static final String OPEN = """
        0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
        +0  setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
        +0  bind(3, ..., ...) = 0
        +0  listen(3, 1) = 0
        +0  < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
        +0  > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>
        +.1 < . 1:1(0) ack 1 win 257
        +0  accept(3, ..., ...) = 4
        """;

    private static ScriptResult run(String text, FakeStack[] holder, long delayNs) {
        Script s = ScriptParser.parse(Path.of("test.pkt"), text, ScriptParser.DEFAULT_DEFINES);
        TcpStack.Factory f = (settings, out, seed) -> {
            FakeStack st = new FakeStack(out);
            st.ackDelayNs = delayNs;
            if (holder != null) holder[0] = st;
            return st;
        };
        return new Interpreter(s, Profile.LINUX, f, 1, null).run();
    }

    private static ScriptResult run(String text) { return run(text, null, 0); }

    @Test
    void passiveOpenReadAndClosePasses() {
        ScriptResult r = run(OPEN + """
            +0  < P. 1:1001(1000) ack 1 win 257
            +0  > . 1:1(0) ack 1001
            +0  read(4, ..., 2000) = 1000
            +0  %{ assert tcpi_state == TCPI_ESTABLISHED }%
            +.1 close(4) = 0
            +0  > F. 1:1(0) ack 1001
            +0  < . 1:1(0) ack 2 win 257
            +0  %{ assert tcpi_state == TCP_FIN_WAIT2, "state" }%
            """);
        assertEquals(ScriptResult.Status.PASS, r.status(), r.oneLine() + "\n" + String.join("\n", r.log()));
    }

    @Test
    void wrongAckIsReportedWithLineExpectedAndActual() {
        ScriptResult r = run(OPEN + """
            +0  < P. 1:1001(1000) ack 1 win 257
            +0  > . 1:1(0) ack 1000
            """);
        assertEquals(ScriptResult.Status.FAIL, r.status());
        assertEquals(10, r.line());
        assertTrue(r.message().contains("ack differs (got 1001)"), r.message());
        assertTrue(r.message().contains("expected > . 1:1(0) ack 1000"), r.message());
    }

    @Test
    void delayedAckOutsideTheToleranceFailsOnTiming() {
        String script = OPEN + """
            +0  < P. 1:1001(1000) ack 1 win 257
            +0  > . 1:1(0) ack 1001
            """;
        assertEquals(ScriptResult.Status.PASS, run(script, null, 3_000_000).status(), "3 ms is within 4 ms");
        ScriptResult r = run(script, null, 40_000_000);
        assertEquals(ScriptResult.Status.FAIL, r.status());
        assertTrue(r.message().contains("came late") || r.message().contains("timing"), r.message());
        ScriptResult ok = run(OPEN + """
            +0  < P. 1:1001(1000) ack 1 win 257
            +.04 > . 1:1(0) ack 1001
            """, null, 40_000_000);
        assertEquals(ScriptResult.Status.PASS, ok.status(), ok.oneLine());
    }

    @Test
    void blockingReadReturnsWhenDataArrives() {
        ScriptResult r = run(OPEN + """
            +0...0.100 read(4, ..., 2000) = 500
            +.1 < P. 1:501(500) ack 1 win 257
            +0  > . 1:1(0) ack 501
            """);
        assertEquals(ScriptResult.Status.PASS, r.status(), r.oneLine());
        ScriptResult early = run(OPEN + """
            +0...0.300 read(4, ..., 2000) = 500
            +.1 < P. 1:501(500) ack 1 win 257
            """);
        assertEquals(ScriptResult.Status.FAIL, early.status());
        assertTrue(early.message().contains("returned at"), early.message());
    }

    @Test
    void nonBlockingAcceptWithNothingPendingIsEagain() {
        ScriptResult r = run("""
            0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            +0  fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
            +0  fcntl(3, F_GETFL) = 0x802
            +0  bind(3, ..., ...) = 0
            +0  listen(3, 1) = 0
            +0  accept(3, ..., ...) = -1 EWOULDBLOCK (Operation would block)
            +0  getsockopt(3, SOL_SOCKET, SO_RCVBUF, [65536], [4]) = 0
            """);
        assertEquals(ScriptResult.Status.PASS, r.status(), r.oneLine());
    }

    @Test
    void unsupportedThingsSkipWithTheirName() {
        ScriptResult r = run("0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3\n");
        assertEquals(ScriptResult.Status.SKIP, r.status());
        assertEquals("socket type SOCK_DGRAM", r.message().replace("constant ", "socket type "));
        ScriptResult c = run("0 `ip link set dev tun0 mtu 1300`\n");
        assertEquals(ScriptResult.Status.SKIP, c.status());
        assertTrue(c.message().contains("`ip`"), c.message());
        ScriptResult sys = run("0 `sysctl -w net.inet.tcp.nolocaltimewait=1`\n");
        assertEquals("sysctl net.inet.tcp.nolocaltimewait", sys.message());
    }

    @Test
    void missingPacketSaysNothingWasSent() {
        ScriptResult r = run(OPEN + "+0 > F. 1:1(0) ack 1\n");
        assertEquals(ScriptResult.Status.FAIL, r.status());
        assertTrue(r.message().contains("nothing was sent"), r.message());
    }

    @Test
    void pollReportsReadinessAndTimesOut() {
        ScriptResult r = run("""
            0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            +0  bind(3, ..., ...) = 0
            +0  listen(3, 1) = 0
            +0  poll([{fd=3, events=POLLIN, revents=0}], 1, 0) = 0
            +0...0.250 poll([{fd=3, events=POLLIN, revents=0}], 1, 250) = 0
            +.3 < S 0:0(0) win 32792 <mss 1000>
            +0  > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>
            +0...0.100 poll([{fd=3, events=POLLIN, revents=POLLIN}], 1, -1) = 1
            +.1 < . 1:1(0) ack 1 win 257
            +0  accept(3, ..., ...) = 4
            +0  poll([{fd=4, events=POLLIN|POLLOUT, revents=POLLOUT}, {fd=9, events=POLLIN, revents=POLLNVAL}], 2, 0) = 2
            """);
        assertEquals(ScriptResult.Status.PASS, r.status(), r.oneLine() + "\n" + String.join("\n", r.log()));
    }

    @Test
    void socketOptionsBeforeTheStackBecomeItsSettings() {
        StackSettings[] seen = new StackSettings[1];
        Script s = ScriptParser.parse(Path.of("t.pkt"), """
            0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            +0  setsockopt(3, SOL_SOCKET, SO_KEEPALIVE, [1], 4) = 0
            +0  setsockopt(3, IPPROTO_TCP, TCP_KEEPIDLE, [5], 4) = 0
            +0  setsockopt(3, SOL_SOCKET, SO_RCVBUF, [20000], 4) = 0
            +0  bind(3, ..., ...) = 0
            +0  listen(3, 1) = 0
            +0  getsockopt(3, SOL_SOCKET, SO_KEEPALIVE, [1], [4]) = 0
            """, ScriptParser.DEFAULT_DEFINES);
        ScriptResult r = new Interpreter(s, Profile.LINUX, (settings, out, seed) -> {
            seen[0] = settings;
            return new FakeStack(out);
        }, 1, null).run();
        assertEquals(ScriptResult.Status.PASS, r.status(), r.oneLine());
        org.netstack4j.tcp.TcpConfig c = seen[0].applyTo(org.netstack4j.tcp.TcpConfig.defaults());
        assertTrue(c.timers().keepalive());
        assertEquals(5_000_000_000L, c.timers().keepaliveIdleNs());
        assertEquals(20000, seen[0].requestedRcvBuf);
        assertEquals(20000, c.buffers().receiveBufferSize());
    }

    @Test
    void sendmsgAndRecvmsgUseTheIovecLengths() {
        ScriptResult r = run(OPEN + """
            +0  < P. 1:1001(1000) ack 1 win 257
            +0  > . 1:1(0) ack 1001
            +0  recvmsg(4, {msg_name(...)=..., msg_iov(2)=[{..., 600}, {..., 600}], msg_flags=0}, MSG_PEEK) = 1000
            +0  recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 400}], msg_flags=0}, 0) = 400
            +0  sendmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 100}], msg_flags=0}, 0) = 100
            +0  > P. 1:101(100) ack 1001
            """);
        assertEquals(ScriptResult.Status.PASS, r.status(), r.oneLine() + "\n" + String.join("\n", r.log()));
    }

    @Test
    void nplabAbsoluteAndWildcardSequenceNumbers() {
        ScriptResult r = run(OPEN + """
            +0  < P. 1:1001(1000)! ack 1000001 win 257
            +0  > . ...(0) ack 1001
            +0  > . 1000001:1000001(0)! ack 1001
            """);
        // The fake stack ACKs once; the second expectation must find nothing.
        assertEquals(ScriptResult.Status.FAIL, r.status(), r.oneLine());
        assertEquals(11, r.line(), r.oneLine());
        ScriptResult ok = run(OPEN + """
            +0  < P. 1:1001(1000)! ack 1000001 win 257
            +0  > . 1000001:1000001(0)! ack 1001
            """);
        assertEquals(ScriptResult.Status.PASS, ok.status(), ok.oneLine());
        ScriptResult any = run(OPEN + """
            +0  < P. 1:1001(1000) ack 1 win 257
            +0  > . ...(0) ack 1001
            """);
        assertEquals(ScriptResult.Status.PASS, any.status(), any.oneLine());
    }

    @Test
    void nonFatalSyscallMismatchesAreWarnings() {
        ScriptResult r = run("--non_fatal=syscall\n" + OPEN + """
            +0  getsockopt(4, SOL_SOCKET, SO_RCVBUF, [1], [4]) = 0
            +0  < P. 1:1001(1000) ack 1 win 257
            +0  > . 1:1(0) ack 1001
            """);
        assertEquals(ScriptResult.Status.PASS, r.status(), r.oneLine());
        assertTrue(r.message().contains("1 non-fatal"), r.message());
        assertTrue(r.log().stream().anyMatch(l -> l.contains("getsockopt(SO_RCVBUF): expected [1], got [65536]")), r.log().toString());
    }
}
