package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** route: misuse is one line on stderr and exit status 2, before any TUN is opened. */
class RouteCommandTest {
    private static void misuse(String expected, String... args) {
        Cli r = Cli.run(args);
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }

    @Test void badTunOptions() {
        misuse("a router needs at least two interfaces", "route", "--tun", "a0=10.1.0.1/24");
        misuse("expected NAME=CIDR", "route", "--tun", "a0", "--tun", "b0=10.2.0.1/24");
        misuse("has no prefix length", "route", "--tun", "a0=10.1.0.1", "--tun", "b0=10.2.0.1/24");
        misuse("a0 given twice", "route", "--tun", "a0=10.1.0.1/24", "--tun", "a0=10.2.0.1/24");
        misuse("Linux allows at most 15", "route", "--tun", "a-very-long-interface-name=10.1.0.1/24", "--tun", "b0=10.2.0.1/24");
    }

    @Test void queuesOneTo64() {
        misuse("--queues: 1 to 64, not 0", "route", "--tun", "a0=10.1.0.1/24", "--tun", "b0=10.2.0.1/24", "--queues", "0");
        misuse("--queues: 1 to 64, not 65", "route", "--tun", "a0=10.1.0.1/24", "--tun", "b0=10.2.0.1/24", "--queues", "65");
    }

    /** --masquerade with --queues: each queue's NAT hands out its own slice of the ports (RouteInteropTest.twoQueuesWithMasquerade). */
    @Test void eachQueuesMasqueradeHasItsSliceOfThePorts() {
        var ports = RouteCommand.ports(java.util.List.of("a0=10.1.0.1/24,fd00:1::1/64", "b0=10.2.0.1/24,fd00:2::1/64"));
        for (int q = 0; q < 3; q++) {
            var nf = RouteCommand.netfilter(ports, null, java.util.List.of("b0"), java.util.List.of(),
                    org.netstack4j.filter.ConnTrackConfig.defaults(), new org.netstack4j.trace.Counters(), q, 3);
            for (var nat : nf.nats()) {
                assertEquals(q, nat.config().slice());
                assertEquals(3, nat.config().slices());
            }
        }
    }

    @Test void addressesOfBothFamiliesAfterCommasAndIpv6OnlyPorts() {
        var ports = RouteCommand.ports(java.util.List.of("a0=10.1.0.1/24,fd00:1::1/64,fd00:11::1/64", "b0=10.2.0.1/24"));
        assertEquals(java.util.List.of("fd00:1::1/64", "fd00:11::1/64"), ports.get(0).ipv6().stream().map(Object::toString).toList());
        assertEquals(java.util.List.of(), ports.get(1).ipv6());
        // issue 14: IPv6-only ports, and the families in any order
        var v6only = RouteCommand.ports(java.util.List.of("a0=fd00:1::1/64,10.1.0.1/24", "b0=fd00:2::1/64,fd00:22::1/64"));
        assertEquals("10.1.0.1/24", v6only.get(0).address().toString());
        assertEquals(java.util.List.of("fd00:1::1/64"), v6only.get(0).ipv6().stream().map(Object::toString).toList());
        assertEquals(null, v6only.get(1).address(), "no IPv4 on b0");
        assertEquals(java.util.List.of("fd00:2::1/64", "fd00:22::1/64"), v6only.get(1).ipv6().stream().map(Object::toString).toList());
        misuse("one IPv4 address per interface", "route", "--tun", "a0=10.1.0.1/24,10.3.0.1/24", "--tun", "b0=10.2.0.1/24");
        misuse("given twice", "route", "--tun", "a0=fd00:1::1/64,fd00:1::1/64", "--tun", "b0=10.2.0.1/24");
        misuse("not a unicast host address", "route", "--tun", "a0=10.1.0.1/24,ff02::1/64", "--tun", "b0=10.2.0.1/24");
        misuse("has no prefix length", "route", "--tun", "a0=10.1.0.1/24,fd00:1::1", "--tun", "b0=10.2.0.1/24");
    }

    @Test void mtusPerInterface() {
        var ports = RouteCommand.withMtus(RouteCommand.ports(java.util.List.of("a0=10.1.0.1/24", "b0=10.2.0.1/24,fd00:2::1/64")),
                java.util.List.of("a0=576"));
        assertEquals(576, ports.get(0).mtu());
        assertEquals(0, ports.get(1).mtu(), "the kernel's");
        misuse("--mtu c0=1280: expected NAME=MTU with NAME one of the --tun interfaces", "route", "--tun", "a0=10.1.0.1/24",
                "--tun", "b0=10.2.0.1/24", "--mtu", "c0=1280");
        misuse("the MTU must be a number from 68 to 65535", "route", "--tun", "a0=10.1.0.1/24", "--tun", "b0=10.2.0.1/24", "--mtu", "a0=67");
        misuse("an IPv6 link needs at least 1280", "route", "--tun", "a0=10.1.0.1/24,fd00:1::1/64", "--tun", "b0=10.2.0.1/24", "--mtu", "a0=1000");
    }

