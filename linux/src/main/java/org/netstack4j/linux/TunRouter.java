package org.netstack4j.linux;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.netstack4j.device.Device;
import org.netstack4j.device.Medium;
import org.netstack4j.device.PcapTap;
import org.netstack4j.device.PcapWriter;
import org.netstack4j.filter.NatConfig;
import org.netstack4j.filter.Netfilter;
import org.netstack4j.host.Host;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.trace.Tracer;

/**
 * A netstack4j router between several Linux TUN interfaces: one {@link Host} with forwarding on
 * (RFC 1812; IPv6 on the ports given IPv6 addresses, RFC 8200) and an interface per TUN, all on one {@link EventLoop} (one reader thread per TUN
 * queues its packets to the loop, as in {@link TunHost}), optionally with a {@link Netfilter}.
 * Each port may be moved into a network namespace and have its kernel side addressed, brought
 * up and given a default route via netstack4j ({@link Port#netns}, {@link Port#kernelAddress}).
 */
public final class TunRouter implements AutoCloseable {
    /**
     * One TUN: {@code name}, netstack4j's {@code address} on it (null: an IPv6-only port) and
     * its IPv6 addresses ({@code ipv6}, may be empty: then IPv6 is off on it; at least one of
     * the two families is given); optionally the namespace to move it
     * into and the kernel side's addresses there (then default routes via us are added in it:
     * IPv4 always, IPv6 when both sides have an IPv6 address).
     */
    public record Port(String name, Ipv4Cidr address, String netns, Ipv4Cidr kernelAddress,
                       List<Ipv6Cidr> ipv6, List<Ipv6Cidr> kernelIpv6, int mtu) {
        public Port {
            Objects.requireNonNull(name, "name");
            ipv6 = List.copyOf(ipv6);
            if (address == null && ipv6.isEmpty()) throw new IllegalArgumentException(name + ": an IPv4 or an IPv6 address");
            kernelIpv6 = List.copyOf(kernelIpv6);
            if (mtu != 0 && (mtu < 68 || mtu > 65535)) throw new IllegalArgumentException("MTU must be 68..65535 (or 0: the kernel's), not " + mtu);
        }

        public Port(String name, Ipv4Cidr address, String netns, Ipv4Cidr kernelAddress) {
            this(name, address, netns, kernelAddress, List.of(), List.of(), 0);
        }

        /** The same port with the TUN's MTU set to {@code mtu} when it is opened (0: the kernel's, normally 1500). */
        public Port withMtu(int mtu) { return new Port(name, address, netns, kernelAddress, ipv6, kernelIpv6, mtu); }

        public Port(String name, Ipv4Cidr address) { this(name, address, null, null); }

        public Port(String name, Ipv4Cidr address, List<Ipv6Cidr> ipv6) { this(name, address, null, null, ipv6, List.of(), 0); }
    }

    /**
     * One queue of every port with a stack and loop of its own. The kernel keeps a flow on one
     * shard on both ports: the TUN driver sends a new flow to the queue of its flow hash, which is
     * symmetric (skb_get_hash sorts addresses and ports, so both directions agree), and from then
     * on to the queue netstack4j last wrote that flow from (automq's flow table), which is the
     * shard that read it. Without filter or NAT there is no state a move could tear apart, so no
     * hand-off between shards is needed. A firewall has a connection table per shard ({@code nf},
     * its own {@link Netfilter}): both directions of a flow meet on the shard, and so in its table.
     * Masquerade: each shard's NAT hands out its own slice of the ports ({@link NatConfig#withSlice}),
     * and a reply the kernel sends to another shard is handed to the owner ({@link NatSteering}).
     */
    private record Shard(Host host, EventLoop loop, List<TunDevice> tuns, List<TunHost.TunPort> ports, Netfilter nf) {}

    private final List<Shard> shards = new ArrayList<>();
    /** The shards by index as they start, for the readers' hand-offs (a slot still null: keep the frame). */
    private final java.util.concurrent.atomic.AtomicReferenceArray<Shard> started;
    /** Frames a shard's readers handed to another shard (index: the reader's shard). */
    private final java.util.concurrent.atomic.AtomicLongArray steered;
    private final String fallback;
    private final PcapWriter pcap;
    private boolean closed;

    /** Makes queue {@code queue}'s netfilter (or null) once the router knows how many {@code queues} the kernel gave. */
    @FunctionalInterface
    public interface QueueFilters {
        Netfilter make(int queue, int queues);
    }

