package org.netstack4j.bench;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import org.netstack4j.socket.TcpServerSocket;
import org.netstack4j.socket.TcpSocket;

/**
 * The few socket operations the workloads use, so one workload runs unchanged over
 * netstack4j's blocking sockets and over java.net (the kernel).
 */
interface Conn extends Closeable {
    InputStream in() throws IOException;

    OutputStream out() throws IOException;

    /** Opens a new connection to the server under test. */
    @FunctionalInterface
    interface Dialer {
        Conn dial() throws IOException;
    }

    /** The listening side. */
    interface Acceptor extends Closeable {
        Conn accept() throws IOException;
    }

    static Conn of(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        return new Conn() {
            @Override public InputStream in() { return in; }
            @Override public OutputStream out() { return out; }
            @Override public void close() throws IOException { s.close(); }
        };
    }

    static Conn of(TcpSocket s) throws IOException {
        s.setTcpNoDelay(true);
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        return new Conn() {
            @Override public InputStream in() { return in; }
            @Override public OutputStream out() { return out; }
            @Override public void close() { s.close(); }
        };
    }

    static Acceptor of(ServerSocket ss) {
        return new Acceptor() {
            @Override public Conn accept() throws IOException { return of(ss.accept()); }
            @Override public void close() throws IOException { ss.close(); }
        };
    }

    static Acceptor of(TcpServerSocket ss) {
        return new Acceptor() {
            @Override public Conn accept() throws IOException { return of(ss.accept()); }
            @Override public void close() { ss.close(); }
        };
    }
}
