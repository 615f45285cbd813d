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
        footer = {"", "Example: netstack4j packetdrill --profile auto ../shared/conformance/packetdrill"})
public final class PacketdrillCommand implements java.util.concurrent.Callable<Integer> {
    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Scripts or directories of scripts.")
    List<Path> paths;

    @Option(names = "--profile", paramLabel = "P", description = "auto (per script, from its markers), freebsd or linux (default: ${DEFAULT-VALUE}).")
    String profile = "auto";

    @Option(names = {"-v", "--verbose"}, description = "Show each script's conversation: segments in and out, calls and results.")
    boolean verbose;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write a JSON report to FILE.")
    Path json;

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
        Summary s = Runner.run(paths, Options.defaults().withProfile(prof).withVerbose(verbose).withJson(json), out);
        out.flush();
        return s.exitCode();
    }
}