    @Test void badFirewallOrMasquerade(@TempDir Path dir) throws Exception {
        misuse("--masquerade c0: not one of the --tun interfaces", "route", "--tun", "a0=10.1.0.1/24", "--tun", "b0=10.2.0.1/24",
                "--masquerade", "c0");
        misuse("cannot read", "route", "--tun", "a0=10.1.0.1/24", "--tun", "b0=10.2.0.1/24", "--firewall", dir.resolve("none").toString());
        Path bad = dir.resolve("bad.rules");
        Files.writeString(bad, "chain forward policy drop\naccept frobnicate\n");
        misuse("--firewall " + bad, "route", "--tun", "a0=10.1.0.1/24", "--tun", "b0=10.2.0.1/24", "--firewall", bad.toString());
    }

    @Test void aRuleFileAndMasqueradeMakeANetfilter(@TempDir Path dir) throws Exception {
        Path ok = dir.resolve("ok.rules");
        Files.writeString(ok, "chain forward policy drop\naccept in a0 out b0\naccept state established\n");
        var ports = RouteCommand.ports(java.util.List.of("a0=10.1.0.1/24", "b0=10.2.0.1/24"));
        var nf = RouteCommand.netfilter(ports, ok, java.util.List.of("b0"), new org.netstack4j.trace.Counters());
        assertEquals(1, nf.nats().size());
        assertEquals(null, RouteCommand.netfilter(ports, null, java.util.List.of(), new org.netstack4j.trace.Counters()));
        // masquerade on an IPv6 port: NAT66 from its (first) IPv6 address; a dual-stack port gets both
        var v6 = RouteCommand.ports(java.util.List.of("a0=fd00:1::1/64", "b0=fd00:2::1/64"));
        var nf6 = RouteCommand.netfilter(v6, null, java.util.List.of("b0"), new org.netstack4j.trace.Counters());
        assertEquals(java.util.List.of("fd00:2::1"), nf6.nats().stream().map(n -> n.config().external().toString()).toList());
        var dual = RouteCommand.ports(java.util.List.of("a0=10.1.0.1/24,fd00:1::1/64", "b0=10.2.0.1/24,fd00:2::1/64"));
        assertEquals(2, RouteCommand.netfilter(dual, null, java.util.List.of("b0"), new org.netstack4j.trace.Counters()).nats().size());
    }

    @Test void npt6OnAnIpv6Port() {
        var ports = RouteCommand.ports(java.util.List.of("a0=fd00:1::1/64", "b0=10.2.0.1/24,fd00:2::1/64", "c0=10.3.0.1/24"));
        var npts = RouteCommand.npt6(ports, java.util.List.of("b0=fd00:1::/48,fd00:3::/48"), java.util.List.of());
        assertEquals("b0=fd00:1::/48,fd00:3::/48", npts.getFirst().toString());
        var nf = RouteCommand.netfilter(ports, null, java.util.List.of(), npts, org.netstack4j.filter.ConnTrackConfig.defaults(),
                new org.netstack4j.trace.Counters());
        assertEquals(1, nf.npt6().size(), "--npt6 alone makes a netfilter");
        assertEquals(0, nf.nats().size());
        String[] tuns = {"route", "--tun", "a0=fd00:1::1/64", "--tun", "b0=10.2.0.1/24,fd00:2::1/64", "--tun", "c0=10.3.0.1/24"};
        misuse("--npt6 d0=fd00:1::/48,fd00:3::/48: expected NAME=INTERNAL/LEN,EXTERNAL/LEN with NAME one of the --tun interfaces",
                cat(tuns, "--npt6", "d0=fd00:1::/48,fd00:3::/48"));
        misuse("c0 has no IPv6 address", cat(tuns, "--npt6", "c0=fd00:1::/48,fd00:3::/48"));
        misuse("b0 also has --masquerade", cat(tuns, "--npt6", "b0=fd00:1::/48,fd00:3::/48", "--masquerade", "b0"));
        misuse("/1 to /64", cat(tuns, "--npt6", "b0=fd00:1::/96,fd00:3::/96"));
        misuse("expected INTERNAL/LEN,EXTERNAL/LEN", cat(tuns, "--npt6", "b0=fd00:1::/48"));
        misuse("host bits set", cat(tuns, "--npt6", "b0=fd00:1::1/48,fd00:3::/48"));
    }

    private static String[] cat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
