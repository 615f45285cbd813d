package org.netstack4j.linux;

import org.netstack4j.device.Medium;

/**
 * A Linux TAP interface: frames are Ethernet II frames without FCS ({@link Medium#ETHERNET}).
 * The kernel side has its own MAC address; the stack on this side picks another one.
 */
public final class TapDevice extends TunTapDevice {
    TapDevice(Opened o) {
        super(Medium.ETHERNET, o);
    }

    /**
     * Creates the TAP interface {@code name} (or attaches to an existing persistent one) and sets
     * its MTU (the L3 MTU, as for any Ethernet interface) if {@code mtu > 0}. An empty name lets
     * the kernel choose ("tap0").
     */
    public static TapDevice open(String name, int mtu) throws TunException {
        return new TapDevice(openFd(name, Medium.ETHERNET, mtu));
    }

    /** {@link #open(String, int)} keeping the kernel's MTU. */
    public static TapDevice open(String name) throws TunException {
        return open(name, 0);
    }
}
