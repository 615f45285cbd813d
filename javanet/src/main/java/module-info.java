/**
 * {@code java.net} over netstack4j: {@link org.netstack4j.javanet.NetstackSocketFactory} and
 * {@link org.netstack4j.javanet.NetstackServerSocketFactory} hand out real
 * {@link java.net.Socket} and {@link java.net.ServerSocket} subclasses whose connections run on
 * a netstack4j stack, so a library that takes a {@link javax.net.SocketFactory} (JDBC drivers,
 * HTTP and mail clients) runs on it unchanged.
 */
module org.netstack4j.javanet {
    requires transitive org.netstack4j.core;

    exports org.netstack4j.javanet;
}
