package org.netstack4j.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs iproute2's {@code ip} (and other commands) for tests and the CLI: addresses, links,
 * network namespaces. Every failure names the command, its exit code and its stderr.
 * A {@code netns} argument of {@code null} means the namespace this JVM runs in.
 */
public final class LinuxNet {
    /**
     * Namespaces this JVM made with {@link #netnsAdd} and has not deleted yet. Every caller in
     * netstack4j (tests, benchmarks) makes them for the length of one run, so they are deleted
     * when the JVM exits, even when it exits early (Ctrl-C, a killed Maven build, a test that
     * never reached its tear-down): a leftover namespace would keep its addresses, routes and
     * veths and break the next run. A JVM killed with SIGKILL still leaves them behind.
     */
    private static final java.util.Set<String> OWNED_NAMESPACES = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The JVM-exit hook that deletes {@link #OWNED_NAMESPACES}, installed on first use. */
    private enum ShutdownCleanup {
        HOOK;

        private final java.util.concurrent.atomic.AtomicBoolean installed = new java.util.concurrent.atomic.AtomicBoolean();

        void ensureInstalled() {
            if (!installed.compareAndSet(false, true)) return;
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("netstack4j-netns-cleanup").unstarted(() -> {
                for (String ns : List.copyOf(OWNED_NAMESPACES)) {
                    stopProcessesIn(ns);
                    netnsDeleteQuietly(ns);
                }
            }));
        }
    }

    private LinuxNet() {}

    /** How long a single command may take before it is killed. */
    public static final long COMMAND_TIMEOUT_SECONDS = 20;

