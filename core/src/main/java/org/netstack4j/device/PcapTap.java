package org.netstack4j.device;

import org.netstack4j.wire.LinkType;

/**
 * Records every frame that passes through a device, both transmitted and received, to a
 * {@link PcapWriter} with the time passed in. Otherwise transparent. The writer's link type
 * must match the device's medium ({@link #linkTypeOf}).
 */
public final class PcapTap implements Device {
    private final Device inner;
    private final PcapWriter writer;
    private FrameSink sink = FrameSink.DISCARD;

    public PcapTap(Device inner, PcapWriter writer) {
        if (writer.linkType() != linkTypeOf(inner.medium()))
            throw new IllegalArgumentException("pcap link type " + writer.linkType()
                    + " does not match device medium " + inner.medium());
        this.inner = inner;
        this.writer = writer;
        inner.attach(new FrameSink() {
            @Override public void receive(long now, byte[] frame) { receive(now, frame, 0); }

            // the frame goes on with what the device said of it (segment size, checksum); a partial
            // checksum is completed first: the capture shows what the wire would carry
            @Override public void receive(long now, byte[] frame, int info) {
                int i = FrameSink.completePartial(frame, FrameSink.ipOffset(inner.medium()), info);
                writer.write(now, frame, 0, frame.length);
                sink.receive(now, frame, i);
            }
        });
    }

    /** A tap writing to a new nanosecond pcap file with the device's link type; close it with {@code writer().close()}. */
    public static PcapTap open(Device inner, java.nio.file.Path file) throws java.io.IOException {
        return new PcapTap(inner, PcapWriter.open(file, linkTypeOf(inner.medium())));
    }

    /** ETHERNET -> LINKTYPE_ETHERNET, IP -> LINKTYPE_RAW. */
    public static LinkType linkTypeOf(Medium medium) {
        return switch (medium) {
            case ETHERNET -> LinkType.ETHERNET;
            case IP -> LinkType.RAW_IP;
        };
    }

    public Device inner() { return inner; }

    public PcapWriter writer() { return writer; }

    @Override public Medium medium() { return inner.medium(); }

    @Override public int mtu() { return inner.mtu(); }

    @Override public void transmit(long now, byte[] frame) {
        writer.write(now, frame, 0, frame.length);
        inner.transmit(now, frame);
    }


    @Override public void attach(FrameSink sink) { this.sink = sink == null ? FrameSink.DISCARD : sink; }

    @Override public long pollAt() { return inner.pollAt(); }

    @Override public void poll(long now) { inner.poll(now); }
}
