package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.netstack4j.ip.IpInterface;
import org.netstack4j.ip.IpStack;
import org.netstack4j.ip.Ipv6AddressState;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.MacAddress;

/**
 * netstack4j's IPv6 over TAP against the kernel, in a namespace the test makes (issue 13): after
 * our duplicate address detection, the kernel's {@code ping -6} reaches our global and our
 * link-local address (Neighbor Discovery both ways), netstack4j's ping6 reaches the kernel, and
 * the kernel's neighbour table shows us REACHABLE; a router advertisement sent by the test
 * (Scapy) gives netstack4j a SLAAC address the kernel then pings, and our duplicate address
 * detection refuses an address the kernel already has.
 */
class TapIpv6Test {
    private static final MacAddress US_MAC = MacAddress.parse("02:00:00:00:06:02");
    private static final Ipv6Address US = Ipv6Address.parse("fd00:213::2");
    private static final Ipv6Address KERNEL = Ipv6Address.parse("fd00:213::1");

    @Test
    void kernelPing6ReachesOurGlobalAndLinkLocalAddresses() throws Exception {
        RootEnv.requirePing();
        String ns = RootEnv.netnsName();
        TapDevice tap = null;
        try {
            tap = kernelSide(ns);
            Counters counters = new Counters();
            IpStack ip = stack(tap, counters, 13);
            ip.addIpv6Address("tap0", US, 64);
            TapDevice dev = tap;
            BooleanSupplier ready = () -> ip.ipv6Addresses().stream().allMatch(a -> a.state() == Ipv6AddressState.State.PREFERRED);
            run(dev, ip, ready, Time.s(5));
            assertTrue(ready.getAsBoolean(), "our DAD should end: " + ip.ipv6Addresses());
            Ipv6Address linkLocal = ip.ipv6Addresses().stream().map(Ipv6AddressState::address)
                    .filter(Ipv6Address::isLinkLocal).findFirst().orElseThrow();

            String global = ping(ns, dev, ip, US.toString());
            assertTrue(global.contains("1 received"), global);
            String ll = ping(ns, dev, ip, linkLocal + "%" + tap.name());
            assertTrue(ll.contains("1 received"), ll);
            assertTrue(counters.get("icmp6.out.echo_replies") >= 2);
            assertTrue(counters.get("nd.out.neighbor_advertisements") >= 1);

            // and netstack4j pings the kernel
            int[] replies = {0};
            ip.setEchoReplyListener(new org.netstack4j.ip.EchoReplyListener() {
                @Override public void onEchoReply(long now, Ipv4Address from, int id, int seq, int ttl, byte[] data) {}
                @Override public void onEchoReply6(long now, Ipv6Address from, int id, int seq, int hopLimit, byte[] data) {
                    if (from.equals(KERNEL)) replies[0]++;
                }
            });
            ip.ping6(System.nanoTime(), KERNEL, 1, 1, new byte[] {1, 2, 3}, -1);
            run(dev, ip, () -> replies[0] > 0, Time.s(5));
            assertEquals(1, replies[0], "the kernel answers netstack4j's echo request");

            String neigh = LinuxNet.ip(ns, "-6", "neigh", "show", US.toString());
            assertTrue(neigh.contains("lladdr 02:00:00:00:06:02") && neigh.contains("REACHABLE"),
                    "kernel neighbour table should show netstack4j REACHABLE: " + neigh);
            assertEquals(0, dev.stats().txErrors());
        } finally {
            if (tap != null) tap.close();
            LinuxNet.netnsDeleteQuietly(ns);
        }
    }

