package org.netstack4j.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.netstack4j.packetdrill.Options;
import org.netstack4j.packetdrill.Profile;
import org.netstack4j.packetdrill.Runner;
import org.netstack4j.packetdrill.Summary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Runs packetdrill scripts against a fresh netstack4j stack each, in virtual time. */
@Command(name = "packetdrill", mixinStandardHelpOptions = true,
        header = "Runs packetdrill scripts against netstack4j in virtual time.",
        description = {
            "Runs each packetdrill script (.pkt; directories are searched recursively) against a fresh",
            "netstack4j TCP stack in virtual time and prints one line per script: PASS, FAIL (the first",
            "mismatch: script line, expected and actual) or SKIP (the construct that is not supported).",
            "The last line is 'N passed, M failed, K skipped'; exit status 1 if anything failed."},
        footer = {"", "Example: netstack4j packetdrill --profile auto ../shared/conformance/packetdrill",
            "         netstack4j packetdrill --ip_version ipv6 --mtu 1520 ../shared/conformance/packetdrill"})
public final class PacketdrillCommand implements java.util.concurrent.Callable<Integer> {
    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Scripts or directories of scripts.")
    List<Path> paths;

    @Option(names = "--profile", paramLabel = "P", description = "auto (per script, from its markers), freebsd or linux (default: ${DEFAULT-VALUE}).")
    String profile = "auto";

    @Option(names = {"-v", "--verbose"}, description = "Show each script's conversation: segments in and out, calls and results.")
    boolean verbose;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write a JSON report to FILE.")
    Path json;

    @Option(names = "--ip_version", paramLabel = "V", description = "The address family the scripts run over, as packetdrill's flag: ipv4 (default), ipv6 or ipv4-mapped-ipv6.")
    String ipVersion;

    @Option(names = "--mtu", paramLabel = "N", description = "The link MTU (packetdrill's --mtu; the stack announces MSS = MTU - 40 or - 60 by family).")
    Integer mtu;

    @Option(names = "--mss", paramLabel = "N", description = "packetdrill's --mss.")
    Integer mss;

    @Option(names = "--tolerance_usecs", paramLabel = "N", description = "Timing tolerance in microseconds (packetdrill's --tolerance_usecs).")
    Long toleranceUsecs;

    @Option(names = "--local_ip", paramLabel = "ADDR", description = "The stack's address in the scripts (packetdrill's --local_ip).")
    String localIp;

    @Option(names = "--remote_ip", paramLabel = "ADDR", description = "The remote side's address in the scripts (packetdrill's --remote_ip).")
    String remoteIp;

    @Option(names = {"-D", "--define"}, paramLabel = "NAME=VALUE", description = "Defines a script variable, as packetdrill's -D (repeatable).")
    java.util.Map<String, String> defines = new java.util.LinkedHashMap<>();

    @Override public Integer call() {
        for (Path p : paths) if (!Files.exists(p)) throw new Main.UsageError("no such file or directory: " + p);
        Profile prof = switch (profile.toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> Profile.AUTO;
            case "freebsd" -> Profile.FREEBSD;
            case "linux" -> Profile.LINUX;
            default -> throw new Main.UsageError("--profile wants auto, freebsd or linux, not '" + profile + "'");
        };
        if (json != null) org.netstack4j.cli.Options.outputFile("--json", json);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Options o = Options.defaults().withProfile(prof).withVerbose(verbose).withJson(json);
        // the runner's Options check the names and values (one table for both command lines)
        try {
            if (ipVersion != null) o = o.withScriptOption("ip_version", ipVersion);
            if (mtu != null) o = o.withScriptOption("mtu", mtu.toString());
            if (mss != null) o = o.withScriptOption("mss", mss.toString());
            if (toleranceUsecs != null) o = o.withScriptOption("tolerance_usecs", toleranceUsecs.toString());
            if (localIp != null) o = o.withScriptOption("local_ip", localIp);
            if (remoteIp != null) o = o.withScriptOption("remote_ip", remoteIp);
            for (var d : defines.entrySet()) o = o.withDefine(d.getKey(), d.getValue());
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(e.getMessage());
        }
        Summary s = Runner.run(paths, o, out);
        out.flush();
        return s.exitCode();
    }
}
