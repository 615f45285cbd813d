package org.netstack4j.cli;

import java.io.PrintWriter;
import java.util.Locale;
import org.netstack4j.apps.dns.Dns;
import org.netstack4j.apps.dns.DnsName;
import org.netstack4j.apps.dns.DnsType;
import org.netstack4j.apps.dns.Resolver;
import org.netstack4j.apps.dns.ResourceRecord;
import org.netstack4j.apps.net.NetstackNetwork;
import org.netstack4j.linux.TunHost;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** A dig-like lookup with netstack4j's stub resolver over a real TUN interface. */
@Command(name = "resolve", mixinStandardHelpOptions = true,
        header = "Looks a name up in DNS with netstack4j's resolver on a real TUN interface, like dig.",
        description = {
            "Asks the server given by --dns over UDP from a random port with a random ID,",
            "retries after 2 s (3 attempts), and repeats the question over TCP when the",
            "answer comes back truncated (RFC 7766). Prints the answer records in",
            "master-file form, or NXDOMAIN / NODATA. Exit status 1 when there is no answer."},
        footer = {"", "Example (as root; dnsmasq or serve --dns on the kernel's side):",
            "  netstack4j resolve www.example.test AAAA --dns 10.7.0.1 --tun nsj0 \\",
            "      --address 10.7.0.2/24 --host-address 10.7.0.1/24"})
public final class ResolveCommand implements java.util.concurrent.Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The name to look up (e.g. www.example.test).")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "TYPE", description = "A, AAAA, MX, TXT, NS, SOA, CNAME, PTR or ANY (default: A).")
    String typeArg;

    @Option(names = "--type", paramLabel = "TYPE", description = "The record type, instead of the TYPE parameter.")
    String typeOption;

    @Option(names = "--dns", paramLabel = "ADDR", required = true, description = "The DNS server to ask: ADDRESS or ADDRESS:PORT.")
    String dns;

    @Mixin TunOptions tunOptions = new TunOptions();

    @Override public Integer call() throws Exception {
        if (typeArg != null && typeOption != null && !typeArg.equalsIgnoreCase(typeOption))
            throw new Main.UsageError("two types given: " + typeArg + " and --type " + typeOption);
        int type = type(typeArg != null ? typeArg : typeOption != null ? typeOption : "A");
        DnsName qname = name(name);
        DnsOption.Server server = DnsOption.parse(dns);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (TunHost host = tunOptions.open(tunOptions.builder(), 0, null)) {
            Dns.Client c = DnsOption.client(new NetstackNetwork(host.net()), server, System.nanoTime());
            long t0 = System.nanoTime();
            Resolver.Result r = c.lookup(qname, type);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            return print(out, err, qname, type, r, server, ms, c.resolver().stats());
        }
    }

    static int type(String text) {
        int t;
        try {
            t = DnsType.parse(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            t = -1;
        }
        if (t <= 0) throw new Main.UsageError("unknown record type '" + text + "' (A, AAAA, MX, TXT, NS, SOA, CNAME, PTR or ANY)");
        return t;
    }

    static DnsName name(String text) {
        try {
            return DnsName.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError("'" + text + "' is not a DNS name: " + e.getMessage());
        }
    }

    /** Prints the result like dig's answer section; 0 when there are records, else 1. */
    static int print(PrintWriter out, PrintWriter err, DnsName qname, int type, Resolver.Result r, DnsOption.Server server, long ms,
                     Resolver.Stats stats) {
        String via = ";; SERVER: " + server + " (" + ms + " ms, " + stats.sent() + " queries sent, " + stats.tcpFallbacks() + " over TCP)";
        switch (r) {
            case Resolver.Result.Answer a -> {
                out.println(";; ANSWER: " + qname + " " + DnsType.name(type));
                for (ResourceRecord rr : a.cnames()) out.println(rr);
                for (ResourceRecord rr : a.records()) out.println(rr);
                out.println(via);
                out.flush();
                return 0;
            }
            case Resolver.Result.NxDomain nx -> {
                out.println(";; NXDOMAIN: " + qname + " does not exist");
                out.println(via);
                out.flush();
                return 1;
            }
            case Resolver.Result.NoData nd -> {
                out.println(";; NODATA: " + qname + " exists but has no " + DnsType.name(type) + " records");
                out.println(via);
                out.flush();
                return 1;
            }
            case Resolver.Result.Failure f -> {
                err.println("netstack4j resolve: no answer from " + server + ": " + f.reason());
                err.println("  is a DNS server listening there, and is it reachable through the TUN?");
                err.flush();
                return 1;
            }
        }
    }
}
