package org.netstack4j.tcp;

import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.IpMeta;
import org.netstack4j.wire.TcpEncoder;
import org.netstack4j.wire.TcpRepr;

/**
 * Where segments leave the TCP layer (normally into IP). The payload slice is only valid during
 * the call: an implementation that queues must copy it.
 */
@FunctionalInterface
public interface TcpOutput {
    /**
     * A flag beside the traffic class byte in the {@code ecn} argument of the sends below: set
     * DF on this IPv4 segment (the connection's {@link org.netstack4j.path.PmtuDiscovery}); an
     * output takes the byte as {@code ecn & 0xff}. IPv6 has no DF and ignores it. A TSO
     * super-segment with it gives DF to every segment cut from it, as the kernel's GSO copies
     * the IP header.
     */
    int DONT_FRAGMENT = 0x100;

    void send(long now, IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload, int off, int len);

    /**
     * The common segment (no SYN, no SACK blocks) from the layer's reused header, valid only
     * during the call like the payload. By default it is sent as {@link TcpEncoder#toRepr()}; an
     * output that encodes into its packet can use {@link TcpEncoder#emit} and skip the objects.
     */
    default void send(long now, IpAddress src, IpAddress dst, TcpEncoder tcp, byte[] payload, int off, int len) {
        send(now, src, dst, tcp.toRepr(), payload, off, len);
    }

    /**
     * A segment whose IP header carries the ECN codepoint {@code ecn} (RFC 3168 5: {@link
     * IpMeta#NOT_ECT}, {@link IpMeta#ECT0}, {@link IpMeta#CE}...): the layer calls this form. An output that sets
     * the IP header's ECN field overrides it; by default the codepoint is dropped (Not-ECT), which
     * is correct only while ECN is off (TcpConfig.Options.ecn).
     */
    default void send(long now, IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload, int off, int len, int ecn) {
        send(now, src, dst, tcp, payload, off, len);
    }

    /** The common segment of {@link #send(long, IpAddress, IpAddress, TcpEncoder, byte[], int, int)} with its ECN codepoint. */
    default void send(long now, IpAddress src, IpAddress dst, TcpEncoder tcp, byte[] payload, int off, int len, int ecn) {
        send(now, src, dst, tcp, payload, off, len);
    }

    /**
     * TSO: the largest IP packet the route to {@code dst} takes as a TCP super-segment (see
     * {@link org.netstack4j.device.Device#gsoMaxSize}); 0 (the default) when segments must be MSS-sized.
     */
    default int gsoMaxSize(IpAddress dst) { return 0; }

    /**
     * A super-segment of the common form whose payload the device cuts into segments of
     * {@code segmentSize} bytes, the checksum left partial ({@link TcpEncoder#emitPartial}).
     * Called only when {@link #gsoMaxSize} allows a packet of its size.
     */
    default void sendSegmented(long now, IpAddress src, IpAddress dst, TcpEncoder tcp, byte[] payload, int off, int len,
                               int ecn, int segmentSize) {
        throw new UnsupportedOperationException("this output offers no segmentation offload (gsoMaxSize is 0)");
    }
}
