package org.netstack4j.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.netstack4j.device.Medium;

/**
 * A TUN/TAP operation failed. The message says what to do about it ("run with sudo",
 * "modprobe tun", "pick another name"); {@link #errno()} keeps the raw value (0 when the
 * failure was found in Java before any system call, e.g. a name that is too long).
 * The static factories are the one place errno values become words, so they are tested directly.
 */
public final class TunException extends IOException {
    /** IFNAMSIZ (16) minus the terminating NUL. */
    public static final int MAX_NAME_BYTES = 15;

    private final int errno;

    public TunException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The errno of the failed call, or 0 if no system call failed. */
    public int errno() {
        return errno;
    }

    /** Failure of {@code open("/dev/net/tun", O_RDWR)}. */
    public static TunException openControlDevice(int errno) {
        String msg = switch (errno) {
            case Errno.EACCES, Errno.EPERM ->
                    "opening /dev/net/tun needs root or CAP_NET_ADMIN: run with sudo"
                            + " (or give the JVM the capability: setcap cap_net_admin+ep $(readlink -f $(which java)))";
            case Errno.ENOENT ->
                    "/dev/net/tun does not exist: load the tun module (modprobe tun); in a container,"
                            + " pass the device in (docker run --device /dev/net/tun --cap-add NET_ADMIN)";
            case Errno.ENODEV, Errno.ENXIO ->
                    "/dev/net/tun exists but the tun driver is not loaded: load the tun module (modprobe tun)";
            case Errno.EMFILE, Errno.ENFILE ->
                    "cannot open /dev/net/tun: too many open files (" + Errno.name(errno) + "); close some or raise ulimit -n";
            default -> "cannot open /dev/net/tun: " + Errno.describe(errno);
        };
        return new TunException(msg, errno);
    }

    /** Failure of {@code ioctl(fd, TUNSETIFF, ifreq)} for the interface {@code name} opened as {@code medium}. */
    public static TunException setInterface(String name, Medium medium, int errno) {
        String kind = kind(medium);
        String other = medium == Medium.IP ? "TAP" : "TUN";
        String msg = switch (errno) {
            case Errno.EPERM, Errno.EACCES ->
                    "creating " + kind + " interface '" + name + "' needs root or CAP_NET_ADMIN: run with sudo"
                            + " (if the interface is persistent, it may belong to another user: ip tuntap show)";
            case Errno.EBUSY ->
                    kind + " interface '" + name + "' is already in use (EBUSY): another process or another device in"
                            + " this JVM has it open; close that one or pick another name";
            case Errno.EINVAL ->
                    "interface '" + name + "' already exists and is not a " + kind + " device (EINVAL): it is a " + other
                            + " or another kind of interface (see ip -d link show " + name
                            + "); pick another name or delete it (ip link del " + name + ")";
            case Errno.ENOMEM, Errno.ENOBUFS ->
                    "the kernel could not allocate " + kind + " interface '" + name + "': " + Errno.describe(errno);
            default -> "cannot create or attach " + kind + " interface '" + name + "': " + Errno.describe(errno);
        };
        return new TunException(msg, errno);
    }

    /**
     * Checks an interface name the way the kernel's {@code dev_valid_name} does; returns null if valid,
     * otherwise the exception to throw. An empty name lets the kernel choose ("tun0", "tap0").
     */
    public static TunException checkName(String name) {
        if (name == null) {
            return new TunException("interface name is null (use \"\" to let the kernel choose one)", 0);
        }
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_NAME_BYTES) {
            return new TunException("interface name '" + name + "' is " + bytes.length
                    + " bytes long; Linux allows at most " + MAX_NAME_BYTES + " (IFNAMSIZ 16 with the NUL)", 0);
        }
        if (name.equals(".") || name.equals("..")) {
            return new TunException("interface name '" + name + "' is not allowed", 0);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || c == '\0' || Character.isWhitespace(c)) {
                return new TunException("interface name '" + name + "' contains '" + printable(c)
                        + "'; names may not contain '/', ':', NUL or whitespace", 0);
            }
        }
        return null;
    }

    static String kind(Medium medium) {
        return switch (medium) {
            case IP -> "TUN";
            case ETHERNET -> "TAP";
        };
    }

    private static String printable(char c) {
        return c == '\0' ? "\\0" : Character.isWhitespace(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }
}
