package org.netstack4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The kernel side of the benchmark, run as its own JVM (usually inside a network namespace:
 * {@code ip netns exec NS java ... KernelPeer serve ADDR}). It uses java.net only.
 * <ul>
 *   <li>{@code serve ADDR}: listens on ADDR with {@link #SERVERS} server sockets on free ports
 *       (sink, connect, echo, then {@link #HOLD_PORTS} holders for idle connections), prints
 *       {@code READY port...}, then answers commands on stdin: {@code held} prints
 *       {@code HELD n} (connections the holders accepted); end of stdin exits.</li>
 *   <li>{@code dial-idle ADDR PORT,PORT,... N}: opens N connections round-robin over the ports,
 *       prints {@code DONE N} and keeps them open until stdin ends.</li>
 * </ul>
 */
public final class KernelPeer {
    static final int SINK = 0, CONNECT = 1, ECHO = 2, HOLD = 3, HOLD_PORTS = 8, SERVERS = HOLD + HOLD_PORTS;

    private KernelPeer() {}

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("serve")) {
            serve(InetAddress.getByName(args[1]));
        } else if (args.length >= 4 && args[0].equals("dial-idle")) {
            dialIdle(InetAddress.getByName(args[1]), args[2].split(","), Integer.parseInt(args[3]));
        } else {
            System.err.println("usage: KernelPeer serve ADDR | dial-idle ADDR PORT,PORT,... N");
            System.exit(2);
        }
        System.exit(0);
    }

    private static void serve(InetAddress addr) throws IOException {
        List<Conn> held = new CopyOnWriteArrayList<>();
        StringBuilder ports = new StringBuilder("READY");
        for (int i = 0; i < SERVERS; i++) {
            ServerSocket ss = new ServerSocket();
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(addr, 0), 4096);
            ports.append(' ').append(ss.getLocalPort());
            Conn.Acceptor a = Conn.of(ss);
            int role = i;
            Measure.daemon("peer-" + i, () -> {
                switch (role) {
                    case SINK -> Workloads.sinkServer(a);
                    case CONNECT -> Workloads.connectServer(a);
                    case ECHO -> Workloads.echoServer(a);
                    default -> Workloads.holdServer(a, held);
                }
            });
        }
        System.out.println(ports);
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("held")) {
                System.out.println("HELD " + held.size());
                System.out.flush();
            }
        }
    }

    private static void dialIdle(InetAddress addr, String[] ports, int n) throws IOException {
        List<Socket> open = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(addr, Integer.parseInt(ports[i % ports.length])), 10_000);
            open.add(s);
        }
        System.out.println("DONE " + open.size());
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold until the parent closes our stdin
        }
        for (Socket s : open) s.close();
    }
}
