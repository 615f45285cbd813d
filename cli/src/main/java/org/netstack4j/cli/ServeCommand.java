package org.netstack4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.netstack4j.apps.net.NetstackNetwork;
import org.netstack4j.linux.SynFloodWarmup;
import java.util.ArrayList;
import java.util.List;
import org.netstack4j.linux.TunHost;
import org.netstack4j.linux.TunShards;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.socket.TcpServerSocket;
import org.netstack4j.socket.TcpSocket;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.trace.LogText;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** A server on netstack4j over a real TUN interface: static files over HTTP, echo or discard. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        header = "Serves HTTP, DNS, SMTP, FTP, echo or discard from netstack4j on a real TUN interface.",
        description = {
            "Static files over HTTP/1.1 (GET, HEAD, keep-alive, byte ranges), echo",
            "(RFC 862) or discard (RFC 863), reached from the kernel's side of the TUN",
            "with ordinary tools (curl, nc, ab). Beside one of those, or alone, any of:",
            "an authoritative DNS server over UDP and TCP answering from a zone file",
            "(--dns ZONEFILE: A, AAAA, CNAME, MX, NS, SOA, TXT, PTR; try dig), an SMTP",
            "server storing each message as N.eml with its envelope in N.envelope",
            "(--smtp DIR; try swaks), a read-only FTP server of a directory, anonymous",
            "or with --ftp-users FILE (--ftp DIR; passive and active data connections;",
            "try curl ftp://). An SMTP or FTP client silent for 60 s is closed. Each",
            "connection runs on a virtual thread. Runs until interrupted; Ctrl-C closes",
            "the connections with FIN, prints the counters and removes the TUN.",
            "",
            "Limits against hostile or broken clients (HTTP): the request header must",
            "arrive within --header-timeout (else 408 and close: slowloris), an idle",
            "keep-alive connection is closed after --idle-timeout, a request line",
            "longer than --max-request-line gets 414, a header larger than",
            "--max-header-bytes or with more than 100 fields gets 431, a request body",
            "over 64 KiB gets 413. Beyond --max-connections at once, new connections",
            "get 503 and are closed (all services), and are counted. No path or",
            "symbolic link leads out of DIR (403/404). Log lines escape control",
            "characters as \\xNN."},
        footer = {"", "Example (as root):",
            "  netstack4j serve --tun nsj0 --address 10.7.0.2/24 \\",
            "      --host-address 10.7.0.1/24 --http ./site",
            "  curl http://10.7.0.2/",
            "  netstack4j serve --tun nsj0 --address 10.7.0.2/24 \\",
            "      --host-address 10.7.0.1/24 --dns zone.txt --smtp ./mail --ftp ./pub",
            "  dig @10.7.0.2 www.example.test; curl ftp://10.7.0.2/"})
public final class ServeCommand implements java.util.concurrent.Callable<Integer> {
    /** serve's TUN txqueuelen unless -Dnetstack4j.tun.txqueuelen says otherwise. */
    static final int SERVE_TXQUEUELEN = 10_000;
    /** System property: {@code false} skips {@link #warmSynPath} at start-up. */
    static final String WARMUP_PROPERTY = "netstack4j.serve.warmup";