    private static final String[] IP_CANDIDATES = {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"};

    /** A finished command. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** A command failed or could not run; the message shows it and what it printed on stderr. */
    public static final class CommandException extends IOException {
        private final transient Result result;

        CommandException(String message, Result result) {
            super(message);
            this.result = result;
        }

        /** The failed command's result, or null if it never ran. */
        public Result result() {
            return result;
        }
    }

    // ---- environment checks (for tests and the CLI to explain what is missing) ----

    /** Path of the {@code ip} binary, or null if iproute2 is not installed. */
    public static String ipCommand() {
        for (String c : IP_CANDIDATES) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        return findOnPath("ip");
    }

    /** An executable named {@code name} on PATH or in the usual sbin/bin directories, or null. */
    public static String findOnPath(String name) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(Arrays.asList(path.split(":")));
        }
        dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /** Whether this process runs as uid 0 (read from /proc/self/status, no native call). */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).trim().split("\\s+");
                    return f.length >= 2 && f[1].equals("0"); // effective uid
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** Whether this process has CAP_NET_ADMIN (bit 12 of CapEff). */
    public static boolean hasNetAdmin() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return (caps & (1L << 12)) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    public static boolean hasTunDevice() {
        return Files.exists(Path.of("/dev/net/tun"));
    }

    /** Null if TUN/TAP tests and commands can run here, otherwise why not. */
    public static String whyUnavailable() {
        if (!hasTunDevice()) {
            return "/dev/net/tun is missing (modprobe tun)";
        }
        if (!isRoot() && !hasNetAdmin()) {
            return "needs root or CAP_NET_ADMIN (run with sudo)";
        }
        if (ipCommand() == null) {
            return "the ip command (iproute2) is not installed: apt-get install iproute2";
        }
        return null;
    }

    // ---- running commands ----

    /** Runs a command, waits for it, and returns its output; never throws for a non-zero exit. */
    public static Result exec(List<String> command) throws CommandException {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("nsj-cmd", ".out");
            err = Files.createTempFile("nsj-cmd", ".err");
            Process p = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new CommandException("command timed out after " + COMMAND_TIMEOUT_SECONDS + " s: "
                        + String.join(" ", command), null);
            }
            return new Result(List.copyOf(command), p.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            if (e instanceof CommandException ce) {
                throw ce;
            }
            throw new CommandException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted while running " + String.join(" ", command), null);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** Runs a command and fails unless it exits with 0; returns its stdout. */
    public static String run(List<String> command) throws CommandException {
        Result r = exec(command);
        if (!r.ok()) {
            throw failure(r);
        }
        return r.stdout();
    }

    public static String run(String... command) throws CommandException {
        return run(List.of(command));
    }

    static CommandException failure(Result r) {
        String err = r.stderr().strip();
        return new CommandException("command failed (exit " + r.exitCode() + "): " + String.join(" ", r.command())
                + (err.isEmpty() ? "" : "\n  stderr: " + err), r);
    }

    /** Runs {@code ip [-n netns] args...} and returns its stdout. */
    public static String ip(String netns, String... args) throws CommandException {
        return run(ipArgs(netns, args));
    }

    static List<String> ipArgs(String netns, String... args) throws CommandException {
        String ip = ipCommand();
        if (ip == null) {
            throw new CommandException("the ip command (iproute2) is not installed: apt-get install iproute2", null);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(ip);
        if (netns != null) {
            cmd.add("-n");
            cmd.add(netns);
        }
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    // ---- links and addresses ----

    /** {@code ip addr add CIDR dev DEV}, e.g. addressAdd("nsj0", "10.213.0.1/24"). */
    public static void addressAdd(String dev, String cidr) throws CommandException {
        addressAdd(null, dev, cidr);
    }

    public static void addressAdd(String netns, String dev, String cidr) throws CommandException {
        ip(netns, "addr", "add", cidr, "dev", dev);
    }

    /** {@code ip link set DEV up}. */
    public static void linkUp(String dev) throws CommandException {
        linkUp(null, dev);
    }

    public static void linkUp(String netns, String dev) throws CommandException {
        ip(netns, "link", "set", "dev", dev, "up");
    }

    public static void linkSetMtu(String netns, String dev, int mtu) throws CommandException {
        ip(netns, "link", "set", "dev", dev, "mtu", Integer.toString(mtu));
    }

    /** Moves an interface into another namespace; an open TUN/TAP descriptor keeps working. */
    public static void linkSetNetns(String dev, String netns) throws CommandException {
        ip(null, "link", "set", "dev", dev, "netns", netns);
    }

    public static void linkDelete(String netns, String dev) throws CommandException {
        ip(netns, "link", "del", "dev", dev);
    }

    /** Whether interface {@code dev} exists in {@code netns} (null: this namespace). */
    public static boolean linkExists(String netns, String dev) throws CommandException {
        return exec(ipArgs(netns, "link", "show", "dev", dev)).ok();
    }

    /** {@code ip route add CIDR dev DEV} (or {@code via GW} when gateway is not null). */
    public static void routeAdd(String netns, String cidr, String dev, String gateway) throws CommandException {
        if (gateway == null) {
            ip(netns, "route", "add", cidr, "dev", dev);
        } else {
            ip(netns, "route", "add", cidr, "via", gateway, "dev", dev);
        }
    }

    // ---- network namespaces ----

    /** {@code ip netns add NAME} (a fresh namespace with only {@code lo}, down). */
    public static void netnsAdd(String netns) throws CommandException {
        ip(null, "netns", "add", netns);
        OWNED_NAMESPACES.add(netns);
        ShutdownCleanup.HOOK.ensureInstalled();
    }

    /** {@code ip netns del NAME}; TUN/TAP interfaces inside are destroyed with it. */
    public static void netnsDelete(String netns) throws CommandException {
        ip(null, "netns", "del", netns);
        OWNED_NAMESPACES.remove(netns);
    }

    /**
     * Stops (SIGTERM) every process still running in {@code netns}, such as a server a test started
     * there with {@code ip netns exec}; deleting the namespace alone would leave them running.
     */
    private static void stopProcessesIn(String netns) {
        try {
            Result r = exec(ipArgs(null, "netns", "pids", netns));
            if (!r.ok()) return;
            r.stdout().lines().map(String::trim).filter(l -> l.matches("\\d+"))
                    .forEach(pid -> ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroy));
        } catch (CommandException ignored) {
            // exit path: nothing more to do
        }
    }

    /** Deletes the namespace if it exists, ignoring every error (for finally blocks). */
    public static void netnsDeleteQuietly(String netns) {
        OWNED_NAMESPACES.remove(netns);
        try {
            exec(ipArgs(null, "netns", "del", netns));
        } catch (CommandException ignored) {
            // cleanup path: nothing more to do
        }
    }

    /** Runs {@code command} inside {@code netns} and waits (exit code not checked). */
    public static Result netnsExec(String netns, String... command) throws CommandException {
        return exec(netnsCommand(netns, command));
    }

    /**
     * Starts {@code command} inside {@code netns} without waiting (e.g. a ping the test answers).
     * stdout and stderr are merged and readable from the returned process.
     */
    public static Process netnsStart(String netns, String... command) throws CommandException {
        List<String> cmd = netnsCommand(netns, command);
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new CommandException("cannot start " + String.join(" ", cmd) + ": " + e.getMessage(), null);
        }
    }

    static List<String> netnsCommand(String netns, String... command) throws CommandException {
        if (netns == null) {
            return List.of(command);
        }
        List<String> cmd = ipArgs(null, "netns", "exec", netns);
        cmd.addAll(Arrays.asList(command));
        return cmd;
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // temp file cleanup only
            }
        }
    }
}
