/**
 * A Netty 4.2 transport on netstack4j: {@link org.netstack4j.netty.NetstackEventLoopGroup} with
 * {@link org.netstack4j.netty.NetstackSocketChannel} and
 * {@link org.netstack4j.netty.NetstackServerSocketChannel} run Netty clients and servers on a
 * netstack4j stack (simulated or over a TUN device) instead of the kernel's sockets.
 */
module org.netstack4j.netty {
    requires transitive org.netstack4j.core;
    requires transitive io.netty.transport;
    requires transitive io.netty.common;
    requires transitive io.netty.buffer;

    exports org.netstack4j.netty;
}