    private TunRouter(List<Port> config, QueueFilters nfOfShard, Path pcapFile, long seed, boolean offload,
                      int queues) throws IOException {
        PcapWriter writer = null;
        List<List<TunDevice>> byPort = new ArrayList<>(); // each port's queues
        try {
            if (pcapFile != null) writer = PcapWriter.open(pcapFile, PcapTap.linkTypeOf(Medium.IP));
            this.pcap = writer;
            String why = null;
            int n = queues;
            for (Port p : config) {
                // Offloads on (IFF_VNET_HDR): one read takes a whole GSO super-packet of the kernel's
                // and hands it to the stack with its gso_size; forwarding checks the segments it
                // stands for against the next hop (TTL, MTU, firewall and NAT act on the whole) and
                // writes it on whole as a GSO packet (the kernel cuts it), or cuts it itself for a
                // device without TSO or a next hop that needs fragments. One read and one write per
                // up to 64 KiB instead of one per packet. With a capture the TUN stays plain, so the
                // file holds what crossed it packet by packet.
                TunDevice.Queues q = TunDevice.openQueues(p.name(), p.mtu(), pcapFile == null && offload, queues);
                byPort.add(new ArrayList<>(q.devices()));
                if (q.fallback() != null && why == null) why = q.fallback();
                n = Math.min(n, q.devices().size());
                TunDevice tun = q.devices().getFirst();
                if (p.netns() != null) LinuxNet.linkSetNetns(tun.name(), p.netns());
                if (p.kernelAddress() != null && p.address() != null) {
                    LinuxNet.addressAdd(p.netns(), tun.name(), p.kernelAddress().toString());
                    LinuxNet.linkUp(p.netns(), tun.name());
                    LinuxNet.ip(p.netns(), "route", "replace", "default", "via", p.address().address().toString());
                } else {
                    LinuxNet.linkUp(p.netns(), tun.name());
                }
                for (Ipv6Cidr k : p.kernelIpv6()) // a TUN has no neighbours to ask: no DAD
                    LinuxNet.ip(p.netns(), "-6", "addr", "add", k.toString(), "dev", tun.name(), "nodad");
                if (!p.kernelIpv6().isEmpty() && !p.ipv6().isEmpty())
                    LinuxNet.ip(p.netns(), "-6", "route", "replace", "default", "via", p.ipv6().getFirst().address().toString(), "dev", tun.name());
            }
            // every port needs the same number of queues: the extra ones of a port that got more are closed
            for (List<TunDevice> qs : byPort) while (qs.size() > n) qs.removeLast().close();
            this.fallback = why;
            this.started = new java.util.concurrent.atomic.AtomicReferenceArray<>(n);
            this.steered = new java.util.concurrent.atomic.AtomicLongArray(n);
            NatSteering natSteering = null;
            for (int i = 0; i < n; i++) {
                Netfilter nf = nfOfShard == null ? null : nfOfShard.make(i, n);
                if (nf != null && n > 1) {
                    for (org.netstack4j.filter.Nat nat : nf.nats()) {
                        NatConfig c = nat.config();
                        if (c.slices() != n || c.slice() != i)
                            throw new IllegalArgumentException("queue " + i + " of " + n + ": its NAT on " + c.externalIface() + " hands out slice "
                                    + c.slice() + " of " + c.slices() + " of the ports, not " + i + " of " + n + " (NatConfig#withSlice)");
                    }
                    if (i == 0 && !nf.nats().isEmpty()) natSteering = new NatSteering(nf.nats().stream().map(org.netstack4j.filter.Nat::config).toList());
                }
                Host host = new Host(n == 1 ? "netstack4j-router" : "netstack4j-router-q" + i, TcpConfig.defaults(), Tracer.NONE, seed);
                List<TunDevice> tuns = new ArrayList<>();
                List<TunHost.TunPort> ports = new ArrayList<>();
                for (int j = 0; j < config.size(); j++) {
                    Port p = config.get(j);
                    TunDevice tun = byPort.get(j).get(i);
                    // forwarded whole or cut and summed anew: a super-packet's sum is not needed (no filter or NAT reads it)
                    if (nf == null) tun.leaveSuperPacketChecksumsPartial(true);
                    TunHost.TunPort port = new TunHost.TunPort(tun);
                    tuns.add(tun);
                    ports.add(port);
                    Device dev = writer == null ? port : new PcapTap(port, writer);
                    // (no IPv4 address: an IPv6-only interface, Host#addInterface)
                    host.addInterface(tun.name(), dev, null, p.address() == null ? null : p.address().address(),
                            p.address() == null ? 0 : p.address().prefixLength());
                    for (Ipv6Cidr a : p.ipv6()) host.addIpv6Address(tun.name(), a.address(), a.prefixLength());
                }
                host.ip().setForwarding(true);
                host.ip().setIpv6Forwarding(true);
                if (nf != null) host.ip().setNetfilter(nf);
                EventLoop loop = EventLoop.start(n == 1 ? "netstack4j-router" : "netstack4j-router-q" + i, host);
                Shard shard = new Shard(host, loop, tuns, ports, nf);
                shards.add(shard);
                started.set(i, shard);
                if (writer != null && i == 0) writer.setTimeOffset(System.currentTimeMillis() * 1_000_000L - loop.now());
                for (int j = 0; j < tuns.size(); j++) {
                    org.netstack4j.runtime.IoSource source = new TunHost.TunSource(tuns.get(j));
                    if (natSteering != null) source = new SteeredSource(source, natSteering, i, j);
                    loop.register(tuns.get(j).name() + (n == 1 ? "" : "-q" + i), source, ports.get(j), TunHost.RX_QUEUE_LIMIT);
                }
            }
        } catch (IOException | RuntimeException e) {
            for (Shard s : shards) s.loop().close();
            for (List<TunDevice> qs : byPort) for (TunDevice t : qs) t.close();
            if (writer != null) {
                try { writer.close(); } catch (IOException ignored) { /* already failing */ }
            }
            throw e;
        }
    }

