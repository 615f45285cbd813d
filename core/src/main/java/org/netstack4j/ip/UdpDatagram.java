package org.netstack4j.ip;

import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.IpMeta;

/**
 * One received UDP datagram: the IP metadata of its packet (who sent it, where to, traffic
 * class with the ECN bits, TTL, receiving interface: what IP_RECVTOS / IP_RECVTTL report), the
 * ports, and its payload (a private copy).
 */
public record UdpDatagram(long time, IpMeta ip, int srcPort, int dstPort, byte[] data) {
    public IpAddress src() { return ip.src(); }

    public IpAddress dst() { return ip.dst(); }

    @Override public String toString() {
        return src() + "." + srcPort + " > " + dst() + "." + dstPort + ": UDP, length " + data.length;
    }
}
