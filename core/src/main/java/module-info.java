/**
 * netstack4j's protocol core: wire codecs, the IP layer, TCP, the blocking socket API, the
 * real-time event loop and the deterministic simulator. It depends on {@code java.base} alone
 * and never on {@code java.lang.foreign}, so it runs wherever a device can be reached through
 * plain Java IO (a {@code FileChannel} over a VPN service's file descriptor, a simulated link).
 *
 * <p>Exported: the API packages. Not exported: {@code tcp.seqnum} (sequence-number arithmetic
 * and the reassembly queue) and {@code tcp.recovery} (loss recovery), which are the TCP engine's
 * own parts, and {@code device.offload}, which only the Linux devices use.
 */
@SuppressWarnings("module") // the qualified export names org.netstack4j.linux, built after this module
module org.netstack4j.core {
    exports org.netstack4j.device;
    exports org.netstack4j.filter;
    exports org.netstack4j.host;
    exports org.netstack4j.ip;
    exports org.netstack4j.path;
    exports org.netstack4j.runtime;
    exports org.netstack4j.sim;
    exports org.netstack4j.socket;
    exports org.netstack4j.tcp;
    exports org.netstack4j.tcp.cc;
    exports org.netstack4j.time;
    exports org.netstack4j.trace;
    exports org.netstack4j.wire;

    exports org.netstack4j.device.offload to org.netstack4j.linux;
}
