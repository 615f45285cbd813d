package org.netstack4j.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.netstack4j.host.TwoHostNetwork;
import org.netstack4j.ip.UdpSocket;
import org.netstack4j.lab.Explain;
import org.netstack4j.lab.Lang;
import org.netstack4j.lab.scenario.Scenario;
import org.netstack4j.lab.scenario.ScenarioOptions;
import org.netstack4j.lab.scenario.Scenarios;
import org.netstack4j.time.Time;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.wire.EthernetRepr;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Parsed;
import org.netstack4j.wire.UdpRepr;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The layer models and the header diagrams, filled with values from a real run. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        header = "Explains the network layers and the TCP and UDP headers with real packets.",
        description = {
            "layers:     the OSI and TCP/IP models side by side, the protocols and devices of each",
            "            layer, and which part of netstack4j implements it.",
            "tcp-header: the TCP header diagram of RFC 9293 filled with the client's SYN from a",
            "            handshake run on the simulator.",
            "udp-header: the UDP header diagram of RFC 768 filled with a datagram from a run."},
        footer = {"", "Example: netstack4j explain tcp-header --lang zh"})
public final class ExplainCommand implements java.util.concurrent.Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "TOPIC", description = "layers, tcp-header or udp-header.")
    String topic;

    @Option(names = "--lang", paramLabel = "LANG", description = "en or zh (default: en).")
    String lang = "en";

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the run the header values come from (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Override public Integer call() {
        Lang l = Options.lang(lang);
        PrintWriter w = spec.commandLine().getOut();
        String text = switch (topic.toLowerCase(Locale.ROOT)) {
            case "layers" -> Explain.layers(l);
            case "tcp-header", "tcp" -> tcpHeader(l);
            case "udp-header", "udp" -> udpHeader(l);
            default -> throw new Main.UsageError("no topic '" + topic + "'; choose layers, tcp-header or udp-header");
        };
        w.print(text);
        if (!text.endsWith("\n")) w.println();
        w.flush();
        return 0;
    }

    private String tcpHeader(Lang l) {
        Scenario handshake = Scenarios.byName("handshake").orElseThrow();
        Scenario.Result r = handshake.run(ScenarioOptions.defaults().withSeed(seed));
        for (TraceEvent e : r.client()) {
            if (e instanceof TraceEvent.Segment s && !s.in())
                return Explain.tcpHeader(s.src(), s.dst(), s.tcp(), new byte[s.payloadLength()], l);
        }
        throw new IllegalStateException("the handshake run sent no segment");
    }

    private String udpHeader(Lang l) {
        byte[][] seen = new byte[1][];
        try (TwoHostNetwork net = TwoHostNetwork.builder().seed(seed).build()) {
            net.clientFaults().setDropFilter(frame -> {
                if (seen[0] == null && isUdp(frame)) seen[0] = frame.clone();
                return false;
            });
            UdpSocket server = net.server().ip().udpBind(TwoHostNetwork.SERVER_ADDRESS, 53);
            UdpSocket client = net.client().ip().udpBind(TwoHostNetwork.CLIENT_ADDRESS, 0);
            byte[] msg = "hello, UDP".getBytes(StandardCharsets.US_ASCII);
            client.sendTo(net.now(), TwoHostNetwork.SERVER_ADDRESS, 53, msg, 0, msg.length);
            net.runUntil(() -> seen[0] != null && server.receive() != null, Time.s(5));
        }
        if (seen[0] == null) throw new IllegalStateException("the run sent no UDP datagram");
        byte[] f = seen[0];
        Ipv4Repr ip = Ipv4Repr.parse(f, EthernetRepr.HEADER_LENGTH, f.length - EthernetRepr.HEADER_LENGTH).value();
        int off = EthernetRepr.HEADER_LENGTH + ip.headerLength();
        UdpRepr udp = UdpRepr.parse(ip.src(), ip.dst(), f, off, ip.payloadLength()).value();
        int plen = UdpRepr.payloadLength(f, off);
        byte[] payload = java.util.Arrays.copyOfRange(f, off + UdpRepr.HEADER_LENGTH, off + UdpRepr.HEADER_LENGTH + plen);
        return Explain.udpHeader(ip.src(), ip.dst(), udp, payload, l);
    }

    private static boolean isUdp(byte[] frame) {
        if (!(EthernetRepr.parse(frame, 0, frame.length) instanceof Parsed.Ok<EthernetRepr> eth)
                || eth.value().etherType() != EthernetRepr.ETHERTYPE_IPV4) return false;
        return Ipv4Repr.parse(frame, EthernetRepr.HEADER_LENGTH, frame.length - EthernetRepr.HEADER_LENGTH)
                instanceof Parsed.Ok<Ipv4Repr> ip && ip.value().protocol() == Ipv4Repr.PROTO_UDP;
    }
}
