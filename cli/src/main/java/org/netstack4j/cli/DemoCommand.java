package org.netstack4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.netstack4j.lab.LabRender;
import org.netstack4j.lab.LabRun;
import org.netstack4j.lab.Lang;
import org.netstack4j.lab.LaneRun;
import org.netstack4j.lab.scenario.LabRunner;
import org.netstack4j.lab.scenario.NetStories;
import org.netstack4j.lab.scenario.NetStory;
import org.netstack4j.lab.scenario.Scenario;
import org.netstack4j.lab.scenario.ScenarioOptions;
import org.netstack4j.lab.scenario.Scenarios;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Runs one story of the TCP notes on two simulated stacks and draws what happened. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        header = "Runs a TCP story on two simulated stacks and draws every segment.",
        description = {
            "Runs a TCP story on two real netstack4j stacks (client 10.0.0.1, server 10.0.0.2) in the",
            "simulator and draws exactly what happened: every segment with flags, seq, ack, len and",
            "win, both ends' states as they change, timers, lost segments and short explanations.",
            "'netstack4j demo --list' names the stories."},
        footer = {"", "Examples:",
            "  netstack4j demo handshake",
            "  netstack4j demo teardown --lang zh --relative-seq",
            "  netstack4j demo lost-final-ack --no-time-wait",
            "  netstack4j demo handshake --format svg --out handshake.svg",
            "  netstack4j demo retransmission --format html --out retransmission.html",
            "  netstack4j demo retransmission --format json --pcap retransmission.pcap"})