    /**
     * Issue 20: warms the SYN path before a flood meets it, so that it finds compiled code: without
     * this the first seconds of a flood cost the readers 45-220 us of CPU per SYN instead of 6-10
     * (SynFloodInteropTest's timeline; C2 code for the cookie path came 1-5 s into the flood), the
     * kernel's TUN queue filled and dropped or delayed the legitimate client's SYN with the flood's.
     * First a spoofed flood through a throwaway in-memory stack configured as the served one
     * ({@link SynFloodWarmup}: at least 100,000 frames, cookie ACKs among them, until the JIT has
     * been quiet for 300 ms, at most 5 s), then 50,000 SYNs through the served stack and its TUN to
     * the local kernel ({@link TunHost#warmSynPath}, at most 2 s); once the kernel's RSTs are back (at
     * most 1 s) the counters start again from 0 ({@link TunShards#resetCounters}). Returns a line for the log; null
     * when turned off ({@value #WARMUP_PROPERTY}).
     */
    static String warmSynPath(TcpConfig config, TunShards shards, int port) {
        if (!Boolean.parseBoolean(System.getProperty(WARMUP_PROPERTY, "true"))) return null;
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        java.util.function.LongSupplier work = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit::getTotalCompilationTime : null;
        try {
            SynFloodWarmup.Result r = SynFloodWarmup.run(config, port, 100_000, 300_000_000L, 5_000_000_000L, work);
            long start = System.nanoTime();
            long viaTun = shards.first().warmSynPath(port, 50_000, 2_000_000_000L);
            // the kernel's RSTs to those SYN,ACKs come back through the readers: once they have, every
            // counter starts again from 0, so that serve's counters are the served traffic's alone
            shards.awaitQuiet(100_000_000L, 1_000_000_000L);
            shards.resetCounters();
            return r + "; then " + String.format(java.util.Locale.ROOT, "%,d", viaTun) + " SYNs through the TUN to the local kernel in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms (counters start after it)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Spec CommandSpec spec;

    @Mixin TunOptions tunOptions = new TunOptions();

    @Mixin QueueOption queueOption = new QueueOption();

    static final class Service {
        @Option(names = "--http", paramLabel = "DIR", description = "Serve the files under DIR over HTTP/1.1 (default port 80).")
        Path httpRoot;

        @Option(names = "--echo", description = "Send back every byte received (default port 7).")
        boolean echo;

        @Option(names = "--discard", description = "Read and drop every byte received (default port 9).")
        boolean discard;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Service service;

    @Option(names = "--port", paramLabel = "N", description = "TCP port of --http, --echo or --discard (default: 80, 7 or 9).")
    Integer port;

    @Option(names = "--dns", paramLabel = "ZONEFILE", description = "Answer DNS queries (UDP and TCP) from the zone in ZONEFILE (master-file format with $ORIGIN).")
    Path zoneFile;

    @Option(names = "--dns-port", paramLabel = "N", description = "DNS port (default: ${DEFAULT-VALUE}).")
    int dnsPort = 53;

    @Option(names = "--smtp", paramLabel = "DIR", description = "Receive mail over SMTP into DIR (created if missing; one N.eml and N.envelope per message).")
    Path mailDir;

    @Option(names = "--smtp-port", paramLabel = "N", description = "SMTP port (default: ${DEFAULT-VALUE}).")
    int smtpPort = 25;

    @Option(names = "--ftp", paramLabel = "DIR", description = "Serve DIR read-only over FTP (to anonymous users, or the --ftp-users accounts).")
    Path ftpRoot;

    @Option(names = "--ftp-port", paramLabel = "N", description = "FTP control port (default: ${DEFAULT-VALUE}).")
    int ftpPort = 21;

    @Option(names = "--ftp-users", paramLabel = "FILE",
            description = {"FTP logins from FILE instead of anonymous: one USER:pbkdf2-sha256:ITERATIONS:SALT:HASH a line",
                "(base64 SALT and HASH = PBKDF2-HMAC-SHA256 of the password, as Python's hashlib.pbkdf2_hmac; see README)."})
    Path ftpUsers;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Write every packet crossing the TUN to FILE (pcap, raw IP).")
    Path pcap;

    @Option(names = "--loss", paramLabel = "P", description = "Percent of packets netstack4j drops, each direction (default: 0).")
    String loss = "0";

    @Option(names = {"-q", "--quiet"}, description = "Do not log each request or connection.")
    boolean quiet;

    @Option(names = "--max-connections", paramLabel = "N", description = "Connections served at once; more are refused (default: ${DEFAULT-VALUE}).")
    int maxConnections = 1024;

    @Option(names = "--header-timeout", paramLabel = "S", description = "Seconds for a whole request header to arrive (default: ${DEFAULT-VALUE}).")
    double headerTimeout = HttpFileServer.Limits.DEFAULT.headerTimeoutMs() / 1000.0;

    @Option(names = "--idle-timeout", paramLabel = "S", description = "Seconds an idle keep-alive connection is kept (default: ${DEFAULT-VALUE}).")
    double idleTimeout = HttpFileServer.Limits.DEFAULT.idleTimeoutMs() / 1000.0;

    @Option(names = "--write-timeout", paramLabel = "S", description = "Seconds a response may wait for a client that stopped reading (default: ${DEFAULT-VALUE}).")
    double writeTimeout = HttpFileServer.Limits.DEFAULT.writeTimeoutMs() / 1000.0;

    @Option(names = "--max-request-line", paramLabel = "B", description = "Longest request line in bytes; longer gets 414 (default: ${DEFAULT-VALUE}).")
    int maxRequestLine = HttpFileServer.Limits.DEFAULT.maxRequestLine();

    @Option(names = "--max-header-bytes", paramLabel = "B", description = "Largest request header in bytes; larger gets 431 (default: ${DEFAULT-VALUE}).")
    int maxHeaderBytes = HttpFileServer.Limits.DEFAULT.maxHeaderBytes();

    @Option(names = "--file-cache", paramLabel = "B", description = "Bytes of small files (up to 64 KiB each) --http keeps in memory, "
            + "looked at again at most a second after use (default: ${DEFAULT-VALUE}; 0: off).")
    long fileCache = HttpFileCache.DEFAULT_MAX_BYTES;

    /** The HTTP limits from the options. */
    HttpFileServer.Limits limits() {
        Options.range("--max-request-line", maxRequestLine, 64, 1 << 20);
        Options.range("--max-header-bytes", maxHeaderBytes, 64, 1 << 24);
        HttpFileServer.Limits d = HttpFileServer.Limits.DEFAULT;
        return new HttpFileServer.Limits(maxRequestLine, maxHeaderBytes, d.maxHeaders(), d.maxBody(),
                seconds("--header-timeout", headerTimeout), seconds("--idle-timeout", idleTimeout),
                seconds("--write-timeout", writeTimeout));
    }

    private static int seconds(String flag, double s) {
        if (!(s > 0 && s <= 86_400)) throw new Main.UsageError(flag + " wants seconds from 0.001 to 86400, not " + s);
        return (int) Math.max(1, Math.round(s * 1000));
    }

    @Override public Integer call() throws Exception {
        double lossP = Options.percent("--loss", loss);
        AppServices.Plan apps = new AppServices.Plan(zoneFile, dnsPort, mailDir, smtpPort, ftpRoot, ftpPort, ftpUsers,
                AppServices.Plan.IDLE_TIMEOUT_MS);
        if (service == null && !apps.any())
            throw new Main.UsageError("name a service: --http DIR, --echo, --discard, --dns ZONEFILE, --smtp DIR or --ftp DIR");
        if (service == null && port != null) throw new Main.UsageError("--port is the port of --http, --echo or --discard; use --dns-port, --smtp-port or --ftp-port");
        int p = service == null ? 0 : port != null ? port : service.httpRoot != null ? 80 : service.echo ? 7 : 9;
        if (service != null) Options.range("--port", p, 1, 65535);
        Options.range("--dns-port", dnsPort, 1, 65535);
        Options.range("--smtp-port", smtpPort, 1, 65535);
        Options.range("--ftp-port", ftpPort, 1, 65535);
        Options.range("--max-connections", maxConnections, 1, 1_000_000);
        HttpFileServer.Limits limits = limits();
        if (service != null && service.httpRoot != null && !Files.isDirectory(service.httpRoot))
            throw new Main.UsageError("--http: " + service.httpRoot + " is not a directory");
        AppServices.check(apps);
        // the kernel's ring of packets towards us, per TUN queue: 500 by default, a 40 ms stall of our reader
        // at 12,000 SYN/s; 10,000 like a server NIC's ring, so a SYN flood's burst waits instead of
        // dropping a legitimate SYN (SynFloodInteropTest); -Dnetstack4j.tun.txqueuelen=N to change it
        TcpConfig tcpConfig = TcpConfig.defaults().withLimits(lm -> lm.withSynQueueLimit(1024))
                .withBuffers(bf -> bf.withReceiveBufferSize(1 << 20).withSendBufferSize(1 << 20));
        TunHost.Builder b = tunOptions.builder()
                .txQueueLength(Integer.getInteger(TunHost.TXQUEUELEN_PROPERTY, SERVE_TXQUEUELEN))
                .tcpConfig(tcpConfig);
        PrintWriter out = spec.commandLine().getOut();
        // --http/--echo/--discard listen on every shard; DNS, SMTP and FTP (UDP, dynamic data ports) on shard 0
        TunShards shards = tunOptions.openShards(b, lossP, pcap, queueOption.queues(pcap), spec.commandLine().getErr());
        if (service != null) shards.spreadOnly(p);
        else shards.spreadOnly();
        TunHost host = shards.first();
        java.util.function.Consumer<String> log = quiet ? null
                : line -> { synchronized (out) { out.println(LogText.controls(line)); out.flush(); } };
        AppServices services;
        try {
            services = AppServices.start(new NetstackNetwork(host.net()), apps, hintAddress(host, false), log);
        } catch (IOException e) {
            shards.close();
            throw new Main.UsageError("cannot start the services: " + e.getMessage());
        }
        if (service == null) return serveAppsOnly(shards, services, out);
        List<TcpServerSocket> server = new ArrayList<>();
        try {
            for (TunHost h : shards.shards()) server.add(new TcpServerSocket(h.net(), p, 1024));
        } catch (IOException e) {
            server.forEach(TcpServerSocket::close);
            services.close();
            shards.close();
            throw new Main.UsageError("cannot listen on port " + p + ": " + e.getMessage());
        }
        String warmed = warmSynPath(tcpConfig, shards, p);
        if (warmed != null && !quiet) out.println(warmed);
        List<EventLoop> loops = shards.shards().stream().map(TunHost::loop).toList();
        // Peer-controlled text reaches the log lines (request lines, error messages): one line each,
        // control characters escaped, so a client cannot forge lines or drive the terminal.
        ConnectionServer cs;
        HttpFileServer http = null;
        String what;
        if (service.httpRoot != null) {
            Options.range("--file-cache", fileCache, 0, 1L << 40);
            http = new HttpFileServer(service.httpRoot, log, limits, System::nanoTime,
                    new HttpFileCache(fileCache, HttpFileCache.DEFAULT_MAX_FILE_BYTES));
            cs = httpServer(server, loops, http, log, maxConnections);
            String port = p == 80 ? "" : ":" + p;
            what = "files under " + service.httpRoot.toAbsolutePath().normalize() + " over HTTP; try: "
                    + (host.address() == null ? "" : "curl http://" + host.address().address() + port + "/")
                    + (host.address() == null || host.address6() == null ? "" : " or ")
                    + (host.address6() == null ? "" : "curl http://[" + host.address6().address() + "]" + port + "/");
        } else if (service.echo) {
            cs = new ConnectionServer(server, loops, s -> echo(s, log), log, maxConnections, null);
            what = "echo; try: nc " + hintAddress(host, false) + " " + p;
        } else {
            cs = new ConnectionServer(server, loops, s -> discard(s, log), log, maxConnections, null);
            what = "discard; try: head -c 10M /dev/zero | nc -q1 " + hintAddress(host, false) + " " + p;
        }
        HttpFileServer httpServer = http;
        out.printf("netstack4j %s on %s port %d serving %s%n", TunHost.join(host.addresses()), host.name(), p, what);
        for (String line : services.started()) out.println("  and " + line);
        out.println(tunOptions.kernelHint(host));
        if (shards.size() > 1) out.println(shards.size() + " queues, one stack and thread each");
        out.println("Ctrl-C to stop");
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            cs.close(2000);
            services.close();
            String perQueue = perQueue(shards);
            shards.close();
            synchronized (out) {
                if (perQueue != null) out.println(perQueue);
                for (String line : services.summary()) out.println(line);
                out.printf("%nstopped: %d connection(s) served, %d refused (over --max-connections %d), at most %d at once%n",
                        cs.accepted(), cs.refused(), maxConnections, cs.peakActive());
                if (httpServer != null) out.println(httpServer.summary());
                out.flush();
            }
            stopped.countDown();
        }, "netstack4j-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            cs.run();
        } finally {
            // Not a Ctrl-C (accept failed): shut down here instead of in the hook.
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
                hook.run();
            } catch (IllegalStateException shuttingDown) {
                stopped.await();
            }
        }
        return 0;
    }

