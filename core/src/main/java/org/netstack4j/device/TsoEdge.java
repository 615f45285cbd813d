package org.netstack4j.device;

import org.netstack4j.device.offload.Segmentation;

/**
 * A NIC's TSO in front of any IP-medium device: offers {@link Device#gsoMaxSize} of 64 KiB, so
 * the stack hands it TCP super-segments with a partial checksum, and cuts each into MSS
 * segments with complete checksums ({@link Segmentation#segment}) before the wrapped device
 * sees them. What the wrapped device (a simulated link, a pcap tap) carries is what a sender
 * without offloads would have sent.
 */
public final class TsoEdge implements Device {
    private final Device inner;
    private long superSegments, segments;

    public TsoEdge(Device inner) {
        if (inner.medium() != Medium.IP) throw new IllegalArgumentException("TSO at the edge needs an IP-medium device: " + inner);
        this.inner = inner;
    }

    @Override public Medium medium() { return inner.medium(); }
    @Override public int mtu() { return inner.mtu(); }
    @Override public int gsoMaxSize() { return 65535; }

    @Override public void transmit(long now, byte[] frame) { inner.transmit(now, frame); }

    @Override public void transmitSegments(long now, byte[] packet, int segmentSize) {
        Segmentation.Result r = Segmentation.segment(packet, packet.length, segmentSize);
        superSegments++;
        for (byte[] p : r.packets()) {
            segments++;
            inner.transmit(now, p);
        }
    }

    /** Super-segments taken and the segments they were cut into. */
    public long superSegments() { return superSegments; }
    public long segments() { return segments; }

    @Override public void attach(FrameSink sink) { inner.attach(sink); }
    @Override public long pollAt() { return inner.pollAt(); }
    @Override public void poll(long now) { inner.poll(now); }

    @Override public String toString() { return "TsoEdge(" + inner + ")"; }
}
