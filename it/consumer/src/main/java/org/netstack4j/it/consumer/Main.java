package org.netstack4j.it.consumer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import org.netstack4j.host.TwoHostNetwork;
import org.netstack4j.javanet.NetstackServerSocketFactory;
import org.netstack4j.javanet.NetstackSocketFactory;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.socket.NetStack;
import org.netstack4j.time.Time;

/**
 * Two simulated hosts on a lossy link, a line-echo server on one and a client on the other, both
 * written against java.net and javax.net only. Exits 0 and prints "consumer: OK" when every line
 * came back; exits 1 otherwise.
 */
public final class Main {
    private Main() { }

    /**
     * Runs the exchange.
     *
     * @param args ignored
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        if (!Main.class.getModule().isNamed()) throw new IllegalStateException("not on the module path");
        LinkConfig link = LinkConfig.builder().latencyNs(Time.ms(1)).loss(0.01).build();
        int lines = 200;
        try (TwoHostNetwork net = TwoHostNetwork.builder().seed(3).link(link).build();
             EventLoop loop = EventLoop.start("consumer", net.sim())) {
            SocketFactory clients = NetstackSocketFactory.of(NetStack.of(loop, net.client().tcp(), net.client().ip()::sourceAddressFor));
            ServerSocketFactory servers = NetstackServerSocketFactory.of(NetStack.of(loop, net.server().tcp(), net.server().ip()::sourceAddressFor));
            try (ServerSocket listener = servers.createServerSocket(7)) {
                CompletableFuture<Integer> served = CompletableFuture.supplyAsync(() -> {
                    try (Socket s = listener.accept();
                         BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                         PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
                        int n = 0;
                        for (String line; (line = in.readLine()) != null; n++) out.println(line.toUpperCase(java.util.Locale.ROOT));
                        return n;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                int ok = 0;
                try (Socket s = clients.createSocket(TwoHostNetwork.SERVER_ADDRESS.toString(), 7);
                     BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                     PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
                    for (int i = 0; i < lines; i++) {
                        out.println("line " + i + " from the client");
                        if (("LINE " + i + " FROM THE CLIENT").equals(in.readLine())) ok++;
                    }
                    s.shutdownOutput();
                }
                int served2 = served.get(60, TimeUnit.SECONDS);
                System.out.println("consumer: " + ok + "/" + lines + " lines echoed, server saw " + served2
                        + ", module " + NetstackSocketFactory.class.getModule().getName());
                if (ok != lines || served2 != lines) System.exit(1);
            }
        }
        System.out.println("consumer: OK");
    }
}
