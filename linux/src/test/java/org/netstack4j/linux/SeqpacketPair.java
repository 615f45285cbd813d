package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * An AF_UNIX SOCK_SEQPACKET pair standing in for a TUN descriptor without root (one packet per
 * read/write, EAGAIN when full): the device under test adopts {@link #deviceFd}, the test plays
 * the kernel on the {@link #peer} end.
 */
final class SeqpacketPair implements AutoCloseable {
    final Arena arena = Arena.ofConfined();
    final MemorySegment errno = LibC.errnoState(arena);
    final int deviceFd, peer;

    SeqpacketPair() {
        MemorySegment sv = arena.allocate(ValueLayout.JAVA_INT, 2);
        int r = LibC.socketpair(errno, LibC.AF_UNIX, LibC.SOCK_SEQPACKET | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0, sv);
        assertEquals(0, r, () -> "socketpair: " + Errno.describe(LibC.errno(errno)));
        deviceFd = sv.getAtIndex(ValueLayout.JAVA_INT, 0);
        peer = sv.getAtIndex(ValueLayout.JAVA_INT, 1);
    }

    /** Writes one packet to the device, as the kernel would. */
    void write(byte[] b) {
        MemorySegment s = arena.allocateFrom(ValueLayout.JAVA_BYTE, b);
        assertEquals(b.length, LibC.write(errno, peer, s, b.length));
    }

    /** Reads every packet the device wrote to the peer end, each up to {@code bufferSize} bytes. */
    List<byte[]> drain(int bufferSize) {
        MemorySegment buf = arena.allocate(bufferSize);
        List<byte[]> out = new ArrayList<>();
        long r;
        while ((r = LibC.read(errno, peer, buf, buf.byteSize())) > 0) out.add(buf.asSlice(0, r).toArray(ValueLayout.JAVA_BYTE));
        return out;
    }

    /** Closes the peer end (the device closes its own). */
    @Override public void close() {
        LibC.close(errno, peer);
        arena.close();
    }
}
