package org.netstack4j.socket;

import java.util.ArrayDeque;
import org.netstack4j.device.Device;
import org.netstack4j.device.FrameSink;
import org.netstack4j.device.Medium;
import org.netstack4j.ip.IpInterface;
import org.netstack4j.ip.IpProtocolHandler;
import org.netstack4j.ip.IpStack;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpLayer;
import org.netstack4j.time.Pollable;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Parsed;
import org.netstack4j.wire.TcpRepr;

/**
 * Test glue: a whole host (IpStack + TcpLayer, segments really encoded and checksummed) and a
 * point-to-point wire of two raw-IP devices, so sockets can be tested over every layer.
 * (The product's host composition belongs to the lead; this one exists only for tests.)
 */
final class IpHost implements Pollable {
    final IpStack ip;
    final TcpLayer tcp;

    IpHost(Device device, Ipv4Address address, TcpConfig config, long seed) {
        ip = new IpStack(Tracer.NONE, new Counters(), seed);
        ip.addInterface(new IpInterface("p2p0", device, null, address, 24));
        tcp = new TcpLayer(config, (now, src, dst, seg, payload, off, len) -> {
            byte[] packet = new byte[seg.headerLength() + len];
            seg.emit(src, dst, packet, 0, payload, off, len);
            ip.send(now, src, dst, Ipv4Repr.PROTO_TCP, -1, packet, 0, packet.length);
        }, Tracer.NONE, new Counters(), seed + 1);
        ip.setProtocolHandler(Ipv4Repr.PROTO_TCP, new IpProtocolHandler() {
            @Override public void receive(long now, Ipv4Repr h, byte[] buf, int off, int len) {
                switch (TcpRepr.parse(h.src(), h.dst(), buf, off, len, true)) {
                    case Parsed.Ok<TcpRepr>(TcpRepr seg) -> {
                        int hl = seg.headerLength();
                        tcp.segmentArrives(now, h.src(), h.dst(), seg, buf, off + hl, len - hl);
                    }
                    case Parsed.Malformed<TcpRepr> m -> throw new AssertionError("malformed TCP on a clean wire: " + m);
                }
            }

            @Override public void icmpError(long now, IcmpRepr error, Ipv4Repr quotedIp, byte[] quoted, int off, int len) {}
        });
    }

    NetStack netStack(EventLoop loop) { return NetStack.of(loop, tcp, ip::sourceAddressFor); }

    @Override public long pollAt() { return Math.min(ip.pollAt(), tcp.pollAt()); }

    @Override public void poll(long now) {
        if (ip.pollAt() <= now) ip.poll(now);
        if (tcp.pollAt() <= now) tcp.poll(now);
    }

    /** Two raw-IP devices joined back to back: a frame sent on one is received by the other at its next poll. */
    static final class Wire {
        final End a = new End();
        final End b = new End();

        Wire() {
            a.peer = b;
            b.peer = a;
        }

        static final class End implements Device {
            End peer;
            private FrameSink sink = FrameSink.DISCARD;
            private final ArrayDeque<byte[]> inbox = new ArrayDeque<>();

            @Override public Medium medium() { return Medium.IP; }
            @Override public int mtu() { return 1500; }
            @Override public void transmit(long now, byte[] frame) { peer.inbox.add(frame); }
            @Override public void attach(FrameSink s) { sink = s; }
            @Override public long pollAt() { return inbox.isEmpty() ? Time.NEVER : 0; }

            @Override public void poll(long now) {
                for (int n = inbox.size(); n > 0; n--) sink.receive(now, inbox.poll());
            }
        }
    }

    /** Both hosts as one Pollable for one loop. */
    static Pollable both(IpHost x, IpHost y) {
        return new Pollable() {
            @Override public long pollAt() { return Math.min(x.pollAt(), y.pollAt()); }
            @Override public void poll(long now) {
                x.poll(now);
                y.poll(now);
            }
        };
    }
}
