package org.netstack4j.linux;

import org.netstack4j.device.Medium;
import org.netstack4j.wire.MacAddress;

/**
 * A Linux TAP interface: frames are Ethernet II frames without FCS ({@link Medium#ETHERNET}).
 * The kernel side has its own MAC address ({@link #kernelMac()}); the stack on this side must
 * use another one.
 */
public final class TapDevice extends TunTapDevice {
    private final MacAddress kernelMac;

    TapDevice(TunOpen.Opened o, MacAddress kernelMac) {
        super(Medium.ETHERNET, o);
        this.kernelMac = kernelMac;
    }

    /**
     * Creates the TAP interface {@code name} (or attaches to an existing persistent one) and sets
     * its MTU (the L3 MTU, as for any Ethernet interface) if {@code mtu > 0}. An empty name lets
     * the kernel choose ("tap0").
     */
    public static TapDevice open(String name, int mtu) throws TunException {
        TunOpen.Opened o = TunOpen.openFd(name, Medium.ETHERNET, mtu);
        MacAddress mac;
        try {
            mac = MacAddress.read(TunOpen.hardwareAddress(o.name()), 0);
        } catch (TunException | RuntimeException e) {
            new TapDevice(o, MacAddress.ZERO).close(); // releases the descriptor and buffers
            throw e;
        }
        return new TapDevice(o, mac);
    }

    /** {@link #open(String, int)} keeping the kernel's MTU. */
    public static TapDevice open(String name) throws TunException {
        return open(name, 0);
    }

    /** The MAC address of the kernel's side of the interface, as it was when the device was opened. */
    public MacAddress kernelMac() {
        return kernelMac;
    }
}
