package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The packetdrill command takes packetdrill's own flags (--ip_version, --mtu, -D ...) and they reach the runner. */
class PacketdrillCommandTest {
    /** One of the runner module's own scripts (its SYN,ACK expects MSS 1460). */
    private static final String SCRIPT = Path.of("..", "packetdrill", "src", "test", "resources", "scripts", "passive-open-close.pkt").toString();

    @Test
    void theScriptPassesOverIpv4AndOverIpv6WithTheMtuThatKeepsItsMss() {
        assertTrue(Files.exists(Path.of(SCRIPT)), SCRIPT);
        Cli v4 = Cli.run("packetdrill", SCRIPT);
        assertEquals(0, v4.status(), v4.out() + v4.err());
        // IPv6 headers are 20 bytes longer: MTU 1520 keeps the announced MSS at 1460 (as run_all.py's flags do)
        Cli v6 = Cli.run("packetdrill", "--ip_version", "ipv6", "--mtu", "1520", SCRIPT);
        assertEquals(0, v6.status(), v6.out() + v6.err());
    }

    @Test
    void theFlagsReachTheRunner() {
        // over IPv6 with the default MTU 1500 the stack announces MSS 1440, so the script's 1460
        // fails (the runner prints "options differ ... mss 1440" on standard output)
        Cli v6 = Cli.run("packetdrill", "--ip_version=ipv6", SCRIPT);
        assertEquals(1, v6.status(), v6.out() + v6.err());
    }

    @Test
    void aBadIpVersionIsAUsageError() {
        Cli r = Cli.run("packetdrill", "--ip_version", "ipv5", SCRIPT);
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--ip_version wants ipv4, ipv6 or ipv4-mapped-ipv6, not 'ipv5'"), r.err());
        Cli d = Cli.run("packetdrill", "-D", "1BAD=2", SCRIPT);
        assertEquals(2, d.status());
        assertTrue(d.err().contains("-D wants NAME=VALUE"), d.err());
    }
}
