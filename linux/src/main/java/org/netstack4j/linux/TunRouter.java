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

    private final List<TunDevice> tuns = new ArrayList<>();
    private final List<TunHost.TunPort> ports = new ArrayList<>();
    private final Host host;
    private final EventLoop loop;
    private final PcapWriter pcap;
    private boolean closed;

    private TunRouter(List<Port> config, Netfilter nf, Path pcapFile, long seed, boolean offload) throws IOException {
        PcapWriter writer = null;
        try {
            if (pcapFile != null) writer = PcapWriter.open(pcapFile, PcapTap.linkTypeOf(Medium.IP));
            this.pcap = writer;
            this.host = new Host("netstack4j-router", TcpConfig.defaults(), Tracer.NONE, seed);
            for (Port p : config) {
                // Offloads on (IFF_VNET_HDR): one read takes a whole GSO super-packet of the kernel's
                // and hands it to the stack with its gso_size; forwarding checks the segments it
                // stands for against the next hop (TTL, MTU, firewall and NAT act on the whole) and
                // writes it on whole as a GSO packet (the kernel cuts it), or cuts it itself for a
                // device without TSO or a next hop that needs fragments. One read and one write per
                // up to 64 KiB instead of one per packet. With a capture the TUN stays plain, so the
                // file holds what crossed it packet by packet.
                TunDevice tun = TunDevice.open(p.name(), p.mtu(), pcapFile == null && offload);
                tuns.add(tun);
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
                TunHost.TunPort port = new TunHost.TunPort(tun);
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
            this.loop = EventLoop.start("netstack4j-router", host);
            if (writer != null) writer.setTimeOffset(System.currentTimeMillis() * 1_000_000L - loop.now());
            for (int i = 0; i < tuns.size(); i++)
                loop.register(tuns.get(i).name(), new TunHost.TunSource(tuns.get(i)), ports.get(i), TunHost.RX_QUEUE_LIMIT);
        } catch (IOException | RuntimeException e) {
            for (TunDevice t : tuns) t.close();
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
        if (ports.isEmpty()) throw new IllegalArgumentException("a router needs at least one interface");
        return new TunRouter(List.copyOf(ports), nf, pcap, seed, offload);
    }

    /** The TUNs, in the order of the ports (their offloads and counters). */
    public List<TunDevice> tuns() { return List.copyOf(tuns); }

    /** The stack (touch it only on {@link #loop()}'s thread). */
    public Host host() { return host; }

    public EventLoop loop() { return loop; }

    /** The counters, read on the loop thread: name to value, non-zero only. */
    public java.util.Map<String, Long> counters() {
        return loop.call(() -> {
            java.util.Map<String, Long> m = new java.util.TreeMap<>();
            host.counters().snapshot().forEach((k, v) -> { if (v != 0) m.put(k, v); });
            for (TunDevice t : tuns) {
                TunOffload.Stats o = t.offloadStats();
                if (o.rxSuperPackets() != 0) m.put("tun." + t.name() + ".rx_super_packets", o.rxSuperPackets());
                if (o.txSuperPackets() != 0) m.put("tun." + t.name() + ".tx_super_packets", o.txSuperPackets());
                if (o.txSegmentsCoalesced() != 0) m.put("tun." + t.name() + ".tx_segments_coalesced", o.txSegmentsCoalesced());
                if (o.txUdpSuperPackets() != 0) m.put("tun." + t.name() + ".tx_udp_super_packets", o.txUdpSuperPackets());
                if (o.txDatagramsCoalesced() != 0) m.put("tun." + t.name() + ".tx_datagrams_coalesced", o.txDatagramsCoalesced());
            }
            return m;
        });
    }

    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            loop.run(() -> { for (TunHost.TunPort p : ports) p.stop(); });
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // loop already gone
        }
        loop.close();
        for (TunDevice t : tuns) t.close();
        if (pcap != null) {
            try {
                pcap.close();
            } catch (IOException ignored) {
                // best effort at shutdown
            }
        }
    }
}
