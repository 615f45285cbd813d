package org.netstack4j.trace;

import org.netstack4j.wire.IpAddress;

/**
 * A connection as the host that traces it sees it: its own address and port, then the peer's.
 * {@link #toString()} is the compact "10.0.0.1:49152>10.0.0.2:80" people read in traces.
 */
public record FourTuple(IpAddress localAddress, int localPort, IpAddress remoteAddress, int remotePort) {

    /** The tuple of a segment as seen by the host that sent (in=false) or received (in=true) it. */
    public static FourTuple of(boolean in, IpAddress src, int srcPort, IpAddress dst, int dstPort) {
        return in ? new FourTuple(dst, dstPort, src, srcPort) : new FourTuple(src, srcPort, dst, dstPort);
    }

    @Override public String toString() { return localAddress + ":" + localPort + ">" + remoteAddress + ":" + remotePort; }
}