    /** Opens the TUNs (root or CAP_NET_ADMIN), configures them and starts forwarding. */
    public static TunRouter open(List<Port> ports, Netfilter nf, Path pcap, long seed) throws IOException {
        return open(ports, nf, pcap, seed, true);
    }

    /**
     * {@link #open(List, Netfilter, Path, long)}, with the TUNs' offloads (IFF_VNET_HDR: GSO reads
     * cut into segments, forwarded segments written as GSO super-packets) on or off; a capture
     * ({@code pcap} not null) turns them off.
     */
    public static TunRouter open(List<Port> ports, Netfilter nf, Path pcap, long seed, boolean offload) throws IOException {
        return open(ports, nf, pcap, seed, offload, 1);
    }

    /**
     * {@link #open(List, Netfilter, Path, long, boolean)} with every TUN opened as {@code queues}
     * queues (IFF_MULTI_QUEUE) and one stack and loop per queue index, so flows are forwarded on
     * as many cores (the kernel keeps each flow on one queue of every port). More than one queue needs {@code nf} null: one
     * netfilter is one stack's (see {@link #openPerQueue(List, QueueFilters, Path, long, boolean, int)} for one per queue).
     * If the kernel gives fewer queues, the router runs with those ({@link #fallback}).
     */
    public static TunRouter open(List<Port> ports, Netfilter nf, Path pcap, long seed, boolean offload, int queues) throws IOException {
        if (queues > 1 && nf != null)
            throw new IllegalArgumentException("more than one queue needs a netfilter per queue (one netfilter is one stack's)");
        return openPerQueue(ports, nf == null ? null : i -> nf, pcap, seed, offload, queues);
    }

    /**
     * {@link #open(List, Netfilter, Path, long, boolean, int)} with a netfilter per queue:
     * {@code nfOfQueue} makes queue i's (null: none), each with its own connection table, touched
     * only on that queue's loop. The kernel keeps both directions of a flow on one queue index
     * (the symmetric flow hash, then the queue that last wrote the flow), so a flow's packets
     * meet one table. A table's limit ({@link org.netstack4j.filter.ConnTrackConfig}) is per queue.
     * With NAT and more than one queue, queue i of n must translate with slice i of n of the ports
     * ({@link NatConfig#withSlice}), so two queues never hand out the same external port; a reply
     * the kernel sends to another queue is handed to the owner ({@link NatSteering}, counted as
     * {@code tun.steered_out}). {@code nfOfQueue} is called with the number of queues the kernel gave.
     */
    public static TunRouter openPerQueue(List<Port> ports, QueueFilters nfOfQueue, Path pcap, long seed,
                                         boolean offload, int queues) throws IOException {
        if (ports.isEmpty()) throw new IllegalArgumentException("a router needs at least one interface");
        if (queues < 1) throw new IllegalArgumentException("queues must be at least 1: " + queues);
        return new TunRouter(List.copyOf(ports), nfOfQueue, pcap, seed, offload, queues);
    }

    /**
     * {@link #openPerQueue(List, QueueFilters, Path, long, boolean, int)} with {@code nfOfQueue(i)}
     * for queue i, whatever the number of queues (its NATs, if any, must then be sliced for exactly
     * the queues the kernel gives).
     */
    public static TunRouter openPerQueue(List<Port> ports, java.util.function.IntFunction<Netfilter> nfOfQueue, Path pcap, long seed,
                                         boolean offload, int queues) throws IOException {
        return openPerQueue(ports, nfOfQueue == null ? null : (i, n) -> nfOfQueue.apply(i), pcap, seed, offload, queues);
    }

    /** The TUNs (shard 0's queue of each), in the order of the ports (their offloads and counters). */
    public List<TunDevice> tuns() { return List.copyOf(shards.getFirst().tuns()); }