public final class DemoCommand implements java.util.concurrent.Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME", arity = "0..1", description = "The story to run (see --list).")
    String name;

    @Option(names = {"-l", "--list"}, description = "List the stories and what each shows.")
    boolean list;

    @Option(names = "--format", paramLabel = "FMT", description = "text (a ladder diagram), svg, json or html (an interactive page: step through the events, states, timers, decoded packets) (default: ${DEFAULT-VALUE}).")
    LabRender.Format format = LabRender.Format.TEXT;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Write the diagram to FILE instead of the terminal.")
    Path out;

    @Option(names = "--lang", paramLabel = "LANG", description = "en or zh (labels and explanations in the notes' Chinese terms) (default: en).")
    String lang = "en";

    @Option(names = "--ascii", description = "Plain ASCII instead of box-drawing characters.")
    boolean ascii;

    @Option(names = "--relative-seq", description = "Show seq and ack relative to each side's initial sequence number.")
    boolean relativeSeq;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the run (ISNs, ports, losses) (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--loss", paramLabel = "P", description = "Percent of frames the link loses at random (default: 0).")
    String loss = "0";

    @Option(names = "--latency", paramLabel = "MS", description = "One-way latency in milliseconds (default: ${DEFAULT-VALUE}).")
    double latencyMs = 10;

    @Option(names = "--mss", paramLabel = "BYTES", description = "Maximum segment size both ends announce, 64-65495 (default: the stack's, 1460).")
    int mss;

    @Option(names = "--msl", paramLabel = "TIME", description = "Maximum segment lifetime; TIME-WAIT lasts 2 MSL. Seconds, or with a unit: 500ms, 2s (default: 30s).")
    String msl = "30s";

    @Option(names = "--pcap", paramLabel = "FILE", description = "Also write every frame the client sends and receives to FILE (pcap).")
    Path pcap;

    @Option(names = "--no-time-wait", description = "lost-final-ack, old-duplicate: the client forgets the connection at once instead of waiting 2 MSL.")
    boolean noTimeWait;

    @Option(names = "--ipv6", description = "The TCP stories over IPv6: fd00::1 and fd00::2 (Neighbor Discovery before the first segment) instead of 10.0.0.1 and 10.0.0.2.")
    boolean ipv6;

    @Option(names = "--two-way", description = "stale-syn: a deliberately broken two-way handshake (lab only), to see why TCP needs three steps.")
    boolean twoWay;

    @Override public Integer call() throws IOException {
        PrintWriter w = spec.commandLine().getOut();
        Lang l = Options.lang(lang);
        if (list) {
            listStories(w, l);
            return 0;
        }
        if (name == null)
            throw new Main.UsageError("which story? give a NAME, e.g. 'netstack4j demo handshake'; 'netstack4j demo --list' shows all");
        var net = NetStories.byName(name.toLowerCase(Locale.ROOT));
        if (net.isPresent()) return netStory(net.get(), w, l);
        Scenario scenario = Scenarios.byName(name.toLowerCase(Locale.ROOT)).orElseThrow(() -> new Main.UsageError(
                "no story named '" + name + "'; 'netstack4j demo --list' shows the "
                        + (Scenarios.all().size() + NetStories.all().size()) + " stories"));
        if (noTimeWait && !scenario.extraFlags().contains("--no-time-wait"))
            throw new Main.UsageError("--no-time-wait applies to lost-final-ack and old-duplicate, not " + scenario.name());
        if (twoWay && !scenario.extraFlags().contains("--two-way"))
            throw new Main.UsageError("--two-way applies to stale-syn only, not " + scenario.name());
        if (mss != 0) Options.range("--mss", mss, 64, 65495);
        if (out != null) Options.outputFile("--out", out);
        if (pcap != null) Options.outputFile("--pcap", pcap);
        ScenarioOptions o = ScenarioOptions.defaults().withSeed(seed).withLoss(Options.percent("--loss", loss))
                .withLatency(Options.millis("--latency", latencyMs)).withMss(mss).withMsl(parseMsl())
                .withNoTimeWait(noTimeWait).withTwoWay(twoWay).withPcap(pcap).withIpv6(ipv6);
        LabRun run = LabRunner.run(scenario, o);
        String rendered = LabRender.render(run, format, l, ascii, relativeSeq, scenario.summary(), scenario.summaryZh());
        if (out != null) {
            Files.writeString(out, rendered, StandardCharsets.UTF_8);
            w.println((l == Lang.ZH ? "已写入 " : "wrote ") + out);
        } else {
            w.print(rendered);
            if (!rendered.endsWith("\n")) w.println();
        }
        if (pcap != null && format == LabRender.Format.TEXT) w.println((l == Lang.ZH ? "抓包已写入 " : "pcap written to ") + pcap);
        w.flush();
        return 0;
    }

    /** A link-layer story: hosts, hubs and switches on a multi-lane ladder (text or JSON). */
    private int netStory(NetStory story, PrintWriter w, Lang l) throws IOException {
        if (noTimeWait || twoWay || relativeSeq || mss != 0 || ipv6)
            throw new Main.UsageError("--no-time-wait, --two-way, --relative-seq, --mss and --ipv6 apply to the TCP stories, not " + story.name());
        if (out != null) Options.outputFile("--out", out);
        if (pcap != null) Options.outputFile("--pcap", pcap);
        LaneRun run = story.run(seed, pcap).run();
        String rendered = LabRender.render(run, format, l, ascii, story.summary(), story.summaryZh());
        if (out != null) {
            Files.writeString(out, rendered, StandardCharsets.UTF_8);
            w.println((l == Lang.ZH ? "已写入 " : "wrote ") + out);
        } else {
            w.print(rendered);
        }
        if (pcap != null && format == LabRender.Format.TEXT) w.println((l == Lang.ZH ? "抓包已写入 " : "pcap written to ") + pcap);
        w.flush();
        return 0;
    }

    private long parseMsl() {
        String t = msl.trim().toLowerCase(Locale.ROOT);
        double mult = 1e9;
        if (t.endsWith("ms")) { mult = 1e6; t = t.substring(0, t.length() - 2); }
        else if (t.endsWith("s")) t = t.substring(0, t.length() - 1);
        try {
            double v = Double.parseDouble(t);
            if (v > 0 && v * mult <= 3600e9 && v * mult >= 1e6) return Math.round(v * mult);
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new Main.UsageError("--msl wants a time from 1ms to 3600s, such as 30, 2s or 500ms, not '" + msl + "'");
    }

    private static void listStories(PrintWriter w, Lang l) {
        for (Scenario s : Scenarios.all()) {
            String extra = s.extraFlags().isEmpty() ? "" : "  [" + String.join(" ", s.extraFlags()) + "]";
            w.printf("  %-19s %s%s%n", s.name(), l == Lang.ZH ? s.summaryZh() : s.summary(), extra);
        }
        for (NetStory s : NetStories.all())
            w.printf("  %-19s %s%n", s.name(), l == Lang.ZH ? s.summaryZh() : s.summary());
        w.println();
        w.println(l == Lang.ZH ? "运行：netstack4j demo 名称 [--lang zh] [--format svg|json] ..."
                : "Run one: netstack4j demo NAME [--lang zh] [--format svg|json] [--pcap FILE] ...");
    }
}
