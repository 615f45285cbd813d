package org.netstack4j.tcp;

import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.TcpRepr;

/**
 * Where segments leave the TCP layer (normally into IP). The payload slice is only valid during
 * the call: an implementation that queues must copy it.
 */
@FunctionalInterface
public interface TcpOutput {
    void send(long now, Ipv4Address src, Ipv4Address dst, TcpRepr tcp, byte[] payload, int off, int len);
}
