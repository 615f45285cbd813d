package org.netstack4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.netstack4j.device.PcapReader;
import org.netstack4j.wire.Dissection;
import org.netstack4j.wire.Dissector;
import org.netstack4j.wire.LinkType;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Field-by-field dissection of packets given as hex or read from a pcap file. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        header = "Decodes a packet (hex or pcap) field by field, layer by layer.",
        description = {
            "Decodes a packet given as hex (or every packet of a pcap file) and prints every header",
            "of every layer field by field, in the order of the RFC diagrams, with checksum validity.",
            "A malformed packet shows how far it was parsed and why parsing stopped (exit status 1)."},
        footer = {"", "Examples:",
            "  netstack4j decode 45000028000100004006...           (an IPv4 packet)",
            "  netstack4j decode 6000000000203aff fe80...          (an IPv6 packet)",
            "  netstack4j decode --link ethernet 'ff ff ff ff ff ff 02 00 ...'",
            "  netstack4j decode --pcap capture.pcap"})
public final class DecodeCommand implements java.util.concurrent.Callable<Integer> {
    @Spec CommandSpec spec;

    static final class Source {
        @Parameters(paramLabel = "HEX", arity = "1..*", description = "Packet bytes in hex; spaces, colons and a 0x prefix are allowed.")
        String[] hex;

        @Option(names = "--pcap", paramLabel = "FILE", required = true, description = "Decode every packet of a classic pcap file.")
        Path pcap;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    enum Link { AUTO, ETHERNET, IP }

    @Option(names = "--link", paramLabel = "TYPE", description = "What the hex starts with: auto, ethernet or ip (default: ${DEFAULT-VALUE}: IPv4 if the first byte is 0x45-0x4f, IPv6 if it is 0x6_ and the payload length fits, else Ethernet).")
    Link link = Link.AUTO;

    @Override public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        int status = 0;
        if (source.pcap != null) {
            Path file = source.pcap;
            if (!Files.isRegularFile(file)) throw new Main.UsageError("--pcap: no such file: " + file);
            int n = 0;
            try (PcapReader reader = PcapReader.open(file)) {
                if (reader.linkType() == null)
                    throw new Main.UsageError("--pcap " + file + ": link type " + reader.linkTypeCode()
                            + " is not supported (only 1 Ethernet and 101 raw IP)");
                LinkType lt = reader.linkType();
                PcapReader.Record r;
                while ((r = reader.next()) != null) {
                    n++;
                    out.printf("Packet %d, %.6f s, %d bytes%n", n, r.timeNs() / 1e9, r.data().length);
                    Dissection d = Dissector.dissect(r.data(), 0, r.data().length, lt);
                    out.println(indent(d.render()));
                    if (d.error().isPresent()) status = 1;
                }
            } catch (PcapReader.PcapFormatException e) {
                throw new Main.UsageError("--pcap " + file + ": " + e.getMessage());
            }
            if (n == 0) out.println("(no packets in " + file + ")");
        } else {
            byte[] bytes = parseHex(String.join("", source.hex));
            LinkType lt = switch (link) {
                case ETHERNET -> LinkType.ETHERNET;
                case IP -> LinkType.RAW_IP;
                case AUTO -> looksLikeIp(bytes) ? LinkType.RAW_IP : LinkType.ETHERNET;
            };
            Dissection d = Dissector.dissect(bytes, 0, bytes.length, lt);
            out.println(d.render());
            if (d.error().isPresent()) status = 1;
        }
        out.flush();
        return status;
    }

    /**
     * IPv4 when the first byte is 0x45-0x4f. IPv6 when the version is 6 and the payload length
     * accounts for exactly the bytes given, or fits them while bytes 12-13 are not an EtherType
     * this tool reads (an Ethernet frame whose destination MAC starts with 6 stays Ethernet).
     */
    static boolean looksLikeIp(byte[] b) {
        if ((b[0] & 0xf0) == 0x40 && (b[0] & 0x0f) >= 5) return true;
        if ((b[0] & 0xf0) != 0x60 || b.length < 40) return false;
        int total = 40 + ((b[4] & 0xff) << 8 | (b[5] & 0xff));
        int etherType = (b[12] & 0xff) << 8 | (b[13] & 0xff);
        return total == b.length || total < b.length && etherType != 0x0800 && etherType != 0x0806 && etherType != 0x86dd;
    }

    private static String indent(String s) {
        return "  " + s.replace("\n", "\n  ").stripTrailing();
    }

    /** Hex digits with optional separators; anything else is a usage error naming the culprit. */
    static byte[] parseHex(String text) {
        String t = text.replace("0x", "").replace("0X", "").replaceAll("[\\s:.-]", "");
        if (t.isEmpty()) throw new Main.UsageError("no hex digits given; example: netstack4j decode 4500001c...");
        for (int i = 0; i < t.length(); i++) {
            if (Character.digit(t.charAt(i), 16) < 0)
                throw new Main.UsageError("not hex: '" + t.charAt(i) + "' at position " + (i + 1)
                        + "; give the packet as hex digits, e.g. 45 00 00 1c ...");
        }
        if (t.length() % 2 != 0)
            throw new Main.UsageError("odd number of hex digits (" + t.length() + "): every byte needs two digits");
        return HexFormat.of().parseHex(t);
    }
}
