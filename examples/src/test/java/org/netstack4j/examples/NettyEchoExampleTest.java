package org.netstack4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NettyEchoExampleTest {
    @Test void echoesTheMessage() throws Exception {
        String m = "hello, Netty on netstack4j - " + "x".repeat(5000);
        assertEquals(m, NettyEchoExample.run(m));
    }
}
