package org.netstack4j.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import org.netstack4j.device.Medium;
import org.netstack4j.device.offload.VirtioNetHeader;

/**
 * Opening a TUN/TAP descriptor for {@link TunTapDevice}: /dev/net/tun, TUNSETIFF (with
 * IFF_VNET_HDR and IFF_MULTI_QUEUE when asked), the offload negotiation (TUNSETVNETHDRSZ,
 * TUNSETOFFLOAD), the interface's MTU and MAC through an AF_INET socket's ioctls, and adopting a
 * descriptor that only behaves like one (tests).
 */
final class TunOpen {
    // <linux/if_tun.h>: _IOW('T', 202, int)
    static final long TUNSETIFF = 0x400454caL;
    static final short IFF_TUN = 0x0001;
    static final short IFF_TAP = 0x0002;
    static final short IFF_NO_PI = 0x1000;
    /** {@code <linux/if_tun.h>}: one interface, several descriptors (queues); TUNSETIFF once per descriptor. */
    static final short IFF_MULTI_QUEUE = 0x0100;
    // <linux/sockios.h>
    static final long SIOCGIFMTU = 0x8921L;
    static final long SIOCSIFMTU = 0x8922L;
    static final long SIOCGIFHWADDR = 0x8927L;
    /** sizeof(struct ifreq) on 64-bit Linux: char ifr_name[16] + a 24-byte union. */
    static final int IFREQ_SIZE = 40;
    static final int IFR_UNION_OFFSET = 16;

    private TunOpen() {}

    /** What {@link #openFd} found: the descriptor, the name the kernel used and its MTU. */
    record Opened(int fd, String name, int mtu, Arena arena, MemorySegment errnoState, Wakeup closeWakeup,
                  TunOffload.Offloads offloads, boolean uring) {
        Opened(int fd, String name, int mtu, Arena arena, MemorySegment errnoState, Wakeup closeWakeup,
               TunOffload.Offloads offloads) {
            this(fd, name, mtu, arena, errnoState, closeWakeup, offloads, true);
        }

        /** The same descriptor, with io_uring allowed or not (an adopted socket pair: off unless a test asks). */
        Opened withUring(boolean on) {
            return new Opened(fd, name, mtu, arena, errnoState, closeWakeup, offloads, on);
        }
    }

    /**
     * Opens /dev/net/tun, creates or attaches interface {@code name} (IFF_NO_PI) as TUN or TAP,
     * non-blocking and close-on-exec, and sets its MTU when {@code mtu > 0}.
     */
    static Opened openFd(String name, Medium medium, int mtu) throws TunException {
        return openFd(name, medium, mtu, false);
    }

    /**
     * Like {@link #openFd(String, Medium, int)}; with {@code offload} (TUN only) it asks for
     * IFF_VNET_HDR, a 10-byte header (TUNSETVNETHDRSZ) and the offloads of
     * {@link TunOffload#OFFLOAD_ATTEMPTS} (TUNSETOFFLOAD), falling back step by step, down to the
     * plain mode when the kernel refuses the header (EINVAL). {@link Opened#offloads} says what was agreed.
     */
    static Opened openFd(String name, Medium medium, int mtu, boolean offload) throws TunException {
        return openFd(name, medium, mtu, offload, false);
    }

