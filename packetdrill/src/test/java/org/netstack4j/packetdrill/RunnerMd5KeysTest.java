package org.netstack4j.packetdrill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The runner's TCP-MD5 keys beyond a socket's own. FreeBSD's TCP-MD5 keys come from setkey(8) security associations, not the socket: the runner
 * puts them in the engine's stack-wide key table, and TCP_MD5SIG is the int that turns signing on.
 * (The option layout is the engine's, nop,nop,md5 first, as Linux; outbound {@code md5} options
 * are checked against the association's key.)
 */
class RunnerMd5KeysTest {
    private static final String HEAD = """
        --tolerance_usecs=10000
         0.00 `setkey -F; setkey -c <<EOF
        add 192.168.0.1 192.0.2.1 tcp 0x1000 -A tcp-md5 "secret";
        add 192.0.2.1 192.168.0.1 tcp 0x1001 -A tcp-md5 "secret";
        add 10.9.9.9 10.9.9.8 tcp 0x1002 -A tcp-md5 "not-ours";
        EOF`
        +0.00 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
        +0.00 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0
        +0.00 setsockopt(3, IPPROTO_TCP, TCP_MD5SIG, [1], 4) = 0
        +0.00 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
        +0.00 > S 0:0(0) win 65535 <...>
        """;

    private static ScriptResult run(String text) { return run(Profile.FREEBSD, text); }

    private static ScriptResult run(Profile profile, String text) {
        Script script = ScriptParser.parse(Path.of("md5.pkt"), text, ScriptParser.DEFAULT_DEFINES);
        return new Interpreter(script, profile, EngineStack.FACTORY, 1, null).run();
    }

    @Test void theAssociationsKeyIsTheConnectionsAndUnsignedSegmentsAreDropped() {
        ScriptResult r = run(HEAD + """
            +0.05 < S. 0:0(0) ack 1 win 65535 <nop,nop,md5,mss 1460>
            +0.00 > . 1:1(0) ack 1 win 65535 <nop,nop,md5>
            // unsigned: dropped, never acknowledged
            +0.00 < P. 1:11(10) ack 1 win 65535
            +0.10 < P. 1:11(10) ack 1 win 65535 <nop,nop,md5>
            +0.04 > . 1:1(0) ack 11 win 65535 <nop,nop,md5>
            """);
        assertEquals(ScriptResult.Status.PASS, r.status(), r.oneLine() + "\n" + String.join("\n", r.log()));
    }

    @Test void afterAFlushTheSignedSynAckIsUnexpected() {
        ScriptResult r = run(HEAD.replace("connect(", "`setkey -F`\n+0.00 connect(") + """
            +0.05 < S. 0:0(0) ack 1 win 65535 <nop,nop,md5,mss 1460>
            +0.00 > . 1:1(0) ack 1 win 65535 <...>
            """);
        assertEquals(ScriptResult.Status.FAIL, r.status(), r.oneLine());
    }

    @Test void aLinuxKeyForAnInterfaceIsEinvalWithoutAnL3MasterDevice() {
        // Linux tcp_v4_parse_md5_keys: TCP_MD5SIG_FLAG_IFINDEX takes only a VRF's index
        ScriptResult r = run(Profile.LINUX, """
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
               +0 setsockopt(3, SOL_TCP, TCP_MD5SIG_EXT, {tcpm_addr=..., tcpm_flags=TCP_MD5SIG_FLAG_IFINDEX,
                  tcpm_ifindex=1, tcpm_keylen=6, tcpm_key="secret"}, 216) = -1 EINVAL (Invalid argument)
               +0 setsockopt(3, SOL_TCP, TCP_MD5SIG_EXT, {tcpm_addr=..., tcpm_flags=0,
                  tcpm_ifindex=1, tcpm_keylen=6, tcpm_key="secret"}, 216) = 0
            """);
        assertEquals(ScriptResult.Status.PASS, r.status(), r.oneLine());
    }
}
