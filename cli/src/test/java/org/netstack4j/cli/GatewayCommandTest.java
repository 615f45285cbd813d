package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.linux.TunGateway;
import org.netstack4j.linux.Upstream;
import org.netstack4j.time.Time;

/** gateway: misuse is one line on stderr and exit status 2, before any TUN is opened. */
class GatewayCommandTest {
    private static void misuse(String expected, String... args) {
        Cli r = Cli.run(args);
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }

    @Test void badOptions() {
        misuse("give exactly one of --socks5 HOST:PORT, --direct or --upstream", "gateway", "--tun", "gw0=10.9.0.1/24");
        misuse("give exactly one of", "gateway", "--tun", "gw0=10.9.0.1/24", "--direct", "--socks5", "127.0.0.1:1080");
        misuse("expected HOST:PORT", "gateway", "--tun", "gw0=10.9.0.1/24", "--socks5", "127.0.0.1");
        misuse("port must be 1..65535", "gateway", "--tun", "gw0=10.9.0.1/24", "--socks5", "127.0.0.1:70000");
        misuse("expected direct or socks5://HOST:PORT", "gateway", "--tun", "gw0=10.9.0.1/24", "--upstream", "http://x:1");
        misuse("expected NAME=CIDR", "gateway", "--tun", "gw0", "--direct");
        misuse("--udp sometimes: expected upstream, direct or off", "gateway", "--tun", "gw0=10.9.0.1/24", "--direct", "--udp", "sometimes");
        misuse("--address 10.9.0.5/24: IPv6 only", "gateway", "--tun", "gw0=10.9.0.1/24", "--address", "10.9.0.5/24", "--direct");
        misuse("one kernel-side address per family", "gateway", "--tun", "gw0=10.9.0.1/24", "--address", "fd00:9::1/64",
                "--peer", "fd00:9::2/64", "--peer", "fd00:9::3/64", "--direct");
        misuse("--peer: ", "gateway", "--tun", "gw0=10.9.0.1/24", "--peer", "fd00:9::2/64", "--direct");
        misuse("Linux allows at most 15", "gateway", "--tun", "a-very-long-interface-name=10.9.0.1/24", "--direct");
    }

    @Test void upstreamsAndConfig() {
        assertInstanceOf(Upstream.Direct.class, GatewayCommand.upstream(null, false, "direct"));
        Upstream s = GatewayCommand.upstream(null, false, "socks5://127.0.0.1:1080");
        assertEquals("socks5 127.0.0.1:1080", s.describe());
        TunGateway.Config c = GatewayCommand.config("gw0=10.9.0.1/24", List.of(), "box", List.of("10.9.0.2/24"), s, "off", 40_000, 100, null);
        assertEquals("gw0", c.name());
        assertEquals(false, c.udp());
        assertEquals(s, GatewayCommand.config("gw0=10.9.0.1/24", List.of(), null, List.of(), s, "upstream", 1000, 100, null).udpUpstream(),
                "UDP through the SOCKS5 proxy (UDP ASSOCIATE) by default");
        assertInstanceOf(Upstream.Direct.class, GatewayCommand.config("gw0=10.9.0.1/24", List.of(), null, List.of(), s, "direct", 1000, 100, null).udpUpstream());
        assertEquals(100, c.tcp().maxFlows());
        TunGateway.Config six = GatewayCommand.config("gw0=10.9.0.1/24", List.of("fd00:9::1/64"), "box", List.of("10.9.0.2/24", "fd00:9::2/64"),
                s, "upstream", 1000, 100, null);
        assertEquals("[fd00:9::1/64]", six.addresses6().toString());
        assertEquals("fd00:9::2/64", six.peer6().toString());
        assertEquals("10.9.0.2/24", six.peer().toString());
        assertEquals(Time.s(45), c.tcp().pendingTimeoutNs(), "a held SYN outlives the upstream connect timeout");
        // IPv6 only: an IPv6 --tun address, no IPv4 one; an IPv4 peer then has no partner
        TunGateway.Config only6 = GatewayCommand.config("gw0=fd00:9::1/64", List.of(), "box", List.of("fd00:9::2/64"), s, "upstream", 1000, 100, null);
        assertEquals(null, only6.address());
        assertEquals("[fd00:9::1/64]", only6.addresses6().toString());
        assertEquals("fd00:9::2/64", only6.peer6().toString());
        Main.UsageError e = org.junit.jupiter.api.Assertions.assertThrows(Main.UsageError.class,
                () -> GatewayCommand.config("gw0=fd00:9::1/64", List.of(), "box", List.of("10.9.0.2/24"), s, "upstream", 1000, 100, null));
        assertTrue(e.getMessage().contains("no netstack4j address of its family (IPv4)"), e.getMessage());
    }
}