    /**
     * Like {@link #openFd(String, Medium, int, boolean)}; with {@code multiQueue} the interface is
     * created (or attached, for the second and later queues) with IFF_MULTI_QUEUE: each call then
     * opens one more queue of the same interface.
     */
    static Opened openFd(String name, Medium medium, int mtu, boolean offload, boolean multiQueue) throws TunException {
        TunException bad = TunException.checkName(name);
        if (bad != null) {
            throw bad;
        }
        Arena arena = Arena.ofShared();
        int fd = -1;
        boolean ok = false;
        try {
            MemorySegment errno = LibC.errnoState(arena);
            fd = LibC.open(errno, arena.allocateFrom("/dev/net/tun"), LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
            if (fd < 0) {
                throw TunException.openControlDevice(LibC.errno(errno));
            }
            MemorySegment ifr = ifreq(arena, name);
            short mode = switch (medium) {
                case IP -> IFF_TUN;
                case ETHERNET -> IFF_TAP;
            };
            boolean vnet = offload && medium == Medium.IP;
            short mq = multiQueue ? IFF_MULTI_QUEUE : 0;
            ifr.set(ValueLayout.JAVA_SHORT, IFR_UNION_OFFSET, (short) (mode | IFF_NO_PI | mq | (vnet ? TunOffload.IFF_VNET_HDR : 0)));
            int set = LibC.ioctl(errno, fd, TUNSETIFF, ifr);
            if (set < 0 && vnet && LibC.errno(errno) == Errno.EINVAL) {
                vnet = false; // a kernel (or an existing persistent interface) without IFF_VNET_HDR: the plain mode
                ifr.set(ValueLayout.JAVA_SHORT, IFR_UNION_OFFSET, (short) (mode | IFF_NO_PI | mq));
                set = LibC.ioctl(errno, fd, TUNSETIFF, ifr);
            }
            if (set < 0) {
                throw TunException.setInterface(name.isEmpty() ? "(kernel-chosen)" : name, medium, LibC.errno(errno));
            }
            TunOffload.Offloads agreed = vnet ? negotiate(arena, errno, fd) : TunOffload.Offloads.OFF;
            String actual = ifr.getString(0, StandardCharsets.UTF_8);
            int actualMtu = mtu > 0 ? setMtu(arena, errno, actual, mtu) : getMtu(arena, errno, actual);
            Opened o = new Opened(fd, actual, actualMtu, arena, errno, closeWakeup(), agreed);
            ok = true;
            return o;
        } finally {
            if (!ok) {
                if (fd >= 0) {
                    LibC.close(LibC.errnoState(arena), fd);
                }
                arena.close();
            }
        }
    }

    /**
     * TUNSETVNETHDRSZ(10), then TUNSETOFFLOAD with the best set of flags the kernel accepts. The
     * header stays on even if no offload is accepted (reads then never need completing).
     */
    private static TunOffload.Offloads negotiate(Arena arena, MemorySegment errno, int fd) throws TunException {
        MemorySegment size = arena.allocate(ValueLayout.JAVA_INT);
        size.set(ValueLayout.JAVA_INT, 0, VirtioNetHeader.LENGTH);
        if (LibC.ioctl(errno, fd, TunOffload.TUNSETVNETHDRSZ, size) < 0) {
            int e = LibC.errno(errno);
            throw new TunException("TUNSETVNETHDRSZ failed: " + Errno.describe(e), e);
        }
        for (int flags : TunOffload.OFFLOAD_ATTEMPTS) {
            if (LibC.ioctl(errno, fd, TunOffload.TUNSETOFFLOAD, (long) flags) == 0) {
                return new TunOffload.Offloads(true, flags);
            }
            int e = LibC.errno(errno);
            if (e != Errno.EINVAL) throw new TunException("TUNSETOFFLOAD failed: " + Errno.describe(e), e);
        }
        return new TunOffload.Offloads(true, 0);
    }

    /**
     * Wraps an already open non-blocking descriptor that behaves like a TUN/TAP one (one packet per
     * read/write), e.g. one end of an AF_UNIX SOCK_SEQPACKET pair in tests. The device owns it.
     */
    static Opened adopt(int fd, String name, int mtu) throws TunException {
        return adopt(fd, name, mtu, TunOffload.Offloads.OFF);
    }

    /** {@link #adopt(int, String, int)} for a descriptor whose peer speaks the vnet-header mode (tests). */
    static Opened adopt(int fd, String name, int mtu, TunOffload.Offloads offloads) throws TunException {
        Arena arena = Arena.ofShared();
        // a socket pair is not a TUN: a full one would hold io_uring writes in the kernel instead of
        // saying EAGAIN, which the queueing tests look at; a test turns it on with withUring(true)
        return new Opened(fd, name, mtu, arena, LibC.errnoState(arena), closeWakeup(), offloads, false);
    }

    private static Wakeup closeWakeup() throws TunException {
        try {
            return Wakeup.create();
        } catch (TunException e) {
            throw e;
        } catch (java.io.IOException e) {
            throw new TunException(e.getMessage(), 0);
        }
    }

    private static MemorySegment ifreq(Arena arena, String name) {
        MemorySegment ifr = arena.allocate(IFREQ_SIZE, 8);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(n, 0, ifr, ValueLayout.JAVA_BYTE, 0, n.length);
        return ifr;
    }

    private static int mtuIoctl(Arena arena, MemorySegment errno, String name, long request, int value)
            throws TunException {
        int sock = LibC.socket(errno, LibC.AF_INET, LibC.SOCK_DGRAM | LibC.O_CLOEXEC, 0);
        if (sock < 0) {
            throw new TunException("cannot open an AF_INET socket to read or set the MTU of '" + name + "': "
                    + Errno.describe(LibC.errno(errno)), LibC.errno(errno));
        }
        try {
            MemorySegment ifr = ifreq(arena, name);
            ifr.set(ValueLayout.JAVA_INT, IFR_UNION_OFFSET, value);
            if (LibC.ioctl(errno, sock, request, ifr) < 0) {
                int e = LibC.errno(errno);
                if (request == SIOCSIFMTU && e == Errno.EINVAL) {
                    throw new TunException("MTU " + value + " is out of range for '" + name
                            + "' (TUN/TAP accept 68..65535)", e);
                }
                throw new TunException((request == SIOCSIFMTU ? "setting" : "reading") + " the MTU of '" + name
                        + "' failed: " + Errno.describe(e), e);
            }
            return ifr.get(ValueLayout.JAVA_INT, IFR_UNION_OFFSET);
        } finally {
            LibC.close(errno, sock);
        }
    }

    /** SIOCGIFHWADDR: the interface's own MAC (ifr_hwaddr is a struct sockaddr: family, then the address). */
    static byte[] hardwareAddress(String name) throws TunException {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment errno = LibC.errnoState(tmp);
            int sock = LibC.socket(errno, LibC.AF_INET, LibC.SOCK_DGRAM | LibC.O_CLOEXEC, 0);
            if (sock < 0) {
                int e = LibC.errno(errno);
                throw new TunException("cannot open an AF_INET socket to read the MAC of '" + name + "': "
                        + Errno.describe(e), e);
            }
            try {
                MemorySegment ifr = ifreq(tmp, name);
                if (LibC.ioctl(errno, sock, SIOCGIFHWADDR, ifr) < 0) {
                    int e = LibC.errno(errno);
                    throw new TunException("reading the MAC of '" + name + "' failed: " + Errno.describe(e), e);
                }
                return ifr.asSlice(IFR_UNION_OFFSET + 2, 6).toArray(ValueLayout.JAVA_BYTE);
            } finally {
                LibC.close(errno, sock);
            }
        }
    }

    private static int setMtu(Arena arena, MemorySegment errno, String name, int mtu) throws TunException {
        mtuIoctl(arena, errno, name, SIOCSIFMTU, mtu);
        return getMtu(arena, errno, name);
    }

    private static int getMtu(Arena arena, MemorySegment errno, String name) throws TunException {
        return mtuIoctl(arena, errno, name, SIOCGIFMTU, 0);
    }
}
