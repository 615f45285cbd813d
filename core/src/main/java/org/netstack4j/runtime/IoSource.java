package org.netstack4j.runtime;

import java.io.Closeable;
import java.io.IOException;

/**
 * A device input that can only be read by blocking, like a TUN file descriptor. Registered
 * with {@link EventLoop#register}, it gets its own reader thread which calls {@link #read()}
 * in a loop and hands each frame to the event loop; the stack never blocks on it.
 *
 * <p>Why a reader thread instead of a readiness wait inside the loop: the loop must wake for
 * three things (tasks from other threads, the stack's next deadline, input), and a Java
 * thread cannot wait on a file descriptor and an unpark at the same time without an extra
 * wakeup fd per device. A reader thread keeps the loop a plain park/unpark loop, costs one
 * handoff per burst of frames (wakeups are coalesced) and works for any blocking source.
 *
 * <p>A TUN device typically implements both {@code Device} (transmit = a write on the loop
 * thread) and {@code IoSource} (a blocking read on the reader thread), and is registered with a
 * sink that forwards to whatever sink the stack attached:
 * {@code loop.register("tun0", tun, (now, frame) -> tun.deliver(now, frame), 1024)}.
 */
public interface IoSource extends Closeable {
    /**
     * Blocks until the next frame arrives and returns it (handed over: the caller owns the
     * array). Returns {@code null} at end of input. Called only on this source's reader thread.
     */
    byte[] read() throws IOException;

    /**
     * Called on the reader thread right after {@link #read()}: what the device knows of the frame
     * it returned, handed to the sink with it through
     * {@link org.netstack4j.device.FrameSink#receive(long, byte[], int)}: the payload size of the
     * segments a TCP super-packet was merged from (receive offload) and
     * {@link org.netstack4j.device.FrameSink#CHECKSUM_VERIFIED}; 0 (the default) says nothing.
     */
    default int lastFrameInfo() { return 0; }

    /**
     * Called on the reader thread: true if the next {@link #read()} will return at once (frames
     * already read from the kernel wait in the source). The reader then keeps gathering before it
     * hands the frames to the loop in one batch; false (the default) hands each frame on as it comes.
     */
    default boolean hasReadyFrames() { return false; }

    /**
     * Makes a {@link #read()} in progress return (null or an IOException) and releases the
     * device. Called once, from the thread closing the loop or the registration.
     */
    @Override void close() throws IOException;
}
