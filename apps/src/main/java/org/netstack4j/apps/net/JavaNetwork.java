package org.netstack4j.apps.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** {@link Network} over the JDK's own sockets (the kernel's TCP), bound to one local address. */
public final class JavaNetwork implements Network {
    private final InetAddress bind;

    public JavaNetwork(InetAddress bind) { this.bind = bind; }

    @Override public Listener listen(int port, int backlog) throws IOException {
        ServerSocket ss = new ServerSocket(port, backlog, bind);
        return new Listener() {
            @Override public Connection accept() throws IOException { return wrap(ss.accept()); }
            @Override public int port() { return ss.getLocalPort(); }
            @Override public void setAcceptTimeout(int ms) throws IOException { ss.setSoTimeout(ms); }
            @Override public void close() throws IOException { ss.close(); }
        };
    }

    @Override public Connection connect(String host, int port, int timeoutMs) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getByName(host), port), timeoutMs);
        return wrap(s);
    }

    @Override public Datagrams bindUdp(int port) throws IOException {
        java.net.DatagramSocket ds = new java.net.DatagramSocket(new InetSocketAddress(bind, port));
        return new Datagrams() {
            private final byte[] buf = new byte[65535];
            @Override public synchronized Datagram receive(int timeoutMs) throws IOException {
                ds.setSoTimeout(timeoutMs);
                java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
                try {
                    ds.receive(p);
                } catch (java.net.SocketTimeoutException e) {
                    return null;
                }
                return new Datagram(java.util.Arrays.copyOf(buf, p.getLength()), p.getAddress().getHostAddress(), p.getPort());
            }
            @Override public void send(String host, int port, byte[] data) throws IOException {
                ds.send(new java.net.DatagramPacket(data, data.length, InetAddress.getByName(host), port));
            }
            @Override public int port() { return ds.getLocalPort(); }
            @Override public void close() { ds.close(); }
        };
    }

    static Connection wrap(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        return new Connection() {
            @Override public InputStream input() throws IOException { return s.getInputStream(); }
            @Override public OutputStream output() throws IOException { return s.getOutputStream(); }
            @Override public void setReadTimeout(int ms) throws IOException { s.setSoTimeout(ms); }
            @Override public String peerHost() { return s.getInetAddress().getHostAddress(); }
            @Override public String localHost() { return s.getLocalAddress().getHostAddress(); }
            @Override public void shutdownOutput() throws IOException { s.shutdownOutput(); }
            @Override public void close() throws IOException { s.close(); }
        };
    }
}
