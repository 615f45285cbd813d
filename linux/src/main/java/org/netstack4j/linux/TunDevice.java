package org.netstack4j.linux;

import org.netstack4j.device.Medium;

/** A Linux TUN interface: frames are raw IPv4/IPv6 packets ({@link Medium#IP}), no packet-info header. */
public final class TunDevice extends TunTapDevice {
    TunDevice(TunOpen.Opened o) {
        super(Medium.IP, o);
    }

    /**
     * Creates the TUN interface {@code name} (or attaches to an existing persistent one) and sets
     * its MTU if {@code mtu > 0} (otherwise keeps the kernel's, normally 1500). An empty name lets
     * the kernel choose ("tun0"); {@link #name()} tells which. The interface starts down and
     * without addresses: see {@link LinuxNet}.
     */
    public static TunDevice open(String name, int mtu) throws TunException {
        return new TunDevice(TunOpen.openFd(name, Medium.IP, mtu));
    }

    /**
     * Like {@link #open(String, int)}; with {@code offload} the TUN is opened with IFF_VNET_HDR and
     * TUNSETOFFLOAD (checksum, TSO4/6, USO4/6 as far as the kernel agrees; {@link #offloads()}
     * says what it did), falling back to the plain mode if the kernel refuses the header.
     */
    public static TunDevice open(String name, int mtu, boolean offload) throws TunException {
        return new TunDevice(TunOpen.openFd(name, Medium.IP, mtu, offload));
    }

    /**
     * What {@link #openQueues} opened: one device per queue of the same interface (the first
     * configured the MTU), and why there are fewer than asked for (null when all were opened).
     */
    public record Queues(java.util.List<TunDevice> devices, int asked, String fallback) {
        public Queues {
            devices = java.util.List.copyOf(devices);
        }
    }

    /**
     * Opens the TUN {@code name} as {@code queues} descriptors with IFF_MULTI_QUEUE (each with the
     * same vnet header and offloads as {@link #open(String, int, boolean)}); the kernel then spreads
     * the packets it sends over the queues by flow. One queue is exactly {@link #open(String, int, boolean)}
     * (no IFF_MULTI_QUEUE). If the kernel refuses the flag (EINVAL: too old, or an existing persistent
     * single-queue interface of that name), one plain queue is opened and {@link Queues#fallback}
     * says why; if a later queue fails, the queues opened so far are kept, and it says that too.
     */
    public static Queues openQueues(String name, int mtu, boolean offload, int queues) throws TunException {
        if (queues < 1) throw new IllegalArgumentException("queues must be at least 1: " + queues);
        if (queues == 1) return new Queues(java.util.List.of(open(name, mtu, offload)), 1, null);
        TunDevice first;
        try {
            first = new TunDevice(TunOpen.openFd(name, Medium.IP, mtu, offload, true));
        } catch (TunException e) {
            if (e.errno() != Errno.EINVAL) throw e;
            return new Queues(java.util.List.of(open(name, mtu, offload)), queues,
                    "the kernel refused IFF_MULTI_QUEUE on '" + name + "' (" + e.getMessage() + "): one queue");
        }
        java.util.List<TunDevice> opened = new java.util.ArrayList<>();
        opened.add(first);
        String fallback = null;
        for (int i = 1; i < queues; i++) {
            try {
                // attach to the interface the first call made (its name may have been kernel-chosen)
                opened.add(new TunDevice(TunOpen.openFd(first.name(), Medium.IP, 0, first.offloads().vnetHeader(), true)));
            } catch (TunException e) {
                fallback = "queue " + (i + 1) + " of " + queues + " on '" + first.name() + "' failed (" + e.getMessage()
                        + "): " + i + " queue(s)";
                break;
            }
        }
        return new Queues(opened, queues, fallback);
    }

    /** {@link #open(String, int)} keeping the kernel's MTU. */
    public static TunDevice open(String name) throws TunException {
        return open(name, 0);
    }
}
