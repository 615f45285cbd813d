package org.netstack4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.netstack4j.lab.LabRender;
import org.netstack4j.lab.LaneRun;
import org.netstack4j.lab.Lang;
import org.netstack4j.lab.scenario.Topology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lab run TOPOLOGY [--script STEPS]}: a network described as text, drawn as a multi-lane ladder. */
@Command(name = "lab", mixinStandardHelpOptions = true, subcommands = LabCommand.Run.class,
        header = "Runs a network of hosts, hubs, switches, routers and firewalls from a text file.",
        description = "Networks as data: hosts, hubs, switches, routers and firewalls from a text file, run in the simulator.",
        footer = {"", "Ready-made network stories (netstack4j demo NAME, --list for a line on each):",
            "  arp, hub-vs-switch, switch-learning, router, fragmentation, firewall,",
            "  nat, udp, encapsulation, dns, ftp-active-passive, smtp, http"})
public final class LabCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override public void run() { throw new Main.UsageError("which action? 'netstack4j lab run TOPOLOGY [--script STEPS]'"); }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Builds the network of TOPOLOGY, plays its steps (and those of --script) and draws",
                "every frame between hosts, hubs, switches, routers and firewalls. TOPOLOGY lines:",
                "  host NAME ADDR/PREFIX [MAC]   hub NAME   switch NAME",
                "  router NAME ADDR/PREFIX...    firewall NAME ADDR/PREFIX...  (eth0, eth1, ...)",
                "  link A B[:ethN] [latency=100us] [loss=0.01] [mtu=1500]",
                "  route NODE DEST/PREFIX|default via GATEWAY",
                "  rule FW RULE (docs/firewall.md)   nat FW masquerade ethN",
                "  at 0 ms: A ping B             at 10 ms: A tcp-send B:80 1000"})
    static final class Run implements java.util.concurrent.Callable<Integer> {
        @Spec CommandSpec spec;

        @Parameters(paramLabel = "TOPOLOGY", description = "The topology file.")
        Path topology;

        @Option(names = "--script", paramLabel = "STEPS", description = "A file of further steps ('at T ms: A ping B').")
        Path script;

        @Option(names = "--format", paramLabel = "FMT", description = "text, svg, json or html (an interactive page) (default: text).")
        LabRender.Format format = LabRender.Format.TEXT;

        @Option(names = "--lang", paramLabel = "LANG", description = "en or zh (default: en).")
        String lang = "en";

        @Option(names = "--ascii", description = "Plain ASCII instead of box-drawing characters.")
        boolean ascii;

        @Option(names = "--seed", paramLabel = "N", description = "Simulator seed (default: 1).")
        long seed = 1;

        @Option(names = "--pcap", paramLabel = "FILE", description = "Write every frame each host sent and received to FILE.")
        Path pcap;

        @Override public Integer call() throws IOException {
            PrintWriter w = spec.commandLine().getOut();
            Lang l = Options.lang(lang);
            if (pcap != null) Options.outputFile("--pcap", pcap);
            Topology t;
            try {
                t = Topology.read(topology);
                if (script != null) t = t.withScript(script.getFileName().toString(), Files.readString(script, StandardCharsets.UTF_8));
            } catch (Topology.Error e) {
                throw new Main.UsageError(e.getMessage());
            } catch (java.nio.file.NoSuchFileException e) {
                throw new Main.UsageError("no such file: " + e.getFile());
            }
            String name = topology.getFileName().toString().replaceFirst("\\.[^.]*$", "");
            LaneRun run = t.run(name, seed, pcap).run();
            w.print(LabRender.render(run, format, l, ascii, "topology " + topology.getFileName(), "拓扑 " + topology.getFileName()));
            w.flush();
            return 0;
        }
    }
}
