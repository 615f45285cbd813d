package org.netstack4j.packetdrill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The shell's $((...)) in script commands, as the kernel selftests write tcp_rmem's maximum. */
class ShellArithmeticTest {
    @Test void expandsInsideAQuotedSysctlValue() {
        assertEquals(List.of("net.ipv4.tcp_rmem=4096 131072 33554432"),
            Interpreter.shellWords("net.ipv4.tcp_rmem=\"4096 131072 $((32*1024*1024))\""));
    }

    @Test void precedenceParenthesesAndSigns() {
        assertEquals(14L, ShellArithmetic.evaluate("2+3*4"));
        assertEquals(20L, ShellArithmetic.evaluate("(2+3)*4"));
        assertEquals(-3L, ShellArithmetic.evaluate("-(1+2)"));
        assertEquals(1L, ShellArithmetic.evaluate("7 % 3"));
        assertEquals(3L, ShellArithmetic.evaluate(" 7 / 2 "));
        assertEquals(1L << 40, ShellArithmetic.evaluate("1024*1024*1024*1024"), "64-bit, as bash");
    }

    @Test void whatItCannotEvaluateStaysAsWritten() {
        assertNull(ShellArithmetic.evaluate("1/0"));
        assertNull(ShellArithmetic.evaluate("2+"));
        assertNull(ShellArithmetic.evaluate("(1"));
        assertEquals("x=$((1/0)) y=$((FOO*2)) z=3", ShellArithmetic.expand("x=$((1/0)) y=$((FOO*2)) z=$((1+2))"));
    }

    @Test void aScriptSysctlWithArithmeticSetsTheMaximumBuffer() throws Exception {
        StackSettings s = new StackSettings();
        // the sysctl shim gets the expanded words
        for (String kv : Interpreter.shellWords("net.ipv4.tcp_rmem=\"4096 131072 $((32*1024*1024))\"")) {
            int eq = kv.indexOf('=');
            Sysctl.apply(1, kv.substring(0, eq), kv.substring(eq + 1), s);
        }
        assertEquals(Integer.valueOf(32 << 20), s.rmemMax);
    }
}
