package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** serve, get and ping over a TUN: misuse is one line on stderr and exit status 2, before any TUN is opened. */
class TunCommandsUsageTest {
    private static void misuse(String expected, String... args) {
        Cli r = Cli.run(args);
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }

    @Test
    void badAddresses() {
        misuse("--address: '10.7.0.2' has no prefix length", "serve", "--echo", "--tun", "nsjx0", "--address", "10.7.0.2");
        misuse("the prefix length must be a number from 1 to 32", "get", "http://10.7.0.1/", "--tun", "nsjx0", "--address", "10.7.0.2/99");
        misuse("is the network address", "ping", "10.7.0.1", "--tun", "nsjx0", "--address", "10.7.0.0/24");
        misuse("--host-address: the host address 10.8.0.1/24 is not in netstack4j's subnet 10.7.0.0/24",
                "serve", "--discard", "--tun", "nsjx0", "--address", "10.7.0.2/24", "--host-address", "10.8.0.1/24");
        misuse("the same as", "serve", "--discard", "--tun", "nsjx0", "--address", "10.7.0.2/24", "--host-address", "10.7.0.2/24");
    }

    @Test
    void ipv6AddressesAreCheckedBeforeTheKernelIsTouched() {
        misuse("the prefix length must be a number from 1 to 128", "serve", "--echo", "--tun", "nsjx0",
                "--address", "10.7.0.2/24", "--address", "fd00:7::2/129");
        misuse("is not a unicast host address", "serve", "--echo", "--tun", "nsjx0", "--address", "10.7.0.2/24", "--address", "ff02::1/64");
        misuse("--host-address: the host address fd00:8::1/64 is not in netstack4j's prefix fd00:7::/64; use an address such as fd00:7::1/64",
                "serve", "--echo", "--tun", "nsjx0", "--address", "10.7.0.2/24", "--address", "fd00:7::2/64", "--host-address", "fd00:8::1/64");
        misuse("has no netstack4j address of its family (IPv6)", "serve", "--echo", "--tun", "nsjx0",
                "--address", "10.7.0.2/24", "--host-address", "fd00:7::1/64");
        // an IPv6-only TUN is fine (issue 13); an IPv4 peer or destination then has nothing to pair with
        misuse("has no netstack4j address of its family (IPv4)", "serve", "--echo", "--tun", "nsjx0", "--address", "fd00:7::2/64",
                "--host-address", "10.7.0.1/24");
        misuse("10.7.0.1 is IPv4 and netstack4j has no IPv4 address on the TUN", "get", "http://10.7.0.1:8000/f", "--tun", "nsjx0",
                "--address", "fd00:7::2/64");
        misuse("10.7.0.1 is IPv4 and netstack4j has no IPv4 address on the TUN", "ping", "10.7.0.1", "--tun", "nsjx0", "--address", "fd00:7::2/64");
        misuse("one IPv4 address per TUN", "serve", "--echo", "--tun", "nsjx0", "--address", "10.7.0.2/24", "--address", "10.7.0.3/24");
        misuse("is given twice", "serve", "--echo", "--tun", "nsjx0", "--address", "10.7.0.2/24",
                "--address", "fd00:7::2/64", "--address", "fd00:7::2/64");
        misuse("netstack4j has no IPv6 address on the TUN", "get", "http://[fd00:7::1]:8000/f", "--tun", "nsjx0", "--address", "10.7.0.2/24");
        misuse("goes in brackets", "get", "http://fd00:7::1/f", "--tun", "nsjx0", "--address", "10.7.0.2/24");
    }

    @Test
    void ipv6UrlParsing() {
        HttpGet.Url u = HttpGet.Url.parse("http://[fd00:7::1]:8000/f?x=1");
        assertEquals("fd00:7::1", u.host().toString());
        assertEquals(8000, u.port());
        assertEquals("/f?x=1", u.path());
        assertEquals("[fd00:7::1]:8000", u.hostHeader());
        assertEquals("http://[fd00:7::1]:8000/f?x=1", u.toString());
        HttpGet.Url plain = HttpGet.Url.parse("http://[FD00:7:0::1]");
        assertEquals(80, plain.port());
        assertEquals("[fd00:7::1]", plain.hostHeader());
        assertThrows(IllegalArgumentException.class, () -> HttpGet.Url.parse("http://[fd00:7::1/"));
        assertThrows(IllegalArgumentException.class, () -> HttpGet.Url.parse("http://[fd00:7::1]x/"));
        assertThrows(IllegalArgumentException.class, () -> HttpGet.Url.parse("http://[10.7.0.1]/"));
    }

    @Test
    void missingOrBadOptions() {
        misuse("--tun NAME is required", "serve", "--echo", "--address", "10.7.0.2/24");
        misuse("--address CIDR is required", "get", "http://10.7.0.1/", "--tun", "nsjx0");
        misuse("Linux allows at most 15", "serve", "--echo", "--tun", "a-very-long-interface-name", "--address", "10.7.0.2/24");
        misuse("ping HOST needs --tun NAME and --address CIDR", "ping", "10.7.0.1");
        misuse("needs the HOST to ping", "ping", "--tun", "nsjx0", "--address", "10.7.0.2/24");
        misuse("HOST must be an IPv4 address", "ping", "localhost", "--tun", "nsjx0", "--address", "10.7.0.2/24");
        misuse("no DNS", "get", "http://example.com/", "--tun", "nsjx0", "--address", "10.7.0.2/24");
        misuse("https is not supported", "get", "https://10.7.0.1/", "--tun", "nsjx0", "--address", "10.7.0.2/24");
        misuse("--loss wants a percentage", "serve", "--echo", "--tun", "nsjx0", "--address", "10.7.0.2/24", "--loss", "x");
        misuse("is not a directory", "serve", "--http", "/nonexistent-dir", "--tun", "nsjx0", "--address", "10.7.0.2/24");
    }

    @Test
    void serveNeedsExactlyOneService() {
        Cli r = Cli.run("serve", "--tun", "nsjx0", "--address", "10.7.0.2/24", "--echo", "--discard");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("mutually exclusive"), r.err());
    }

    @Test
    void urlParsing() {
        HttpGet.Url u = HttpGet.Url.parse("http://10.7.0.1:8000/a/b?c=d#frag");
        assertEquals("10.7.0.1", u.host().toString());
        assertEquals(8000, u.port());
        assertEquals("/a/b?c=d", u.path());
        assertEquals("10.7.0.1:8000", u.hostHeader());
        HttpGet.Url plain = HttpGet.Url.parse("HTTP://10.7.0.1");
        assertEquals(80, plain.port());
        assertEquals("/", plain.path());
        assertEquals("10.7.0.1", plain.hostHeader());
    }
}
