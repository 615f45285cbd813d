package org.netstack4j.linux;

import java.io.InputStream;
import java.io.OutputStream;
import org.netstack4j.socket.TcpServerSocket;
import org.netstack4j.socket.TcpSocket;

/** A test echo server on netstack4j: one platform thread accepts one connection and echoes it to EOF. */
final class EchoOnce {
    private EchoOnce() {}

    /** Starts the thread, named {@code name}; what goes wrong is printed with that name, and the thread ends. */
    static Thread start(TcpServerSocket server, String name) {
        return Thread.ofPlatform().name(name).start(() -> {
            try (TcpSocket s = server.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[65536];
                for (int n; (n = in.read(buf)) > 0; ) out.write(buf, 0, n);
            } catch (Exception e) {
                System.err.println("[" + name + "] " + e);
            }
        });
    }
}
