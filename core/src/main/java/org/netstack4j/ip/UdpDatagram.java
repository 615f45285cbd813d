package org.netstack4j.ip;

import org.netstack4j.wire.Ipv4Address;

/** One received UDP datagram: who sent it, where to, and its payload (a private copy). */
public record UdpDatagram(long time, Ipv4Address src, int srcPort, Ipv4Address dst, int dstPort, byte[] data) {
    @Override public String toString() {
        return src + "." + srcPort + " > " + dst + "." + dstPort + ": UDP, length " + data.length;
    }
}
