package org.netstack4j.linux;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code tun_http_wrk} row of {@link TunBench}: {@code wrk -t2 -c100} keep-alive requests
 * for a 1 KB file, against {@code netstack4j serve --http} over a TUN (offloads on, the
 * command's defaults) and against nginx (nginx-light, {@code worker_processes auto}) in a
 * namespace joined to wrk's by a veth pair (MTU 1500). Ratio = netstack4j / nginx requests per
 * second. {@code serve} runs as its own JVM (the cli on the class path: {@code netstack4j
 * bench}); wrk, nginx and both servers' CPU (from /proc) are reported.
 */
final class TunHttpBench {
    private TunHttpBench() {}

    static final String CLI_MAIN = "org.netstack4j.cli.Main";
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final int PORT = 8080;

    /** Why the row cannot be measured here, or null. */
    static String whyUnavailable() {
        if (LinuxNet.findOnPath("wrk") == null) return "wrk is not installed (scripts/install-deps.sh)";
        if (nginx() == null) return "nginx is not installed (nginx-light; scripts/install-deps.sh)";
        try {
            Class.forName(CLI_MAIN, false, TunHttpBench.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return "needs the netstack4j cli on the class path (run it as: netstack4j bench --only tun)";
        }
        return null;
    }

    static String nginx() {
        String n = LinuxNet.findOnPath("nginx");
        if (n == null && Files.isExecutable(Path.of("/usr/sbin/nginx"))) n = "/usr/sbin/nginx";
        return n;
    }

    static TunBench.Row row(String tag, int net, double seconds, PrintStream log) {
        String why = whyUnavailable();
        if (why != null) return new TunBench.Row("tun_http_wrk", "req/s", null, null, null, "skipped: " + why);
        Path dir = null;
        Double nsj = null, kernel = null;
        String nsjNote = "", kernelNote = "";
        List<String> problems = new ArrayList<>();
        int secs = Math.max(1, (int) Math.round(seconds * 2));
        try {
            dir = Files.createTempDirectory("nsjb-http");
            // nginx's workers are not root: they must be able to enter the directory and read the file
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            byte[] body = new byte[1024];
            for (int i = 0; i < body.length; i++) body[i] = (byte) ('a' + i % 26);
            Files.write(dir.resolve("f1k"), body);
            Files.setPosixFilePermissions(dir.resolve("f1k"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            Path root = dir;
            String[] n = measure("netstack4j serve over TUN", () -> serveOverTun(tag, net, secs, root), problems, log);
            String[] k = measure("nginx over veth", () -> nginxOverVeth(tag, net, secs, root), problems, log);
            if (n != null) { nsj = Double.parseDouble(n[0]); nsjNote = n[1]; }
            if (k != null) { kernel = Double.parseDouble(k[0]); kernelNote = k[1]; }
        } catch (IOException e) {
            problems.add(e.toString());
        } finally {
            if (dir != null) deleteTree(dir);
        }
        Double ratio = nsj != null && kernel != null && kernel > 0 ? nsj / kernel : null;
        String setup = "wrk -t2 -c100 -d" + secs + "s keep-alive GET of a 1 KB file (after a 2 s warm-up run); netstack4j: `serve --http` (own JVM, "
                + "TUN MTU 1500, offloads) with wrk in the TUN's peer namespace: " + nsjNote + "; kernel: nginx (worker_processes auto, "
                + "access_log off) in a namespace joined to wrk's by a veth pair (MTU 1500): " + kernelNote
                + "; ratio = netstack4j / nginx (target >= 1.0)" + (problems.isEmpty() ? "" : "; failed: " + String.join("; ", problems));
        return new TunBench.Row("tun_http_wrk", "req/s", nsj, kernel, ratio, setup);
    }

    interface Measure { String[] run() throws Exception; }

    /** {requests/s, note} of one side, or null (the problem added, the log told). */
    private static String[] measure(String what, Measure m, List<String> problems, PrintStream log) {
        log.println("tun_http_wrk (" + what + ") ...");
        try {
            String[] r = m.run();
            log.println("  " + r[1]);
            return r;
        } catch (Exception e) {
            problems.add(what + ": " + e.getMessage());
            log.println("tun_http_wrk " + what + " failed: " + e);
            return null;
        }
    }

    /** {requests/s, note}. */
    private static String[] serveOverTun(String tag, int net, int secs, Path dir) throws Exception {
        String ns = "nsjb-" + tag + "-h";
        String addr = "10.215." + net + ".2";
        LinuxNet.netnsAdd(ns);
        Process serve = null;
        try {
            LinuxNet.linkUp(ns, "lo");
            String javaBin = ProcessHandle.current().info().command().orElse("java");
            List<String> cmd = new ArrayList<>(List.of(javaBin, "-Xmx1g", "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path")));
            // extra options for the serve JVM (profiling: -Dnsjb.serveJvm=-XX:StartFlightRecording=filename=serve.jfr)
            String extra = System.getProperty("nsjb.serveJvm", "");
            if (!extra.isBlank()) cmd.addAll(List.of(extra.strip().split("\\s+")));
            cmd.addAll(List.of(CLI_MAIN, "serve",
                    "--tun", "nsjb" + tag + "h", "--address", addr + "/24", "--host-address", "10.215." + net + ".1/24",
                    "--netns", ns, "--http", dir.toString(), "--port", Integer.toString(PORT), "-q", "--max-connections", "1000"));
            serve = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String line;
            while ((line = out.readLine()) != null && !line.contains(" serving ")) {
                seen.append(line).append(' ');
                if (System.nanoTime() > deadline) throw new IOException("serve did not start: " + seen);
            }
            if (line == null) throw new IOException("serve exited: " + seen.toString().strip());
            Process drain = serve;
            Thread.ofVirtual().start(() -> { try { drain.getInputStream().transferTo(java.io.OutputStream.nullOutputStream()); } catch (IOException ignored) { } });
            run(ns, addr, 2); // warm-up, not counted: the JIT compiles serve's request path
            long cpu0 = cpuNs(serve.pid());
            long t0 = System.nanoTime();
            String wrk = run(ns, addr, secs);
            double wall = (System.nanoTime() - t0) / 1e9;
            double cores = (cpuNs(serve.pid()) - cpu0) / 1e9 / wall;
            String rps = rps(wrk);
            return new String[] {rps, String.format(Locale.ROOT, "serve JVM %.2f cores, %.0f us CPU per request; %s", cores,
                    perRequestUs(cores, rps), errors(wrk))};
        } finally {
            if (serve != null) {
                serve.destroy();
                if (!serve.waitFor(10, TimeUnit.SECONDS)) serve.destroyForcibly();
            }
            LinuxNet.netnsDeleteQuietly(ns);
        }
    }

    private static String[] nginxOverVeth(String tag, int net, int secs, Path dir) throws Exception {
        String a = "nsjb-" + tag + "-wa", b = "nsjb-" + tag + "-wb";
        String addrB = "10.215." + net + ".2";
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, """
                worker_processes auto;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/nginx-error.log;
                events { worker_connections 1024; }
                http {
                  access_log off;
                  keepalive_requests 1000000;
                  server { listen %2$s:%3$d; root %1$s; }
                }
                """.formatted(dir, addrB, PORT));
        Process nginx = null;
        try {
            LinuxNet.netnsAdd(a);
            LinuxNet.netnsAdd(b);
            LinuxNet.ip(a, "link", "add", "nsjb" + tag + "wa", "mtu", "1500", "type", "veth",
                    "peer", "name", "nsjb" + tag + "wb", "mtu", "1500", "netns", b);
            LinuxNet.addressAdd(a, "nsjb" + tag + "wa", "10.215." + net + ".1/24");
            LinuxNet.addressAdd(b, "nsjb" + tag + "wb", addrB + "/24");
            for (String[] l : new String[][] {{a, "nsjb" + tag + "wa"}, {b, "nsjb" + tag + "wb"}, {a, "lo"}, {b, "lo"}})
                LinuxNet.linkUp(l[0], l[1]);
            nginx = LinuxNet.netnsStart(b, nginx(), "-c", conf.toString(), "-p", dir.toString());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!LinuxNet.netnsExec(a, "bash", "-c", "exec 3<>/dev/tcp/" + addrB + "/" + PORT + " 2>/dev/null && echo up || true")
                    .stdout().contains("up")) {
                if (!nginx.isAlive() || System.nanoTime() > deadline)
                    throw new IOException("nginx did not start: " + new String(nginx.getInputStream().readNBytes(
                            Math.max(0, nginx.getInputStream().available())), StandardCharsets.UTF_8));
                Thread.sleep(100);
            }
            run(a, addrB, 2); // the same warm-up as serve's
            long cpu0 = treeCpuNs(nginx);
            long t0 = System.nanoTime();
            String wrk = run(a, addrB, secs);
            double wall = (System.nanoTime() - t0) / 1e9;
            double cores = (treeCpuNs(nginx) - cpu0) / 1e9 / wall;
            String rps = rps(wrk);
            return new String[] {rps, String.format(Locale.ROOT, "nginx %.2f cores, %.0f us CPU per request; %s", cores,
                    perRequestUs(cores, rps), errors(wrk))};
        } finally {
            if (nginx != null) {
                nginx.descendants().forEach(ProcessHandle::destroy);
                nginx.destroy();
                if (!nginx.waitFor(10, TimeUnit.SECONDS)) nginx.destroyForcibly();
            }
            LinuxNet.netnsDeleteQuietly(a);
            LinuxNet.netnsDeleteQuietly(b);
        }
    }

    private static String run(String ns, String addr, int secs) throws Exception {
        LinuxNet.Result r = LinuxNet.netnsExec(ns, "wrk", "-t2", "-c100", "-d" + secs + "s", "http://" + addr + ":" + PORT + "/f1k");
        if (!r.ok()) throw new IOException("wrk exited with " + r.exitCode() + ": " + r.stderr().strip());
        return r.stdout();
    }

    private static String rps(String wrk) throws IOException {
        Matcher m = RPS.matcher(wrk);
        if (!m.find()) throw new IOException("wrk gave no Requests/sec: " + wrk.strip());
        return m.group(1);
    }

    /** CPU time per request in microseconds: cores busy divided by requests per second. */
    private static double perRequestUs(double cores, String rps) {
        double r = Double.parseDouble(rps);
        return r > 0 ? cores * 1e6 / r : Double.NaN;
    }

    /** wrk's error lines (socket errors, non-2xx), or "no errors". */
    private static String errors(String wrk) {
        List<String> bad = wrk.lines().map(String::strip)
                .filter(l -> l.startsWith("Socket errors") || l.startsWith("Non-2xx")).toList();
        return bad.isEmpty() ? "wrk: no errors" : "wrk: " + String.join("; ", bad);
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // a temp directory left behind is harmless
        }
    }

    /** utime + stime of a process from /proc (clock ticks of 10 ms on Linux), in ns; 0 if gone. */
    static long cpuNs(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long treeCpuNs(Process p) {
        return cpuNs(p.pid()) + p.descendants().mapToLong(h -> cpuNs(h.pid())).sum();
    }
}
