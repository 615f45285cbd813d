package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabCommandTest {
    @TempDir Path dir;

    @Test void runsATopologyWithAScript() throws Exception {
        Path topo = Files.writeString(dir.resolve("lan.topo"),
                "host A 10.0.0.1/24\nhub h\nhost B 10.0.0.2/24\nhost C 10.0.0.3/24\nlink A h\nlink B h\nlink C h\n");
        Path steps = Files.writeString(dir.resolve("steps"), "at 0 ms: A ping B\n");
        Cli r = Cli.run("lab", "run", topo.toString(), "--script", steps.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("repeat: ICMP echo request 10.0.0.1 > 10.0.0.2"), r.out());
        assertTrue(r.out().contains("NIC: frame for"), "C's NIC discards what the hub repeats to it: " + r.out());
        Cli zh = Cli.run("lab", "run", topo.toString(), "--script", steps.toString(), "--lang", "zh", "--format", "json");
        assertEquals(0, zh.status(), zh.err());
        assertTrue(zh.out().contains("\"kind\":\"hub\"") && zh.out().contains("网卡"), zh.out());
    }

    @Test void runsARouterAndFirewallTopologyAsAPage() throws Exception {
        Path topo = Files.writeString(dir.resolve("gw.topo"), """
                host A 10.0.1.1/24
                firewall FW 10.0.1.254/24 10.0.2.254/24
                host B 10.0.2.1/24
                link A FW
                link FW B mtu=576
                route A default via 10.0.1.254
                route B default via 10.0.2.254
                rule FW chain forward policy drop
                rule FW accept state established,related
                rule FW accept in eth0 out eth1
                at 0 ms: A ping B
                at 10 ms: B ping A
                """);
        Cli r = Cli.run("lab", "run", topo.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("ICMP echo request 10.0.1.1 > 10.0.2.1 seq 1 ttl 63"), "FW forwards, TTL 63: " + r.out());
        assertTrue(r.out().contains("drop (netfilter): FORWARD"), "B's ping is dropped: " + r.out());
        Cli html = Cli.run("lab", "run", topo.toString(), "--format", "html");
        assertEquals(0, html.status(), html.err());
        assertTrue(html.out().startsWith("<!DOCTYPE html>") && html.out().contains("防火墙"), html.out().substring(0, 100));
    }

    @Test void fileErrorsNameTheLine() throws Exception {
        Path topo = Files.writeString(dir.resolve("bad.topo"), "host A 10.0.0.1/24\nhost B 10.0.0.2/24\nlink A B mtu=12\n");
        Cli r = Cli.run("lab", "run", topo.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("bad.topo:3: "), r.err());
        Path ok = Files.writeString(dir.resolve("ok.topo"), "host A 10.0.0.1/24\nhost B 10.0.0.2/24\nlink A B\n");
        Path steps = Files.writeString(dir.resolve("s"), "at 1 ms: A ping\n");
        r = Cli.run("lab", "run", ok.toString(), "--script", steps.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("s:1: "), r.err());
    }
}
