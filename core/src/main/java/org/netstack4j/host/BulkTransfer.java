package org.netstack4j.host;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.netstack4j.tcp.ConnectOptions;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpError;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.time.Time;

/**
 * One TCP connection between the two hosts of a {@link TwoHostNetwork}, moving seeded
 * pseudo-random bytes one way or both, then closing. The bytes are hashed as they are written
 * and as they are read, so the result says whether what arrived is exactly what was sent.
 */
public final class BulkTransfer {
    public enum Direction { UP, DOWN, BOTH }

    /**
     * What one direction of the transfer did: {@code bytes} to send, {@code written} of them handed
     * to TCP (fewer when the connection failed first); {@code sentSha256} is the hash of all
     * {@code bytes} only when every one was written (it covers the chunks generated so far).
     */
    public record Flow(String from, String to, long bytes, long written, String sentSha256, String receivedSha256, long received) {
        public boolean intact() { return bytes == received && sentSha256.equals(receivedSha256); }
    }

    public record Result(Flow up, Flow down, long startNs, long endNs, boolean completed,
                         String clientState, String serverState, TcpError clientError, TcpError serverError,
                         long clientRetransmissions, long serverRetransmissions) {
        public long durationNs() { return endNs - startNs; }

        /** Both directions intact, both ends closed without error. */
        public boolean ok() {
            return completed && (up == null || up.intact()) && (down == null || down.intact())
                    && clientError == null && serverError == null;
        }
    }

    private BulkTransfer() {}

    /** Runs the transfer; gives up (completed=false) when virtual time passes {@code timeoutNs}. */
    public static Result run(TwoHostNetwork net, long bytes, Direction dir, long seed, long timeoutNs) {
        return run(net, bytes, dir, seed, timeoutNs, false);
    }

    /**
     * {@link #run(TwoHostNetwork, long, Direction, long, long)}, with {@code fastOpen} as a TCP Fast
     * Open (RFC 7413) connection: the listener takes Fast Open SYNs (TCP_FASTOPEN, qlen 16; the
     * server host's mode needs its SERVER bit) and the client connects with MSG_FASTOPEN, its first
     * chunk (none when it only receives) offered to the SYN, which carries it when a cookie is cached.
     * A Fast Open run closes its listener when done, so that the connection fetching the cookie and
     * the one using it can run one after the other on the same network.
     */
    public static Result run(TwoHostNetwork net, long bytes, Direction dir, long seed, long timeoutNs, boolean fastOpen) {
        Side client = new Side("client", dir != Direction.DOWN, bytes, seed * 2 + 1);
        Side server = new Side("server", dir != Direction.UP, bytes, seed * 2 + 2);
        long start = net.now();
        var listener = net.server().listen(start, 5001, 8, l -> {
            TcpConnection c = l.accept();
            if (c != null && server.conn == null) server.attach(net, c);
        });
        if (fastOpen) {
            listener.setFastOpen(16);
            client.nextChunk();
            ConnectOptions o = ConnectOptions.from(net.ipv6() ? TwoHostNetwork.CLIENT_ADDRESS6 : TwoHostNetwork.CLIENT_ADDRESS)
                    .withFastOpen(new ConnectOptions.FastOpenData(client.chunk, 0, client.chunkLen, false));
            TcpConnection c = net.client().tcp().connect(start, net.serverAddress(), 5001, client, o);
            client.chunkOff = c.synDataLength(); // what the SYN took is written
            client.sent = client.chunkOff;
            client.attach(net, c);
        } else {
            client.attach(net, net.client().connect(start, net.serverAddress(), 5001, client));
        }
        // Also done as soon as either end's connection failed (every SYN lost, too many
        // retransmissions, reset): the transfer cannot succeed any more, so the run stops there
        // instead of at the timeout with the other end waiting forever.
        boolean done = net.runUntil(() -> (client.finished() && server.finished()) || client.error != null || server.error != null, timeoutNs);
        long end = net.now();
        Flow up = dir != Direction.DOWN ? flow(client, server) : null;
        Flow down = dir != Direction.UP ? flow(server, client) : null;
        Result r = new Result(up, down, start, end, done,
                client.conn.state().rfcName(), server.conn == null ? "(none)" : server.conn.state().rfcName(),
                client.error, server.error,
                client.conn.status().retransmissions(), server.conn == null ? 0 : server.conn.status().retransmissions());
        if (fastOpen) listener.close(end);
        return r;
    }

