package org.netstack4j.ip;

import java.util.Objects;
import org.netstack4j.device.Device;
import org.netstack4j.device.Medium;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.MacAddress;

/**
 * One configured interface: a device and the address it answers to. {@code mac} is our
 * Ethernet address on {@link Medium#ETHERNET} devices and is ignored (may be null) on
 * {@link Medium#IP} devices (TUN, point-to-point), which carry bare IPv4 packets.
 */
public record IpInterface(String name, Device device, MacAddress mac, Ipv4Address address, int prefixLength) {
    public IpInterface {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(address, "address");
        if (prefixLength < 0 || prefixLength > 32)
            throw new IllegalArgumentException("prefix length must be 0..32: " + prefixLength);
        if (device.medium() == Medium.ETHERNET && mac == null)
            throw new IllegalArgumentException("an Ethernet interface needs a MAC address: " + name);
    }

    public Medium medium() { return device.medium(); }

    public int mtu() { return device.mtu(); }

    /** The netmask as 32 bits (prefix 24 -> 0xffffff00). */
    public int mask() { return maskBits(prefixLength); }

    public Ipv4Address network() { return new Ipv4Address(address.bits() & mask()); }

    /**
     * The directed broadcast address of the subnet, or null for /31 and /32 where there is
     * none (RFC 3021).
     */
    public Ipv4Address broadcast() {
        return prefixLength >= 31 ? null : new Ipv4Address(address.bits() | ~mask());
    }

    /** True if {@code a} is in this interface's subnet (reachable without a gateway). */
    public boolean onLink(Ipv4Address a) { return (a.bits() & mask()) == (address.bits() & mask()); }

    static int maskBits(int prefixLength) { return prefixLength == 0 ? 0 : -1 << (32 - prefixLength); }

    @Override public String toString() {
        return name + " " + address + "/" + prefixLength + (medium() == Medium.ETHERNET ? " " + mac : "")
                + " mtu " + device.mtu();
    }
}
