package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Packets made by Scapy (an independent implementation) with known field values, decoded by
 * our codecs field for field: IPv6, extension headers with the verdict a host reaches, ICMPv6,
 * Neighbor Discovery and its options, TCP and UDP over IPv6. The generator is
 * src/test/resources/scapy/ipv6_packets.py. Skips with the reason when Scapy is missing,
 * unless CI=true, where it fails (scripts/install-deps.sh installs python3-scapy).
 */
class ScapyIpv6Test {

    @Test void scapyPacketsDecodeFieldForField() throws Exception {
        String python = pythonWithScapy();
        if (python == null) {
            String why = "python3 with Scapy not found (apt-get install -y python3-scapy)";
            if ("true".equals(System.getenv("CI"))) fail(why + ": CI must run this test");
            Assumptions.abort(why + ": skipping the Scapy cross-check");
        }
        Path script = Path.of(ScapyIpv6Test.class.getResource("/scapy/ipv6_packets.py").toURI());
        int checked = 0;
        for (String seed : new String[] {"7", "8"}) {
            List<String> lines = run(List.of(python, script.toString(), seed));
            assertTrue(lines.size() >= 80, "expected at least 80 packets from Scapy, got " + lines.size());
            for (String line : lines) {
                String[] parts = line.split("\\|", 3);
                String name = parts[0];
                byte[] p = HexFormat.of().parseHex(parts[1]);
                Map<String, String> want = new LinkedHashMap<>();
                for (String kv : parts[2].split(";")) {
                    int eq = kv.indexOf('=');
                    want.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                Map<String, String> got = decode(p);
                Dissection d = Dissector.dissect(p, 0, p.length, LinkType.RAW_IP);
                assertFalse(d.internalError(), d::render);
                assertTrue(d.error().isEmpty(), () -> name + " seed " + seed + "\n" + d.render());
                for (Map.Entry<String, String> e : want.entrySet()) {
                    assertEquals(e.getValue(), got.get(e.getKey()), () -> name + " (seed " + seed + "): field " + e.getKey()
                            + "\nScapy: " + want + "\nours:  " + got + "\n" + d.render());
                    checked++;
                }
            }
        }
        assertTrue(checked > 1500, "only " + checked + " fields compared");
    }

    /** Our reading of the packet, in the generator's key names. */
    static Map<String, String> decode(byte[] p) {
        Map<String, String> f = new LinkedHashMap<>();
        Ipv6Repr ip = Ipv6Repr.parse(p, 0, p.length).value();
        f.put("ip.tc", str(ip.trafficClass()));
        f.put("ip.fl", str(ip.flowLabel()));
        f.put("ip.plen", str(ip.payloadLength()));
        f.put("ip.nh", str(ip.nextHeader()));
        f.put("ip.hlim", str(ip.hopLimit()));
        f.put("ip.src", ip.src().toString());
        f.put("ip.dst", ip.dst().toString());
        f.put("verdict", switch (Ipv6Chain.walk(p, 0, p.length)) {
            case Ipv6Chain.Verdict.Deliver d -> "deliver";
            case Ipv6Chain.Verdict.Reassemble r -> "reassemble";
            case Ipv6Chain.Verdict.ParameterProblem pp -> "pp:" + pp.code() + ":" + pp.pointer();
            case Ipv6Chain.Verdict.Drop d -> "drop";
            case Ipv6Chain.Verdict.Invalid in -> "invalid: " + in.problem();
        });
        // every extension header, whatever the verdict (structure only), up to a later fragment's data
        int nh = ip.nextHeader(), at = 40, i = 0;
        while (Ipv6ExtensionHeader.isExtension(nh)) {
            Ipv6ExtensionHeader h = Ipv6ExtensionHeader.parse(nh, p, at, p.length).value();
            String k = "ext." + i + ".";
            f.put(k + "nh", str(h.nextHeader()));
            switch (h) {
                case Ipv6ExtensionHeader.HopByHop x -> { f.put(k + "kind", "hbh"); f.put(k + "opts", types(x.options())); }
                case Ipv6ExtensionHeader.DestinationOptions x -> { f.put(k + "kind", "dst"); f.put(k + "opts", types(x.options())); }
                case Ipv6ExtensionHeader.Routing x -> {
                    f.put(k + "kind", "rt");
                    f.put(k + "rtype", str(x.routingType()));
                    f.put(k + "segleft", str(x.segmentsLeft()));
                }
                case Ipv6ExtensionHeader.Fragment x -> {
                    f.put(k + "kind", "frag");
                    f.put(k + "offset", str(x.fragmentOffset()));
                    f.put(k + "m", bit(x.more()));
                    f.put(k + "id", Integer.toUnsignedString(x.identification()));
                }
            }
            nh = h.nextHeader();
            at += h.length();
            i++;
            if (h instanceof Ipv6ExtensionHeader.Fragment x && x.fragmentOffset() != 0) break; // fragment data follows, not headers
        }
        f.put("ext.count", str(i));
        if (Ipv6Chain.walk(p, 0, p.length) instanceof Ipv6Chain.Verdict.Deliver d) upper(f, ip, p, d);
        return f;
    }

    private static void upper(Map<String, String> f, Ipv6Repr ip, byte[] p, Ipv6Chain.Verdict.Deliver d) {
        int off = d.offset(), len = d.length();
        long pseudo = Checksum.pseudoHeaderSum(ip.src(), ip.dst(), d.nextHeader(), len);
        switch (d.nextHeader()) {
            case Ipv6Repr.NH_UDP -> {
                UdpHeaderView u = UdpHeaderView.of(p, off, len).value();
                f.put("udp.sport", str(u.srcPort()));
                f.put("udp.dport", str(u.dstPort()));
                f.put("udp.len", str(u.length()));
                f.put("udp.cksum_ok", String.valueOf(Checksum.finish(Checksum.sum(pseudo, p, off, len)) == 0));
            }
            case Ipv6Repr.NH_TCP -> {
                TcpHeaderView t = TcpHeaderView.of(p, off, len).value();
                f.put("tcp.sport", str(t.srcPort()));
                f.put("tcp.dport", str(t.dstPort()));
                f.put("tcp.seq", Integer.toUnsignedString(t.seq()));
                f.put("tcp.cksum_ok", String.valueOf(Checksum.finish(Checksum.sum(pseudo, p, off, len)) == 0));
            }
            case Ipv6Repr.NH_ICMPV6 -> icmp(f, Icmpv6Repr.parse(ip.src(), ip.dst(), p, off, len));
            default -> { }
        }
    }

    private static void icmp(Map<String, String> f, Parsed<Icmpv6Repr> parsed) {
        if (!(parsed instanceof Parsed.Ok<Icmpv6Repr>(Icmpv6Repr m))) {
            f.put("icmp.cksum_ok", parsed.toString());
            return;
        }
        f.put("icmp.type", str(m.type()));
        f.put("icmp.code", str(m.code()));
        f.put("icmp.cksum_ok", "true");
        switch (m) {
            case Icmpv6Repr.EchoRequest e -> echo(f, e.identifier(), e.sequence(), e.data().length);
            case Icmpv6Repr.EchoReply e -> echo(f, e.identifier(), e.sequence(), e.data().length);
            case Icmpv6Repr.PacketTooBig t -> f.put("icmp.mtu", Long.toString(t.mtu()));
            case Icmpv6Repr.ParameterProblem pp -> f.put("icmp.ptr", Long.toString(pp.pointer()));
            case Icmpv6Repr.RouterAdvertisement ra -> {
                f.put("ra.chlim", str(ra.curHopLimit()));
                f.put("ra.M", bit(ra.managed()));
                f.put("ra.O", bit(ra.other()));
                f.put("ra.H", str((ra.flags() >>> 5) & 1));
                f.put("ra.prf", str((ra.flags() >>> 3) & 3));
                f.put("ra.P", str((ra.flags() >>> 2) & 1));
                f.put("ra.lifetime", str(ra.routerLifetime()));
                f.put("ra.reachable", Long.toString(ra.reachableTime()));
                f.put("ra.retrans", Long.toString(ra.retransTimer()));
                options(f, ra.options());
            }
            case Icmpv6Repr.RouterSolicitation rs -> options(f, rs.options());
            case Icmpv6Repr.NeighborSolicitation ns -> {
                f.put("nd.tgt", ns.target().toString());
                options(f, ns.options());
            }
            case Icmpv6Repr.NeighborAdvertisement na -> {
                f.put("na.R", bit(na.router()));
                f.put("na.S", bit(na.solicited()));
                f.put("na.O", bit(na.override()));
                f.put("nd.tgt", na.target().toString());
                options(f, na.options());
            }
            case Icmpv6Repr.Redirect r -> {
                f.put("nd.tgt", r.target().toString());
                f.put("nd.dst", r.destination().toString());
                options(f, r.options());
            }
            case Icmpv6Repr.DestinationUnreachable x -> { }
            case Icmpv6Repr.TimeExceeded x -> { }
            case Icmpv6Repr.Other x -> { }
        }
    }

    private static void echo(Map<String, String> f, int id, int seq, int dataLength) {
        f.put("icmp.id", str(id));
        f.put("icmp.seq", str(seq));
        f.put("icmp.datalen", str(dataLength));
    }

    private static void options(Map<String, String> f, List<NdOption> options) {
        for (int i = 0; i < options.size(); i++) {
            String k = "opt." + i + ".";
            NdOption o = options.get(i);
            f.put(k + "type", str(o.type()));
            switch (o) {
                case NdOption.SourceLinkLayerAddress s -> f.put(k + "lladdr", s.address().toString());
                case NdOption.TargetLinkLayerAddress t -> f.put(k + "lladdr", t.address().toString());
                case NdOption.Mtu m -> f.put(k + "mtu", Long.toString(m.mtu()));
                case NdOption.PrefixInformation pi -> {
                    f.put(k + "prefixlen", str(pi.prefixLength()));
                    f.put(k + "L", bit(pi.onLink()));
                    f.put(k + "A", bit(pi.autonomous()));
                    f.put(k + "valid", Long.toString(pi.validLifetime()));
                    f.put(k + "preferred", Long.toString(pi.preferredLifetime()));
                    f.put(k + "prefix", pi.prefix().toString());
                }
                case NdOption.RedirectedHeader r -> { }
                case NdOption.Unknown u -> { }
            }
        }
        f.put("opt.count", str(options.size()));
    }

    private static String types(List<Ipv6Option> options) {
        return options.stream().map(o -> str(o.type())).collect(Collectors.joining(","));
    }

    private static String str(int v) { return Integer.toString(v); }
    private static String bit(boolean b) { return b ? "1" : "0"; }

    /** The first of python3 and /usr/bin/python3 that can import Scapy (pyenv shims may hide the system one). */
    static String pythonWithScapy() {
        for (String py : new String[] {"python3", "/usr/bin/python3"}) {
            try {
                Process pr = new ProcessBuilder(py, "-c", "import scapy.all").redirectErrorStream(true).start();
                pr.getInputStream().readAllBytes();
                if (pr.waitFor(120, TimeUnit.SECONDS) && pr.exitValue() == 0) return py;
                pr.destroyForcibly();
            } catch (IOException e) {
                // not installed: try the next one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private static List<String> run(List<String> command) throws IOException, InterruptedException {
        Process pr = new ProcessBuilder(command).start();
        byte[] err = pr.getErrorStream().readAllBytes(); // small: Scapy warnings are silenced
        String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(pr.waitFor(120, TimeUnit.SECONDS), "Scapy generator timed out");
        assertEquals(0, pr.exitValue(), () -> "Scapy generator failed:\n" + new String(err, StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        for (String l : out.split("\n")) if (!l.isBlank()) lines.add(l.strip());
        return lines;
    }
}
