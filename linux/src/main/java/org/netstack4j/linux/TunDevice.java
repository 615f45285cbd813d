package org.netstack4j.linux;

import org.netstack4j.device.Medium;

/** A Linux TUN interface: frames are raw IPv4/IPv6 packets ({@link Medium#IP}), no packet-info header. */
public final class TunDevice extends TunTapDevice {
    TunDevice(Opened o) {
        super(Medium.IP, o);
    }

    /**
     * Creates the TUN interface {@code name} (or attaches to an existing persistent one) and sets
     * its MTU if {@code mtu > 0} (otherwise keeps the kernel's, normally 1500). An empty name lets
     * the kernel choose ("tun0"); {@link #name()} tells which. The interface starts down and
     * without addresses: see {@link LinuxNet}.
     */
    public static TunDevice open(String name, int mtu) throws TunException {
        return new TunDevice(openFd(name, Medium.IP, mtu));
    }

    /**
     * Like {@link #open(String, int)}; with {@code offload} the TUN is opened with IFF_VNET_HDR and
     * TUNSETOFFLOAD (checksum, TSO4/6, USO4/6 as far as the kernel agrees; {@link #offloads()}
     * says what it did), falling back to the plain mode if the kernel refuses the header.
     */
    public static TunDevice open(String name, int mtu, boolean offload) throws TunException {
        return new TunDevice(openFd(name, Medium.IP, mtu, offload));
    }

    /** {@link #open(String, int)} keeping the kernel's MTU. */
    public static TunDevice open(String name) throws TunException {
        return open(name, 0);
    }
}
