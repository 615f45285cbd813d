package org.netstack4j.socket;

import static org.junit.jupiter.api.Assertions.*;

import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.tcp.TcpConfig;

/**
 * {@link TcpSocket#write(ByteBuffer)} (the gateway's host-to-client copy, issue 14) over two
 * real TCP layers back to back, as {@link TcpSocketTest}: real threads, results decided by the
 * protocol, timeouts only as guards or as the thing under test.
 */
class TcpSocketByteBufferTest {
    static final int PORT = 7001;

    final List<Throwable> loopFailures = new CopyOnWriteArrayList<>();
    EventLoop loop;
    NetStack hostA, hostB;

    @BeforeEach void setUp() {
        BackToBack net = new BackToBack(TcpConfig.defaults(), 43);
        loop = EventLoop.start("netstack4j-loop", net, loopFailures::add);
        hostA = net.stackA(loop);
        hostB = net.stackB(loop);
    }

    @AfterEach void tearDown() {
        loop.close();
        assertTrue(loopFailures.isEmpty(), () -> "event loop failures: " + loopFailures);
    }

    /**
     * 3 MiB written as direct and heap buffers at an offset, small ones (queued without waiting)
     * and ones larger than the send buffer (blocking while it is full), to a slow reader: the send
     * ring wraps many times, every write takes all of its buffer, and every byte arrives once, in order.
     */
    @Test void directAndHeapBuffersOfEverySizeArriveIntactThroughAFullSendBuffer() throws Exception {
        TcpServerSocket server = new TcpServerSocket(hostB, PORT);
        byte[] data = new byte[3 << 20];
        new SplittableRandom(21).nextBytes(data);
        try (TcpSocket client = new TcpSocket(hostA, BackToBack.B, PORT); TcpSocket accepted = server.accept()) {
            Future<Integer> writer = TcpSocketTest.spawn(() -> {
                SplittableRandom r = new SplittableRandom(22);
                int off = 0, writes = 0;
                while (off < data.length) {
                    int len = Math.min(data.length - off, r.nextInt(4) == 0 ? 1 + r.nextInt(600_000) : 1 + r.nextInt(3000));
                    ByteBuffer b = r.nextBoolean() ? ByteBuffer.allocateDirect(len + 9) : ByteBuffer.allocate(len + 9);
                    b.position(9);
                    b.put(data, off, len).flip().position(9);
                    int n = client.write(b);
                    assertEquals(len, n, "a blocking write takes all of its buffer");
                    assertEquals(b.limit(), b.position(), "the position advanced to the limit");
                    off += len;
                    writes++;
                }
                client.shutdownOutput();
                return writes;
            });
            byte[] got = TcpSocketTest.readAllInSmallReads(accepted.getInputStream());
            assertTrue(TcpSocketTest.get(writer) > 20);
            assertArrayEquals(data, got);
        }
        server.close();
    }

    /**
     * A write the peer never makes room for times out (SO_SNDTIMEO): the buffer's position then
     * says how much the send ring took, and exactly those bytes reach the peer.
     */
    @Test void aTimedOutWriteLeavesThePositionAtWhatTheSendRingTook() throws Exception {
        TcpServerSocket server = new TcpServerSocket(hostB, PORT);
        byte[] data = new byte[8 << 20];
        new SplittableRandom(23).nextBytes(data);
        try (TcpSocket client = new TcpSocket(hostA, BackToBack.B, PORT); TcpSocket accepted = server.accept()) {
            accepted.setSendTimeout(200);
            ByteBuffer src = ByteBuffer.allocateDirect(data.length).put(data).flip();
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> accepted.write(src));
            assertEquals("Write timed out", e.getMessage());
            int taken = src.position();
            assertTrue(taken > 0 && taken < data.length, "a partial write: " + taken);
            accepted.shutdownOutput(); // the FIN follows what the ring took
            byte[] got = TcpSocketTest.readAll(client.getInputStream());
            assertArrayEquals(Arrays.copyOf(data, taken), got);
        }
        server.close();
    }

    /** An empty buffer writes nothing and returns 0; a closed output refuses a buffer as it refuses an array. */
    @Test void emptyAndShutDownWrites() throws Exception {
        TcpServerSocket server = new TcpServerSocket(hostB, PORT);
        try (TcpSocket client = new TcpSocket(hostA, BackToBack.B, PORT); TcpSocket accepted = server.accept()) {
            assertEquals(0, client.write(ByteBuffer.allocateDirect(0)));
            client.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            client.shutdownOutput();
            assertThrows(java.net.SocketException.class, () -> client.write(ByteBuffer.allocate(1)));
            assertArrayEquals(new byte[] {1, 2, 3}, TcpSocketTest.readAll(accepted.getInputStream()));
        }
        server.close();
    }
}
