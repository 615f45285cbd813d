package org.netstack4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.netstack4j.linux.LinuxNet;

/**
 * The kernel baseline's plumbing. As root (with iproute2): a fresh network namespace joined to
 * the root namespace by a veth pair with MTU 1500, 10.214.0.1/24 here and 10.214.0.2/24 inside;
 * the server is a {@link KernelPeer} JVM started with {@code ip netns exec}, the clients run in
 * this JVM. Otherwise the peer JVM listens on loopback (MTU 65536 on Linux). Everything created
 * is removed on {@link #close()}.
 */
final class KernelRig implements AutoCloseable {
    static final String HERE = "10.214.0.1", THERE = "10.214.0.2";

    final String setup;
    final InetAddress server;
    final int[] ports;
    final boolean root;
    private final String netns, veth, vethPeer;
    private final Process peer;
    private final BufferedReader peerOut;
    private final OutputStream peerIn;

    private KernelRig(String setup, InetAddress server, String netns, String veth, Process peer, boolean root) throws IOException {
        this.setup = setup;
        this.server = server;
        this.netns = netns;
        this.veth = veth;
        this.vethPeer = veth == null ? null : veth.substring(0, veth.length() - 1) + "b";
        this.peer = peer;
        this.root = root;
        this.peerOut = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
        this.peerIn = peer.getOutputStream();
        String ready = peerOut.readLine();
        if (ready == null || !ready.startsWith("READY ")) {
            peer.destroyForcibly();
            throw new IOException("kernel peer did not start: " + ready);
        }
        String[] p = ready.substring(6).trim().split(" ");
        ports = new int[p.length];
        for (int i = 0; i < p.length; i++) ports[i] = Integer.parseInt(p[i]);
    }

    static KernelRig start(PrintStream log) throws IOException {
        boolean root = LinuxNet.isRoot() && LinuxNet.ipCommand() != null;
        long pid = ProcessHandle.current().pid();
        if (root) {
            String ns = "nsjb" + pid;
            String va = "nsjb" + pid + "a", vb = "nsjb" + pid + "b";
            try {
                LinuxNet.netnsAdd(ns);
                LinuxNet.ip(null, "link", "add", va, "mtu", "1500", "type", "veth", "peer", "name", vb, "mtu", "1500");
                LinuxNet.linkSetNetns(vb, ns);
                LinuxNet.addressAdd(null, va, HERE + "/24");
                LinuxNet.linkUp(null, va);
                LinuxNet.addressAdd(ns, vb, THERE + "/24");
                LinuxNet.linkUp(ns, vb);
                LinuxNet.linkUp(ns, "lo");
                List<String> cmd = new ArrayList<>(List.of(LinuxNet.ipCommand(), "netns", "exec", ns));
                cmd.addAll(javaCommand("serve", THERE));
                Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                return new KernelRig("veth pair MTU 1500, client in root netns " + HERE + ", server JVM in netns " + ns + " " + THERE,
                        InetAddress.getByName(THERE), ns, va, p, true);
            } catch (IOException e) {
                log.println("bench: netns/veth setup failed, using loopback: " + e.getMessage());
                cleanup(ns, va);
            }
        }
        Process p = new ProcessBuilder(javaCommand("serve", "127.0.0.1")).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new KernelRig("loopback 127.0.0.1 (MTU 65536), server JVM on this host" + (root ? "" : " (not root: no netns/veth)"),
                InetAddress.getLoopbackAddress(), null, null, p, false);
    }

    /** The idle client: {@code java ... KernelPeer dial-idle SERVER HOLDPORTS N}, run in this namespace. */
    List<String> idleClientCommand(int n) {
        StringBuilder holdPorts = new StringBuilder();
        for (int i = KernelPeer.HOLD; i < ports.length; i++) holdPorts.append(holdPorts.isEmpty() ? "" : ",").append(ports[i]);
        return javaCommand("dial-idle", server.getHostAddress(), holdPorts.toString(), Integer.toString(n));
    }

    /** {@code java -cp CP KernelPeer args...} with this JVM's java and class path. */
    private static List<String> javaCommand(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        cmd.add("-Xss256k");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(KernelPeer.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Connections the idle test can hold with the kernel: each JVM (client, peer) holds one
     * descriptor per connection, capped by the hard RLIMIT_NOFILE (raising it needs
     * CAP_SYS_RESOURCE, which a container may lack).
     */
    static int maxIdleConnections(int wanted) {
        long hard = 1024;
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    hard = f[1].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(f[1]);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // keep the conservative default
        }
        return (int) Math.max(0, Math.min(wanted, hard - 512));
    }

    Conn.Dialer dialer(int role) {
        InetSocketAddress to = new InetSocketAddress(server, ports[role]);
        return () -> {
            Socket s = new Socket();
            s.connect(to, 10_000);
            return Conn.of(s);
        };
    }

    /**
     * Turns the veth pair's offloads on (the default: TSO/GSO/GRO and checksum offload, so
     * the kernel moves up to 64 KiB per packet through the pair and checksums nothing) or off
     * (1500-byte packets, checksums computed in software, as netstack4j does). Needs the
     * veth setup (root) and ethtool; returns why not, or null when done.
     */
    String setOffloads(boolean on) {
        if (veth == null) return "no veth pair (not root)";
        String ethtool = LinuxNet.findOnPath("ethtool");
        if (ethtool == null) return "ethtool not installed (scripts/install-deps.sh installs it)";
        String v = on ? "on" : "off";
        try {
            LinuxNet.run(ethtool, "-K", veth, "tso", v, "gso", v, "gro", v, "tx", v, "rx", v);
            LinuxNet.netnsExec(netns, ethtool, "-K", vethPeer, "tso", v, "gso", v, "gro", v, "tx", v, "rx", v);
            return null;
        } catch (IOException e) {
            return "ethtool failed: " + e.getMessage();
        }
    }

    /** The peer JVM's process id (to pin it to a CPU). */
    long peerPid() { return peer.pid(); }

    /** Connections the peer's holders have accepted. */
    int held() throws IOException {
        peerIn.write("held\n".getBytes(StandardCharsets.US_ASCII));
        peerIn.flush();
        String line = peerOut.readLine();
        if (line == null || !line.startsWith("HELD ")) throw new IOException("kernel peer: unexpected answer " + line);
        return Integer.parseInt(line.substring(5).trim());
    }

    @Override public void close() {
        Measure.closeQuietly(peerIn);
        try {
            if (!peer.waitFor(5, TimeUnit.SECONDS)) peer.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cleanup(netns, veth);
    }

    private static void cleanup(String ns, String veth) {
        if (veth != null) {
            try {
                if (LinuxNet.linkExists(null, veth)) LinuxNet.linkDelete(null, veth);
            } catch (IOException ignored) {
                // deleting the namespace removes the pair anyway
            }
        }
        if (ns != null) LinuxNet.netnsDeleteQuietly(ns);
    }
}