    private static Flow flow(Side from, Side to) {
        return new Flow(from.name, to.name, from.toSend, from.sent, from.sentHash(), to.receivedHash(), to.received);
    }

    /** One application: writes its bytes, closes its side, reads until end of stream. */
    private static final class Side implements TcpEventListener {
        final String name;
        final long toSend;
        final SplittableRandom random;
        final MessageDigest sentDigest = sha256();
        final MessageDigest receivedDigest = sha256();
        final byte[] chunk = new byte[64 * 1024];
        final byte[] readBuf = new byte[64 * 1024];
        int chunkLen, chunkOff;
        long sent, received;
        boolean closedOurs, eof, closed;
        TcpError error;
        TcpConnection conn;
        TwoHostNetwork net;

        final boolean sender;

        Side(String name, boolean sender, long bytes, long seed) {
            this.name = name;
            this.sender = sender;
            this.toSend = sender ? bytes : 0;
            this.random = new SplittableRandom(seed);
        }

        void attach(TwoHostNetwork n, TcpConnection c) {
            this.net = n;
            this.conn = c;
            c.setListener(this);
            if (c.state() == TcpState.ESTABLISHED || c.state() == TcpState.CLOSE_WAIT) onEstablished(c);
            else if (c.state() == TcpState.SYN_RECEIVED) read(c); // a Fast Open child: the SYN's data is readable at once
        }

        boolean finished() { return closed || (eof && closedOurs && conn != null && isDone(conn.state())); }

        private static boolean isDone(TcpState s) {
            return s == TcpState.TIME_WAIT || s == TcpState.CLOSED;
        }

        @Override public void onEstablished(TcpConnection c) { write(c); read(c); }
        @Override public void onWritable(TcpConnection c) { write(c); }
        @Override public void onReadable(TcpConnection c) { read(c); }
        @Override public void onRemoteClosed(TcpConnection c) { read(c); }

        @Override public void onClosed(TcpConnection c, TcpError e) {
            closed = true;
            if (e != null && error == null) error = e;
        }

        private void write(TcpConnection c) {
            if (net == null) return;
            long now = net.now();
            while (sent < toSend) {
                if (chunkOff == chunkLen) nextChunk();
                int n = c.send(now, chunk, chunkOff, chunkLen - chunkOff);
                if (n <= 0) return;
                chunkOff += n;
                sent += n;
            }
            // A pure receiver closes after the peer's end of stream; a sender as soon as it has written all.
            if (!closedOurs && (sender || eof)) {
                closedOurs = true;
                c.close(now);
            }
        }

        /** Generates (and hashes) the next chunk of the bytes to send. */
        void nextChunk() {
            chunkLen = (int) Math.min(chunk.length, toSend - sent);
            for (int i = 0; i < chunkLen; i++) chunk[i] = (byte) random.nextInt(256);
            sentDigest.update(chunk, 0, chunkLen);
            chunkOff = 0;
        }

        private void read(TcpConnection c) {
            if (net == null) return;
            int n;
            while ((n = c.receive(net.now(), readBuf, 0, readBuf.length)) > 0) {
                receivedDigest.update(readBuf, 0, n);
                received += n;
            }
            if (n < 0 && !eof) {
                eof = true;
                write(c);
            }
        }

        String sentHash() { return HexFormat.of().formatHex(sentDigest.digest()); }
        String receivedHash() { return HexFormat.of().formatHex(receivedDigest.digest()); }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    /** Goodput in Mbit/s of {@code bytes} over {@code ns}. */
    public static double mbitPerSecond(long bytes, long ns) {
        return ns <= 0 ? 0 : bytes * 8.0 / (ns / (double) Time.s(1)) / 1e6;
    }
}
