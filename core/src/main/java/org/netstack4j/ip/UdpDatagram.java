package org.netstack4j.ip;

import org.netstack4j.wire.IpAddress;

/** One received UDP datagram: who sent it, where to, and its payload (a private copy). */
public record UdpDatagram(long time, IpAddress src, int srcPort, IpAddress dst, int dstPort, byte[] data) {
    @Override public String toString() {
        return src + "." + srcPort + " > " + dst + "." + dstPort + ": UDP, length " + data.length;
    }
}
