package org.netstack4j.ip;

import java.util.Objects;
import org.netstack4j.device.Device;
import org.netstack4j.device.Medium;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.MacAddress;

/**
 * One configured interface: a device and the IPv4 address it answers to. {@code mac} is our
 * Ethernet address on {@link Medium#ETHERNET} devices and is ignored (may be null) on
 * {@link Medium#IP} devices (TUN, point-to-point), which carry bare IP packets.
 *
 * <p>{@code address} is null on an IPv6-only interface ({@link #ipv6Only}): it has no IPv4
 * subnet, route, broadcast or ARP, and its IPv6 addresses are added on the stack
 * ({@link IpStack#addIpv6Address}).
 */
public record IpInterface(String name, Device device, MacAddress mac, Ipv4Address address, int prefixLength) {
    public IpInterface {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(device, "device");
        if (address == null ? prefixLength != 0 : prefixLength < 0 || prefixLength > 32)
            throw new IllegalArgumentException(address == null ? "an interface without an IPv4 address has prefix length 0, not " + prefixLength
                    : "prefix length must be 0..32: " + prefixLength);
        if (device.medium() == Medium.ETHERNET && mac == null)
            throw new IllegalArgumentException("an Ethernet interface needs a MAC address: " + name);
    }

    /** An interface without an IPv4 address: IPv6 only (enabled when the interface is added). */
    public static IpInterface ipv6Only(String name, Device device, MacAddress mac) {
        return new IpInterface(name, device, mac, null, 0);
    }

    /** True if the interface has an IPv4 address (false: IPv6 only). */
    public boolean hasIpv4() { return address != null; }

    public Medium medium() { return device.medium(); }

    public int mtu() { return device.mtu(); }

    /** The netmask as 32 bits (prefix 24 -> 0xffffff00). */
    public int mask() { return maskBits(prefixLength); }

    /** The IPv4 subnet's address, or null on an IPv6-only interface. */
    public Ipv4Address network() { return address == null ? null : new Ipv4Address(address.bits() & mask()); }

    /**
     * The directed broadcast address of the subnet, or null for /31 and /32 where there is
     * none (RFC 3021), and on an IPv6-only interface.
     */
    public Ipv4Address broadcast() {
        return address == null || prefixLength >= 31 ? null : new Ipv4Address(address.bits() | ~mask());
    }

    /** True if {@code a} is in this interface's subnet (reachable without a gateway); never on an IPv6-only interface. */
    public boolean onLink(Ipv4Address a) { return address != null && (a.bits() & mask()) == (address.bits() & mask()); }

    static int maskBits(int prefixLength) { return prefixLength == 0 ? 0 : -1 << (32 - prefixLength); }

    @Override public String toString() {
        return name + (address == null ? " (IPv6 only)" : " " + address + "/" + prefixLength) + (medium() == Medium.ETHERNET ? " " + mac : "")
                + " mtu " + device.mtu();
    }
}
