package org.netstack4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.netstack4j.apps.dns.Dns;
import org.netstack4j.apps.net.Network;
import org.netstack4j.apps.net.NetstackNetwork;
import org.netstack4j.apps.smtp.Smtp;
import org.netstack4j.apps.smtp.SmtpClientSession;
import org.netstack4j.linux.TunHost;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Mail over netstack4j: {@code mail send}. */
@Command(name = "mail", mixinStandardHelpOptions = true,
        header = "Sends a message file over SMTP from netstack4j on a real TUN interface.",
        description = {"Subcommands: send (one message to one or more recipients)."},
        subcommands = MailCommand.Send.class)
public final class MailCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (send)");
    }

    @Command(name = "send", mixinStandardHelpOptions = true,
            header = "Sends a message file (RFC 5322, with its headers) to an SMTP server over netstack4j.",
            description = {
                "ESMTP with EHLO (HELO if refused), the envelope from --from and --to, the",
                "file sent as it is with dot-stuffing and CR LF line ends. The server is",
                "--server HOST[:PORT], or else the MX hosts of the first recipient's domain",
                "asked through --dns (RFC 5321 5.1: the domain's own address without MX).",
                "Prints the dialogue; exit status 1 if the message was not accepted."},
            footer = {"", "Example (as root; a mail server on the kernel's side):",
                "  netstack4j mail send note.eml --to bob@example.test --server 10.7.0.1 \\",
                "      --tun nsj0 --address 10.7.0.2/24 --host-address 10.7.0.1/24"})
    public static final class Send implements java.util.concurrent.Callable<Integer> {
        @Spec CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "The message: headers, an empty line, the body.")
        Path file;

        @Option(names = "--to", paramLabel = "ADDR", required = true, split = ",", description = "Recipient(s), e.g. bob@example.test.")
        List<String> to = new ArrayList<>();

        @Option(names = "--from", paramLabel = "ADDR", description = "Envelope sender (default: ${DEFAULT-VALUE}).")
        String from = "netstack4j@localhost";

        @Option(names = "--server", paramLabel = "HOST[:PORT]", description = "The SMTP server (port 25 by default); a name needs --dns.")
        String server;

        @Option(names = "--dns", paramLabel = "ADDR", description = "DNS server for the MX lookup or the --server name: ADDRESS or ADDRESS:PORT.")
        String dns;

        @Option(names = "--helo", paramLabel = "NAME", description = "The name we give in EHLO (default: ${DEFAULT-VALUE}).")
        String helo = "netstack4j";

        @Option(names = "--timeout", paramLabel = "S", description = "Seconds for the connection and each reply (default: ${DEFAULT-VALUE}).")
        int timeoutSeconds = 30;

        @Mixin TunOptions tunOptions = new TunOptions();

        @Override public Integer call() throws Exception {
            Options.range("--timeout", timeoutSeconds, 1, 3600);
            for (String r : to) if (!r.matches("[^@\\s<>]+@[^@\\s<>]+")) throw new Main.UsageError("--to: '" + r + "' is not a mail address (user@domain)");
            if (!Files.isRegularFile(file)) throw new Main.UsageError(file + ": no such file");
            byte[] message = Files.readAllBytes(file);
            String host = null;
            int port = 25;
            if (server != null) {
                int colon = server.lastIndexOf(':');
                boolean hasPort = colon > 0 && server.indexOf(':') == colon || server.startsWith("[") && server.contains("]:");
                host = hasPort ? server.substring(0, colon) : server;
                if (hasPort) port = DnsOption.port("--server", server.substring(colon + 1));
                if (!Dns.Client.isLiteral(host.replaceAll("^\\[|\\]$", "")) && dns == null)
                    throw new Main.UsageError("--server " + server + " is a name: give --dns ADDR to resolve it, or the server's address");
            } else if (dns == null) {
                throw new Main.UsageError("give --server HOST, or --dns ADDR to find the recipient's mail server (MX)");
            }
            DnsOption.Server dnsServer = dns == null ? null : DnsOption.parse(dns);
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (TunHost tun = tunOptions.open(tunOptions.builder(), 0, null)) {
                Network net = new NetstackNetwork(tun.net());
                List<String> targets;
                try {
                    if (dnsServer == null) {
                        targets = List.of(host.replaceAll("^\\[|\\]$", ""));
                    } else {
                        Dns.Client c = DnsOption.client(net, dnsServer, System.nanoTime());
                        String domain = to.getFirst().substring(to.getFirst().indexOf('@') + 1);
                        targets = host != null ? c.addresses(host) : Smtp.mailHosts(c, domain);
                        if (host == null) out.println("MX for " + domain + ": " + String.join(", ", targets));
                    }
                } catch (IOException e) {
                    err.println("netstack4j mail send: " + e.getMessage());
                    return 1;
                }
                IOException last = null;
                for (String t : targets) {
                    try {
                        SmtpClientSession s = Smtp.send(net, t, port, timeoutSeconds * 1000, helo, from, to, message);
                        for (String line : s.transcript()) out.println(line);
                        out.flush();
                        if (s.delivered()) {
                            out.println("delivered to " + t + " port " + port + ": " + s.result());
                            out.flush();
                            return 0;
                        }
                        err.println("netstack4j mail send: " + t + " did not accept the message: " + s.result());
                        return 1;
                    } catch (IOException e) {
                        last = e;
                        err.println("netstack4j mail send: " + t + " port " + port + ": " + e.getMessage());
                    }
                }
                err.println("  no mail server took the message" + (last == null ? "" : "; is one listening on port " + port + "?"));
                return 1;
            }
        }
    }
}
