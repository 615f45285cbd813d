/**
 * Application protocols on netstack4j: DNS (codec, zone files, authoritative server, stub
 * resolver), SMTP and FTP, each a sans-IO session with a runtime on a
 * {@link org.netstack4j.apps.net.Network} of stream and datagram sockets.
 */
module org.netstack4j.apps {
    requires transitive org.netstack4j.core;

    exports org.netstack4j.apps;
    exports org.netstack4j.apps.dns;
    exports org.netstack4j.apps.ftp;
    exports org.netstack4j.apps.net;
    exports org.netstack4j.apps.smtp;
}
