package org.netstack4j.apps.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.UnknownHostException;
import java.util.SplittableRandom;
import org.netstack4j.ip.UdpDatagram;
import org.netstack4j.socket.DatagramSocket;
import org.netstack4j.socket.NetStack;
import org.netstack4j.socket.TcpServerSocket;
import org.netstack4j.socket.TcpSocket;
import org.netstack4j.wire.IpAddress;

/**
 * {@link Network} over netstack4j's own sockets ({@link TcpSocket}, {@link TcpServerSocket},
 * {@link DatagramSocket}) on a {@link NetStack}: a TUN host or a host of the simulator.
 * Listening on port 0 picks a free port from the ephemeral range (netstack4j's listeners take
 * no port 0 themselves), drawn from a seeded generator so simulations repeat.
 */
public final class NetstackNetwork implements Network {
    private static final int EPHEMERAL_LOW = 49152, EPHEMERAL_HIGH = 65535, LISTEN_TRIES = 64;

    private final NetStack stack;
    private final SplittableRandom random;

    public NetstackNetwork(NetStack stack) { this(stack, 0x5eed); }

    public NetstackNetwork(NetStack stack, long seed) {
        this.stack = stack;
        this.random = new SplittableRandom(seed);
    }

    public NetStack stack() { return stack; }

    @Override public Listener listen(int port, int backlog) throws IOException {
        TcpServerSocket ss = port != 0 ? new TcpServerSocket(stack, port, backlog) : ephemeralListener(backlog);
        return new Listener() {
            @Override public Connection accept() throws IOException { return wrap(ss.accept()); }
            @Override public int port() { return ss.getLocalPort(); }
            @Override public void setAcceptTimeout(int ms) throws IOException { ss.setSoTimeout(ms); }
            @Override public void close() { ss.close(); }
        };
    }

    private TcpServerSocket ephemeralListener(int backlog) throws IOException {
        int range = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
        for (int i = 0; i < LISTEN_TRIES; i++) {
            int p;
            synchronized (random) {
                p = EPHEMERAL_LOW + random.nextInt(range);
            }
            try {
                return new TcpServerSocket(stack, p, backlog);
            } catch (BindException taken) {
                // try another
            }
        }
        throw new BindException("no free ephemeral TCP port after " + LISTEN_TRIES + " tries");
    }

    @Override public Connection connect(String host, int port, int timeoutMs) throws IOException {
        TcpSocket s = stack.socket();
        try {
            s.connect(address(host), port, timeoutMs);
            return wrap(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    @Override public Datagrams bindUdp(int port) throws IOException {
        DatagramSocket ds = stack.datagramSocket(port);
        return new Datagrams() {
            @Override public synchronized Datagram receive(int timeoutMs) throws IOException {
                ds.setSoTimeout(timeoutMs);
                UdpDatagram d;
                try {
                    d = ds.receive();
                } catch (java.net.SocketTimeoutException e) {
                    return null;
                }
                return new Datagram(d.data(), d.src().toString(), d.srcPort());
            }
            @Override public void send(String host, int port, byte[] data) throws IOException {
                ds.send(address(host), port, data, 0, data.length);
            }
            @Override public int port() { return ds.getLocalPort(); }
            @Override public void close() { ds.close(); }
        };
    }

    static IpAddress address(String host) throws UnknownHostException {
        try {
            return IpAddress.parse(host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host);
        } catch (IllegalArgumentException e) {
            throw new UnknownHostException(host + ": not an address (resolve names first)");
        }
    }

    static Connection wrap(TcpSocket s) throws IOException {
        s.setTcpNoDelay(true);
        return new Connection() {
            @Override public InputStream input() throws IOException { return s.getInputStream(); }
            @Override public OutputStream output() throws IOException { return s.getOutputStream(); }
            @Override public void setReadTimeout(int ms) throws IOException { s.setSoTimeout(ms); }
            @Override public String peerHost() { return s.remoteAddress().toString(); }
            @Override public String localHost() { return s.localAddress().toString(); }
            @Override public void shutdownOutput() throws IOException { s.shutdownOutput(); }
            @Override public void close() { s.close(); }
        };
    }
}