    /** Queue {@code i}'s netfilter, or null (touch it only on {@link #loop(int)}'s thread). */
    public Netfilter netfilter(int i) { return shards.get(i).nf(); }

    /** Queue {@code i}'s loop. */
    public EventLoop loop(int i) { return shards.get(i).loop(); }

    /** Queues per TUN, and so stacks and loops forwarding side by side. */
    public int queues() { return shards.size(); }

    /** Why fewer queues than asked for were opened, or null. */
    public String fallback() { return fallback; }

    /** Shard 0's stack, the only one with one queue (touch it only on {@link #loop()}'s thread). */
    public Host host() { return shards.getFirst().host(); }

    /** Shard 0's loop. */
    public EventLoop loop() { return shards.getFirst().loop(); }

    /**
     * The counters, each read on its shard's loop: name to value, non-zero only, summed over the
     * shards; with more than one, each shard's also under {@code qN.name}.
     */
    public java.util.Map<String, Long> counters() {
        java.util.Map<String, Long> sum = new java.util.TreeMap<>(), each = new java.util.TreeMap<>();
        for (int i = 0; i < shards.size(); i++) {
            Shard s = shards.get(i);
            java.util.Map<String, Long> m = s.loop().call(() -> {
                java.util.Map<String, Long> c = new java.util.TreeMap<>();
                s.host().counters().snapshot().forEach((k, v) -> { if (v != 0) c.put(k, v); });
                long out = steered.get(shards.indexOf(s));
                if (out != 0) c.put("tun.steered_out", out);
                for (TunDevice t : s.tuns()) {
                    TunOffload.Stats o = t.offloadStats();
                    String at = "tun." + t.name();
                    if (o.rxSuperPackets() != 0) c.put(at + ".rx_super_packets", o.rxSuperPackets());
                    if (t.rxChecksumsLeftPartial() != 0) c.put(at + ".rx_checksums_left_partial", t.rxChecksumsLeftPartial());
                    if (o.txSuperPackets() != 0) c.put(at + ".tx_super_packets", o.txSuperPackets());
                    if (o.txSegmentsCoalesced() != 0) c.put(at + ".tx_segments_coalesced", o.txSegmentsCoalesced());
                    if (o.txUdpSuperPackets() != 0) c.put(at + ".tx_udp_super_packets", o.txUdpSuperPackets());
                    if (o.txDatagramsCoalesced() != 0) c.put(at + ".tx_datagrams_coalesced", o.txDatagramsCoalesced());
                }
                return c;
            });
            for (var e : m.entrySet()) {
                sum.merge(e.getKey(), e.getValue(), Long::sum);
                if (shards.size() > 1) each.put("q" + i + "." + e.getKey(), e.getValue());
            }
        }
        sum.putAll(each);
        return sum;
    }

    /** Frames read by queue {@code i}'s readers and handed to another queue's loop. */
    public long steered(int i) { return steered.get(i); }

    /**
     * A reader of queue {@code shard} of port {@code port} that hands a packet whose NAT mapping
     * another queue holds to that queue's loop, as if that queue had read it on the same port.
     */
    private final class SteeredSource implements org.netstack4j.runtime.IoSource {
        private final org.netstack4j.runtime.IoSource in;
        private final NatSteering steering;
        private final int shard, port;

        SteeredSource(org.netstack4j.runtime.IoSource in, NatSteering steering, int shard, int port) {
            this.in = in;
            this.steering = steering;
            this.shard = shard;
            this.port = port;
        }

        @Override public byte[] read() throws IOException {
            while (true) {
                byte[] frame = in.read();
                if (frame == null) return null;
                int owner = steering.ownerOf(frame);
                Shard to = owner < 0 || owner == shard ? null : started.get(owner);
                if (to == null) return frame;
                int info = in.lastFrameInfo(); // (a partial checksum stays partial: the port's receive keeps the device's word)
                TunHost.TunPort target = to.ports().get(port);
                try {
                    to.loop().execute(() -> target.receive(to.loop().now(), frame, info));
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    continue; // that queue is shutting down: lost as on a closed interface
                }
                steered.incrementAndGet(shard);
            }
        }

        @Override public int lastFrameInfo() { return in.lastFrameInfo(); }

        @Override public boolean hasReadyFrames() { return in.hasReadyFrames(); }

        @Override public void close() throws IOException { in.close(); }
    }

    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        for (Shard s : shards) {
            try {
                s.loop().run(() -> { for (TunHost.TunPort p : s.ports()) p.stop(); });
            } catch (java.util.concurrent.RejectedExecutionException ignored) {
                // loop already gone
            }
            s.loop().close();
        }
        for (Shard s : shards) for (TunDevice t : s.tuns()) t.close();
        if (pcap != null) {
            try {
                pcap.close();
            } catch (IOException ignored) {
                // best effort at shutdown
            }
        }
    }
}
