package org.netstack4j.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few libc calls the TUN/TAP devices need, bound once through the FFM linker.
 * Every call captures {@code errno} into a caller-supplied segment (see {@link #errnoState})
 * so the value survives the JVM's own native work between the call and the check.
 * Linux x86_64/aarch64 only: {@code long} is 64 bits, {@code size_t}/{@code ssize_t} are {@code long}.
 */
@SuppressWarnings("restricted") // binding libc is this class's whole purpose; run with --enable-native-access
final class LibC {
    private LibC() {}

    // open(2) flags and fcntl(2) commands, from <fcntl.h> (same values on x86_64 and aarch64).
    static final int O_RDWR = 0x2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;

    // poll(2) event bits, <poll.h>.
    static final short POLLIN = 0x1;
    static final short POLLOUT = 0x4;
    static final short POLLERR = 0x8;
    static final short POLLHUP = 0x10;
    static final short POLLNVAL = 0x20;

    // eventfd(2) flags.
    static final int EFD_NONBLOCK = O_NONBLOCK;
    static final int EFD_CLOEXEC = O_CLOEXEC;

    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_SEQPACKET = 5;

    /** struct pollfd { int fd; short events; short revents; } */
    static final long POLLFD_SIZE = 8;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle OPEN = bind("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    // ioctl(int fd, unsigned long request, ...): the third argument is variadic.
    private static final MethodHandle IOCTL_PTR = bind("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_LONG = bind("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FCNTL_INT = bind("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = bind("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = bind("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle CLOSE = bind("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle POLL = bind("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SOCKET = bind("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SOCKETPAIR = bind("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EVENTFD = bind("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = bindWithoutErrno("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    /**
     * A downcall to libc's {@code name} that captures errno (the handle's first argument is an
     * {@link #errnoState} segment), with {@code extra} options such as the first variadic argument.
     */
    static MethodHandle bind(String name, FunctionDescriptor fd, Linker.Option... extra) {
        MemorySegment sym = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc symbol not found: " + name));
        Linker.Option[] opts = new Linker.Option[extra.length + 1];
        opts[0] = CAPTURE_ERRNO;
        System.arraycopy(extra, 0, opts, 1, extra.length);
        return LINKER.downcallHandle(sym, fd, opts);
    }

    /** A downcall to libc's {@code name} for a call whose errno nobody reads. */
    static MethodHandle bindWithoutErrno(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc symbol not found: " + name)), fd);
    }

    /** A segment to receive errno; one per device (or per thread), reused for every call. */
    static MemorySegment errnoState(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static int open(MemorySegment state, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(state, path, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int ioctl(MemorySegment state, int fd, long request, MemorySegment arg) {
        try {
            return (int) IOCTL_PTR.invokeExact(state, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** ioctl whose third argument is a value, not a pointer (e.g. TUNSETOFFLOAD). */
    static int ioctl(MemorySegment state, int fd, long request, long value) {
        try {
            return (int) IOCTL_LONG.invokeExact(state, fd, request, value);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int fcntl(MemorySegment state, int fd, int cmd, int arg) {
        try {
            return (int) FCNTL_INT.invokeExact(state, fd, cmd, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long read(MemorySegment state, int fd, MemorySegment buf, long count) {
        try {
            return (long) READ.invokeExact(state, fd, buf, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long write(MemorySegment state, int fd, MemorySegment buf, long count) {
        try {
            return (long) WRITE.invokeExact(state, fd, buf, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int close(MemorySegment state, int fd) {
        try {
            return (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int poll(MemorySegment state, MemorySegment fds, long nfds, int timeoutMs) {
        try {
            return (int) POLL.invokeExact(state, fds, nfds, timeoutMs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int socket(MemorySegment state, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(state, domain, type, protocol);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** socketpair(2); {@code sv} must hold two ints. Used by tests to stand in for a TUN descriptor. */
    static int socketpair(MemorySegment state, int domain, int type, int protocol, MemorySegment sv) {
        try {
            return (int) SOCKETPAIR.invokeExact(state, domain, type, protocol, sv);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int eventfd(MemorySegment state, int initval, int flags) {
        try {
            return (int) EVENTFD.invokeExact(state, initval, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** libc's text for an errno value ("Device or resource busy"). */
    static String strerror(int errno) {
        try {
            MemorySegment p = (MemorySegment) STRERROR.invokeExact(errno);
            if (p.equals(MemorySegment.NULL)) {
                return "error " + errno;
            }
            return p.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "error " + errno;
        }
    }

    /** Timeout in nanoseconds to poll(2) milliseconds: negative = forever, rounded up, capped. */
    static int pollTimeoutMs(long timeoutNs) {
        if (timeoutNs < 0) {
            return -1;
        }
        long ms = timeoutNs / 1_000_000L + (timeoutNs % 1_000_000L == 0 ? 0 : 1);
        return (int) Math.min(ms, Integer.MAX_VALUE);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
