package org.netstack4j.packetdrill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** One error queue per socket, in order: an ACK's SO_TIMESTAMPING report comes before the MSG_ZEROCOPY completion it causes. */
class ErrorQueueTest {
    private static final String HEAD = """
        `../common/defaults.sh`
            0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
           +0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
           +0 setsockopt(3, SOL_SOCKET, SO_ZEROCOPY, [1], 4) = 0
           +0 bind(3, ..., ...) = 0
           +0 listen(3, 1) = 0
           +0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
           +0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
          +.1 < . 1:1(0) ack 1 win 257
           +0 accept(3, ..., ...) = 4
           +0 setsockopt(4, SOL_SOCKET, SO_TIMESTAMPING, [SOF_TIMESTAMPING_TX_ACK | SOF_TIMESTAMPING_SOFTWARE |
                  SOF_TIMESTAMPING_OPT_TSONLY], 4) = 0
           +0 send(4, ..., 1000, MSG_ZEROCOPY) = 1000
           +0 > P. 1:1001(1000) ack 1
         +.01 < . 1:1(0) ack 1001 win 257
        """;
    private static final String TIMESTAMP = """
           +0 recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{...,0}], msg_flags=MSG_ERRQUEUE,
                  msg_control=[{cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING, cmsg_data={scm_sec=0,scm_nsec=110000000}},
                               {cmsg_level=SOL_IP, cmsg_type=IP_RECVERR, cmsg_data={ee_errno=ENOMSG, ee_origin=SO_EE_ORIGIN_TIMESTAMPING,
                                ee_type=0, ee_code=0, ee_info=SCM_TSTAMP_ACK, ee_data=0}}]}, MSG_ERRQUEUE) = 0
        """;
    private static final String COMPLETION = """
           +0 recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{...,0}], msg_flags=MSG_ERRQUEUE,
                  msg_control=[{cmsg_level=SOL_IP, cmsg_type=IP_RECVERR,
                                cmsg_data={ee_errno=0, ee_origin=SO_EE_ORIGIN_ZEROCOPY, ee_type=0,
                                           ee_code=SO_EE_CODE_ZEROCOPY_COPIED, ee_info=0, ee_data=0}}]}, MSG_ERRQUEUE) = 0
        """;
    private static final String EMPTY = """
           +0 recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{...,0}], msg_flags=0}, MSG_ERRQUEUE) = -1 EAGAIN (Resource temporarily unavailable)
        """;

    private static ScriptResult run(String text) {
        Path dir = Path.of("src/test/resources/scripts/errqueue.pkt").toAbsolutePath();
        return new Interpreter(ScriptParser.parse(dir, text, ScriptParser.DEFAULT_DEFINES), Profile.LINUX, EngineStack.FACTORY, 1, null).run();
    }

    @Test void theTimestampThenTheCompletionThenNothing() {
        ScriptResult r = run(HEAD + TIMESTAMP + COMPLETION + EMPTY);
        assertEquals(ScriptResult.Status.PASS, r.status(), r.oneLine() + "\n" + String.join("\n", r.log()));
    }

    @Test void theCompletionIsNotAheadOfTheTimestamp() {
        ScriptResult r = run(HEAD + COMPLETION + TIMESTAMP);
        assertEquals(ScriptResult.Status.FAIL, r.status(), r.oneLine());
        assertTrue(r.message().contains("ee_origin expected 5, got 4") || r.message().contains("timestamp"), r.oneLine());
    }
}