    /**
     * With several queues, "queues: q0 28 connections, q1 22" (connections each shard established), else
     * null. Not tcp.passive_opens: that counts every SYN given a SYN queue slot (LISTEN to SYN-RCVD,
     * as RFC 1213's tcpPassiveOpens), a flood's too: a 60 min soak with 12 floods showed 53,913
     * "connections" for 17,358 served.
     */
    static String perQueue(TunShards shards) {
        if (shards.size() < 2) return null;
        java.util.Map<String, Long> c;
        try {
            c = shards.counters();
        } catch (RuntimeException closed) {
            return null;
        }
        return perQueue(c, shards.size());
    }

    /** {@link #perQueue(TunShards)} from {@link TunShards#counters} of {@code queues} shards. */
    static String perQueue(java.util.Map<String, Long> c, int queues) {
        StringBuilder b = new StringBuilder("queues:");
        for (int q = 0; q < queues; q++)
            b.append(q == 0 ? " " : ", ").append('q').append(q).append(' ')
                    .append(c.getOrDefault("q" + q + ".tcp.established", 0L)).append(q == 0 ? " connections" : "");
        return b.toString();
    }

    /** DNS, SMTP and/or FTP without HTTP: wait for Ctrl-C, then close them and print their counters. */
    private int serveAppsOnly(TunShards shards, AppServices services, PrintWriter out) throws InterruptedException {
        TunHost host = shards.first();
        out.printf("netstack4j %s on %s serving%n", TunHost.join(host.addresses()), host.name());
        for (String line : services.started()) out.println("  " + line);
        out.println(tunOptions.kernelHint(host));
        out.println("Ctrl-C to stop");
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            services.close();
            shards.close();
            synchronized (out) {
                out.println();
                for (String line : services.summary()) out.println("stopped: " + line);
                out.flush();
            }
            stopped.countDown();
        }, "netstack4j-serve-shutdown"));
        stopped.await();
        return 0;
    }

    /**
     * The HTTP service of {@code serve}: at most {@code maxConnections} at once (503 beyond),
     * served from the stacks' event loops ({@link HttpLoopConnection}: requests parsed from the
     * receive buffer, cached files answered straight into the send buffer, a virtual thread only
     * for what may block), TCP_NODELAY on every connection, a lingering close.
     */
    static ConnectionServer httpServer(TcpServerSocket server, EventLoop loop, HttpFileServer files,
                                       java.util.function.Consumer<String> log, int maxConnections) {
        return httpServer(List.of(server), List.of(loop), files, log, maxConnections);
    }

    /** {@link #httpServer(TcpServerSocket, EventLoop, HttpFileServer, java.util.function.Consumer, int)} on one server socket per shard. */
    static ConnectionServer httpServer(List<TcpServerSocket> server, List<EventLoop> loop, HttpFileServer files,
                                       java.util.function.Consumer<String> log, int maxConnections) {
        if (!HTTP_ON_LOOP) return threadHttpServer(server, loop, files, log, maxConnections);
        return httpServer(server, loop, files, log, maxConnections, tickMs(files.limits()));
    }

    /**
     * System property {@code netstack4j.serve.httpLoop} ({@code false}: a virtual thread per
     * connection with blocking sockets, as before the loop path), for comparing the two.
     */
    static final boolean HTTP_ON_LOOP = Boolean.parseBoolean(System.getProperty("netstack4j.serve.httpLoop", "true"));

    /** The thread-per-connection HTTP service: blocking reads and writes with their timeouts, a lingering close. */
    static ConnectionServer threadHttpServer(List<TcpServerSocket> server, List<EventLoop> loop, HttpFileServer files,
                                             java.util.function.Consumer<String> log, int maxConnections) {
        ConnectionServer.Handler handler = s -> {
            s.setTcpNoDelay(true);
            s.setSendTimeout(files.limits().writeTimeoutMs());
            try {
                files.serve(s.getInputStream(), s.getOutputStream(), s.remoteAddress() + ":" + s.getPort(), s::setSoTimeout);
            } catch (HttpFileServer.WriteTimedOut e) {
                // the client stopped reading: what is queued will never be read, so reset rather than
                // leave an orphan probing a zero window (counted in the server's summary)
                s.setSoLinger(true, 0);
                return;
            }
            lingeringClose(s);
        };
        ConnectionServer.Handler overload = s -> {
            s.setTcpNoDelay(true);
            HttpFileServer.overloaded(s.getOutputStream());
            lingeringClose(s);
        };
        return new ConnectionServer(server, loop, handler, log, maxConnections, overload);
    }

    /**
     * Ends an HTTP connection without losing the response: FIN first, then up to 1 s of reading
     * (and dropping) whatever the client still sends, so closing with unread data does not turn
     * into a reset that could destroy the response before the client read it (RFC 9112 9.6).
     */
    static void lingeringClose(TcpSocket s) throws IOException {
        s.shutdownOutput();
        s.setSoTimeout(1000);
        byte[] buf = new byte[8192];
        long until = System.nanoTime() + 1_000_000_000L;
        int total = 0;
        try {
            int n;
            while (total < (64 << 10) && System.nanoTime() < until && (n = s.getInputStream().read(buf)) > 0) total += n;
        } catch (java.net.SocketTimeoutException e) {
            // the client kept the connection open: close it anyway
        }
    }

    /** With the deadlines checked every {@code tickMs} (0: only when the caller runs {@link ConnectionServer#checkTimeouts}). */
    static ConnectionServer httpServer(List<TcpServerSocket> server, List<EventLoop> loop, HttpFileServer files,
                                       java.util.function.Consumer<String> log, int maxConnections, long tickMs) {
        return new ConnectionServer(server, loop,
                (c, mapped, l, refuse, done) -> new HttpLoopConnection(files, c, mapped, l, log, done).start(refuse),
                log, maxConnections, tickMs);
    }

    /** A quarter of the shortest timeout, between 10 and 250 ms: how late a deadline may be noticed. */
    static long tickMs(HttpFileServer.Limits l) {
        long shortest = Long.MAX_VALUE;
        for (int ms : new int[] {l.headerTimeoutMs(), l.idleTimeoutMs(), l.writeTimeoutMs()}) if (ms > 0) shortest = Math.min(shortest, ms);
        return Math.max(10, Math.min(250, shortest / 4));
    }

    static void echo(TcpSocket s, java.util.function.Consumer<String> log) throws IOException {
        InputStream in = s.getInputStream();
        OutputStream o = s.getOutputStream();
        byte[] buf = new byte[65536];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            o.write(buf, 0, n);
            total += n;
        }
        s.shutdownOutput();
        if (log != null) log.accept(s.remoteAddress() + ":" + s.getPort() + " echoed " + total + " bytes");
    }

    static void discard(TcpSocket s, java.util.function.Consumer<String> log) throws IOException {
        long start = System.nanoTime();
        long total = s.getInputStream().transferTo(OutputStream.nullOutputStream());
        if (log != null) {
            double secs = (System.nanoTime() - start) / 1e9;
            log.accept(String.format(java.util.Locale.ROOT, "%s:%d discarded %d bytes in %.3f s (%.1f Mbit/s)",
                    s.remoteAddress(), s.getPort(), total, secs, secs > 0 ? total * 8 / secs / 1e6 : 0));
        }
    }

    /** netstack4j's address for the hints: the IPv4 one, or on an IPv6-only TUN the first IPv6 one (in brackets for a URL). */
    static String hintAddress(TunHost host, boolean url) {
        if (host.address() != null) return host.address().address().toString();
        String a = host.address6().address().toString();
        return url ? "[" + a + "]" : a;
    }
}