    @Test
    void routerAdvertisementGivesASlaacAddressAndDadRefusesOneInUse() throws Exception {
        RootEnv.requirePing();
        String why = ScapyCheck.why();
        org.junit.jupiter.api.Assumptions.assumeTrue(why == null, why);
        String ns = RootEnv.netnsName();
        TapDevice tap = null;
        try {
            tap = kernelSide(ns);
            Counters counters = new Counters();
            IpStack ip = stack(tap, counters, 14);
            // the kernel's address: our DAD's neighbor solicitation from :: gets the kernel's advertisement
            ip.addIpv6Address("tap0", KERNEL, 64);
            TapDevice dev = tap;
            BooleanSupplier settled = () -> ip.ipv6Addresses().stream().noneMatch(a -> a.state() == Ipv6AddressState.State.TENTATIVE);
            run(dev, ip, settled, Time.s(5));
            Ipv6AddressState taken = ip.ipv6Addresses().stream().filter(a -> a.address().equals(KERNEL)).findFirst().orElseThrow();
            assertEquals(Ipv6AddressState.State.DUPLICATE, taken.state(), "DAD must refuse the kernel's address: " + ip.ipv6Addresses());
            assertEquals(1, counters.get("nd.dad.duplicates"));
            assertTrue(ip.ipv6Addresses().stream().anyMatch(a -> a.address().isLinkLocal() && a.state() == Ipv6AddressState.State.PREFERRED),
                    "our link-local address is unique and kept: " + ip.ipv6Addresses());

            // a router advertisement from the kernel's side: prefix fd00:214::/64 with A and L, router lifetime 1800 s
            String script = String.join("\n",
                    "from scapy.all import Ether, IPv6, ICMPv6ND_RA, ICMPv6NDOptPrefixInfo, ICMPv6NDOptSrcLLAddr, ICMPv6NDOptMTU, sendp, get_if_hwaddr",
                    "mac = get_if_hwaddr('" + tap.name() + "')",
                    "ra = (Ether(src=mac, dst='33:33:00:00:00:01') / IPv6(src='fe80::1', dst='ff02::1', hlim=255)",
                    "      / ICMPv6ND_RA(routerlifetime=1800) / ICMPv6NDOptSrcLLAddr(lladdr=mac) / ICMPv6NDOptMTU(mtu=1400)",
                    "      / ICMPv6NDOptPrefixInfo(prefix='fd00:214::', prefixlen=64, L=1, A=1, validlifetime=3600, preferredlifetime=1800))",
                    "sendp(ra, iface='" + tap.name() + "', verbose=False)");
            Process scapy = LinuxNet.netnsStart(ns, "/usr/bin/python3", "-c", script);
            BooleanSupplier slaac = () -> ip.ipv6Addresses().stream()
                    .anyMatch(a -> a.address().toString().startsWith("fd00:214:") && a.state() == Ipv6AddressState.State.PREFERRED);
            run(dev, ip, () -> slaac.getAsBoolean() && !scapy.isAlive(), Time.s(20));
            String scapyOut = new String(scapy.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(scapy.waitFor(5, TimeUnit.SECONDS) && scapy.exitValue() == 0, "scapy: " + scapyOut);
            assertTrue(slaac.getAsBoolean(), "no SLAAC address from the advertisement: " + ip.ipv6Addresses());
            assertEquals(1, counters.get("nd.slaac.addresses"));
            Ipv6AddressState a = ip.ipv6Addresses().stream().filter(x -> x.address().toString().startsWith("fd00:214:")).findFirst().orElseThrow();
            assertEquals(64, a.prefixLength());
            assertEquals(1400, ip.mtuFor(Ipv6Address.parse("fd00:215::9")), "the default route via the router, with the advertised MTU");

            // the kernel reaches the SLAAC address (its route to the prefix is on the TAP)
            LinuxNet.ip(ns, "-6", "route", "add", "fd00:214::/64", "dev", tap.name());
            String out = ping(ns, dev, ip, a.address().toString());
            assertTrue(out.contains("1 received"), out);
        } finally {
            if (tap != null) tap.close();
            LinuxNet.netnsDeleteQuietly(ns);
        }
    }

    /**
     * Router solicitation over TAP with an IPv6-only interface (RFC 4861 6.3.7, issue 13): the test
     * plays the router with Scapy on the kernel's side. It sees netstack4j's RS (to ff02::2, hop
     * limit 255, from our link-local address with our MAC as source link-layer option, or from ::
     * without it while DAD runs) and answers with an RA carrying prefix fd00:216::/64; netstack4j
     * stops soliciting, forms its SLAAC address, and the kernel pings it. No ARP goes out.
     */
    @Test
    void routerSolicitationIsAnsweredAndGivesSlaacOnAnIpv6OnlyTap() throws Exception {
        RootEnv.requirePing();
        String why = ScapyCheck.why();
        org.junit.jupiter.api.Assumptions.assumeTrue(why == null, why);
        String ns = RootEnv.netnsName();
        TapDevice tap = null;
        java.nio.file.Path log = java.nio.file.Files.createTempFile("nsj-rs", ".log");
        try {
            tap = kernelSide(ns);
            Counters counters = new Counters();
            IpStack ip = new IpStack(Tracer.NONE, counters, 15);
            ip.addInterface(IpInterface.ipv6Only("tap0", tap, US_MAC));
            String script = String.join("\n",
                    "import sys",
                    "from scapy.all import AsyncSniffer, Ether, IPv6, ICMPv6ND_RS, ICMPv6ND_RA, ICMPv6NDOptPrefixInfo, ICMPv6NDOptSrcLLAddr, sendp, get_if_hwaddr",
                    "iface = '" + tap.name() + "'",
                    "mac = get_if_hwaddr(iface)",
                    "s = AsyncSniffer(iface=iface, lfilter=lambda p: p.haslayer(ICMPv6ND_RS) and p[Ether].src != mac, count=1, timeout=20)",
                    "s.start()",
                    "import time; time.sleep(0.5)",
                    "print('ready', flush=True)",
                    "s.join()",
                    "if not s.results: print('no RS'); sys.exit(3)",
                    "rs = s.results[0]",
                    "lla = rs[ICMPv6NDOptSrcLLAddr].lladdr if rs.haslayer(ICMPv6NDOptSrcLLAddr) else '-'",
                    "print('RS src=%s dst=%s hlim=%d lladdr=%s ethsrc=%s' % (rs[IPv6].src, rs[IPv6].dst, rs[IPv6].hlim, lla, rs[Ether].src), flush=True)",
                    "ra = (Ether(src=mac, dst='33:33:00:00:00:01') / IPv6(src='fe80::1', dst='ff02::1', hlim=255)",
                    "      / ICMPv6ND_RA(routerlifetime=1800) / ICMPv6NDOptSrcLLAddr(lladdr=mac)",
                    "      / ICMPv6NDOptPrefixInfo(prefix='fd00:216::', prefixlen=64, L=1, A=1, validlifetime=3600, preferredlifetime=1800))",
                    "sendp(ra, iface=iface, verbose=False)",
                    "print('RA sent', flush=True)");
            Process scapy = new ProcessBuilder(LinuxNet.ipCommand(), "netns", "exec", ns, "/usr/bin/python3", "-c", script)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                TapDevice dev = tap;
                long until = System.nanoTime() + Time.s(30);
                while (!java.nio.file.Files.readString(log).contains("ready") && scapy.isAlive() && System.nanoTime() < until) Thread.sleep(50);
                assertTrue(java.nio.file.Files.readString(log).contains("ready"), "scapy: " + java.nio.file.Files.readString(log));
                ip.enableSlaac("tap0");
                BooleanSupplier slaac = () -> ip.ipv6Addresses().stream()
                        .anyMatch(a -> a.address().toString().startsWith("fd00:216:") && a.state() == Ipv6AddressState.State.PREFERRED);
                run(dev, ip, () -> slaac.getAsBoolean() && !scapy.isAlive(), Time.s(30));
                assertTrue(scapy.waitFor(5, TimeUnit.SECONDS), "scapy did not finish");
                String out = java.nio.file.Files.readString(log);
                assertEquals(0, scapy.exitValue(), "scapy: " + out);
                assertTrue(out.contains("dst=ff02::2 hlim=255"), "an RS to all-routers with hop limit 255: " + out);
                assertTrue(out.contains("ethsrc=02:00:00:00:06:02"), out);
                boolean fromLinkLocal = out.contains("RS src=fe80::") && out.contains("lladdr=02:00:00:00:06:02");
                boolean fromUnspecified = out.contains("RS src=:: ") && out.contains("lladdr=-");
                assertTrue(fromLinkLocal || fromUnspecified, "from our link-local with our MAC, or from :: without it (RFC 4861 4.1): " + out);
                assertTrue(slaac.getAsBoolean(), "no SLAAC address from the advertisement: " + ip.ipv6Addresses());
                // the RA stops the solicitations: no more in the next 5 s (the interval is 4 s)
                long rs = counters.get("nd.out.router_solicits");
                assertTrue(rs >= 1 && rs <= 3, "solicitations: " + rs);
                run(dev, ip, () -> false, Time.s(5));
                assertEquals(rs, counters.get("nd.out.router_solicits"), "no solicitation after the advertisement");
                Ipv6AddressState a = ip.ipv6Addresses().stream().filter(x -> x.address().toString().startsWith("fd00:216:")).findFirst().orElseThrow();
                LinuxNet.ip(ns, "-6", "route", "add", "fd00:216::/64", "dev", tap.name());
                String ping = ping(ns, dev, ip, a.address().toString());
                assertTrue(ping.contains("1 received"), ping);
                assertEquals(0, counters.get("arp.out.requests"), "an IPv6-only interface sends no ARP");
                assertEquals(0, counters.get("ipv4.out.requests"));
            } finally {
                scapy.destroyForcibly();
            }
        } finally {
            if (tap != null) tap.close();
            LinuxNet.netnsDeleteQuietly(ns);
            java.nio.file.Files.deleteIfExists(log);
        }
    }

