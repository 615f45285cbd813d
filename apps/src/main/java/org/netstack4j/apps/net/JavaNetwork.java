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
