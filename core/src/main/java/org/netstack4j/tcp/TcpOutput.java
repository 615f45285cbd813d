package org.netstack4j.tcp;

import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.TcpEncoder;
import org.netstack4j.wire.TcpRepr;

/**
 * Where segments leave the TCP layer (normally into IP). The payload slice is only valid during
 * the call: an implementation that queues must copy it.
 */
@FunctionalInterface
public interface TcpOutput {
    void send(long now, IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload, int off, int len);

    /**
     * The common segment (no SYN, no SACK blocks) from the layer's reused header, valid only
     * during the call like the payload. By default it is sent as {@link TcpEncoder#toRepr()}; an
     * output that encodes into its packet can use {@link TcpEncoder#emit} and skip the objects.
     */
    default void send(long now, IpAddress src, IpAddress dst, TcpEncoder tcp, byte[] payload, int off, int len) {
        send(now, src, dst, tcp.toRepr(), payload, off, len);
    }
}
