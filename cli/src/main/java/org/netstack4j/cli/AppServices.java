package org.netstack4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.netstack4j.apps.Server;
import org.netstack4j.apps.dns.Authority;
import org.netstack4j.apps.dns.Dns;
import org.netstack4j.apps.dns.Zone;
import org.netstack4j.apps.ftp.Ftp;
import org.netstack4j.apps.ftp.FtpServerSession;
import org.netstack4j.apps.ftp.FtpUsers;
import org.netstack4j.apps.net.Network;
import org.netstack4j.apps.smtp.MailStore;
import org.netstack4j.apps.smtp.Smtp;
import org.netstack4j.apps.smtp.SmtpServerSession;

/**
 * The DNS, SMTP and FTP services of {@code serve}, started on any {@link Network} (netstack4j
 * over a TUN in the command; the same code in the tests). Each is checked before anything is
 * opened, so a bad zone file or directory is one clear line.
 */
final class AppServices implements AutoCloseable {
    /**
     * What to serve: null parts are off. {@code ftpUsers}: the FTP password file (see {@link FtpUsers});
     * null: anonymous read. {@code idleTimeoutMs}: an SMTP or FTP client silent this long is closed.
     */
    record Plan(Path zoneFile, int dnsPort, Path mailDir, int smtpPort, Path ftpRoot, int ftpPort, Path ftpUsers, int idleTimeoutMs) {
        static final int IDLE_TIMEOUT_MS = 60_000;

        Plan(Path zoneFile, int dnsPort, Path mailDir, int smtpPort, Path ftpRoot, int ftpPort) {
            this(zoneFile, dnsPort, mailDir, smtpPort, ftpRoot, ftpPort, null, IDLE_TIMEOUT_MS);
        }

        boolean any() { return zoneFile != null || mailDir != null || ftpRoot != null; }
    }

    /** What {@link #check} read: the zone's authority and the FTP server's settings. */
    record Checked(Authority authority, FtpServerSession.Config ftp) {}

    private final List<AutoCloseable> running = new ArrayList<>();
    private final List<String> started = new ArrayList<>();
    private Dns.Running dns;
    private Server smtp, ftp;

    /** Reads and checks what the plan names (zone syntax, directories, password file) without opening anything. */
    static Checked check(Plan p) {
        Authority a = null;
        if (p.zoneFile() != null) {
            String text;
            try {
                text = Files.readString(p.zoneFile(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new Main.UsageError("--dns: cannot read zone file " + p.zoneFile() + ": " + e.getMessage());
            }
            try {
                a = new Authority(List.of(Zone.parse(text, null)));
            } catch (Zone.ZoneException e) {
                throw new Main.UsageError("--dns: " + p.zoneFile() + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new Main.UsageError("--dns: " + p.zoneFile() + ": " + e.getMessage());
            }
        }
        if (p.mailDir() != null && Files.exists(p.mailDir()) && !Files.isDirectory(p.mailDir()))
            throw new Main.UsageError("--smtp: " + p.mailDir() + " is not a directory");
        if (p.ftpRoot() != null && !Files.isDirectory(p.ftpRoot()))
            throw new Main.UsageError("--ftp: " + p.ftpRoot() + " is not a directory");
        FtpServerSession.Config ftp = FtpServerSession.Config.ANONYMOUS;
        if (p.ftpUsers() != null) {
            if (p.ftpRoot() == null) throw new Main.UsageError("--ftp-users needs --ftp DIR");
            try {
                Map<String, String> accounts = FtpUsers.parse(Files.readString(p.ftpUsers(), StandardCharsets.UTF_8));
                if (accounts.isEmpty()) throw new Main.UsageError("--ftp-users: " + p.ftpUsers() + " has no accounts");
                // With accounts, only they log in: anonymous is off.
                ftp = new FtpServerSession.Config(accounts, false, ftp.maxErrors(), ftp.maxLine());
            } catch (IOException e) {
                throw new Main.UsageError("--ftp-users: cannot read " + p.ftpUsers() + ": " + e.getMessage());
            } catch (FtpUsers.FormatException e) {
                throw new Main.UsageError("--ftp-users: " + p.ftpUsers() + ": " + e.getMessage());
            }
        }
        return new Checked(a, ftp);
    }

    /** Starts every service of the plan on {@code net}; {@code address} is what the hints print. */
    static AppServices start(Network net, Plan p, String address, Consumer<String> log) throws IOException {
        Checked checked = check(p);
        Authority authority = checked.authority();
        Consumer<String> l = log == null ? s -> {} : log;
        AppServices s = new AppServices();
        try {
            if (authority != null) {
                s.dns = Dns.serve(net, p.dnsPort(), authority, 64, l);
                s.running.add(s.dns);
                s.started.add("DNS (UDP and TCP) port " + p.dnsPort() + " from " + p.zoneFile() + " (" + authority.zones().getFirst().size()
                        + " records of " + authority.zones().getFirst().origin() + "); try: dig @" + address + (p.dnsPort() == 53 ? "" : " -p " + p.dnsPort()) + " "
                        + authority.zones().getFirst().origin() + " SOA");
            }
            if (p.mailDir() != null) {
                MailStore store = new MailStore(p.mailDir());
                s.smtp = new Server("smtp", net.listen(p.smtpPort(), 64), 256, p.idleTimeoutMs(), l,
                        Smtp.server("netstack4j", store, SmtpServerSession.Limits.DEFAULT));
                s.running.add(s.smtp);
                s.started.add("SMTP port " + p.smtpPort() + " into " + store.dir().toAbsolutePath() + "; try: swaks --server " + address
                        + (p.smtpPort() == 25 ? "" : " --port " + p.smtpPort()) + " --to you@example.test");
            }
            if (p.ftpRoot() != null) {
                s.ftp = new Server("ftp", net.listen(p.ftpPort(), 64), 256, p.idleTimeoutMs(), l,
                        Ftp.server(p.ftpRoot(), checked.ftp(), net));
                s.running.add(s.ftp);
                boolean anon = checked.ftp().anonymous();
                s.started.add("FTP port " + p.ftpPort() + " (" + (anon ? "anonymous" : checked.ftp().accounts().size() + " accounts from " + p.ftpUsers())
                        + ", read-only) of " + p.ftpRoot().toAbsolutePath() + "; try: curl ftp://" + (anon ? "" : "USER:PASSWORD@")
                        + address + (p.ftpPort() == 21 ? "" : ":" + p.ftpPort()) + "/");
            }
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** One line per started service, with a command to try it. */
    List<String> started() { return started; }

    Dns.Running dns() { return dns; }
    Server smtp() { return smtp; }
    Server ftp() { return ftp; }

    /** One line per service with its counters. */
    List<String> summary() {
        List<String> out = new ArrayList<>();
        if (dns != null) out.add("dns: " + dns.udpQueries() + " UDP queries, " + dns.tcp());
        if (smtp != null) out.add(smtp.toString());
        if (ftp != null) out.add(ftp.toString());
        return out;
    }

    @Override public void close() {
        for (AutoCloseable c : running.reversed()) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing on the way out: nothing more to do
            }
        }
        running.clear();
    }
}