    /** A TAP moved into a new namespace {@code ns}, the kernel's side up with fd00:213::1/64. */
    private static TapDevice kernelSide(String ns) throws Exception {
        TapDevice tap = TapDevice.open(RootEnv.ifName('6'), 1500);
        try {
            LinuxNet.netnsAdd(ns);
            LinuxNet.linkSetNetns(tap.name(), ns);
            LinuxNet.ip(ns, "-6", "addr", "add", "fd00:213::1/64", "dev", tap.name(), "nodad");
            LinuxNet.linkUp(ns, tap.name());
            return tap;
        } catch (Exception e) {
            tap.close();
            throw e;
        }
    }

    /** netstack4j's IP layer on the TAP as "tap0" (10.213.6.2/24 and, once enabled, IPv6). */
    private static IpStack stack(TapDevice tap, Counters counters, long seed) {
        IpStack ip = new IpStack(Tracer.NONE, counters, seed);
        ip.addInterface(new IpInterface("tap0", tap, US_MAC, Ipv4Address.of(10, 213, 6, 2), 24));
        return ip;
    }

    /** Whether the system python has Scapy (scripts/install-deps.sh installs python3-scapy). */
    private static final class ScapyCheck {
        static String why() {
            try {
                LinuxNet.Result r = LinuxNet.exec(java.util.List.of("/usr/bin/python3", "-c", "import scapy.all"));
                return r.ok() ? null : "python3 with Scapy not found (apt-get install -y python3-scapy; scripts/install-deps.sh)";
            } catch (LinuxNet.CommandException e) {
                return "python3 with Scapy not found (apt-get install -y python3-scapy): " + e.getMessage();
            }
        }
    }

    /** Starts {@code ping -6 -c 1} in the namespace and drives the stack until it ends; its output. */
    private static String ping(String ns, TapDevice dev, IpStack ip, String target) throws Exception {
        Process p = LinuxNet.netnsStart(ns, "ping", "-6", "-c", "1", "-W", "5", target);
        try {
            run(dev, ip, () -> !p.isAlive(), Time.s(10));
            assertTrue(p.waitFor(5, TimeUnit.SECONDS), "ping did not finish");
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }

    /** The stack's loop on this thread: frames from the TAP in, the stack's deadlines served, until done or timeout. */
    private static void run(TapDevice dev, IpStack ip, BooleanSupplier done, long timeoutNs) {
        long deadline = System.nanoTime() + timeoutNs;
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            if (dev.awaitReadable(Time.ms(20))) dev.readAvailable(System.nanoTime());
            long now = System.nanoTime();
            if (ip.pollAt() <= now) ip.poll(now);
        }
    }
}
