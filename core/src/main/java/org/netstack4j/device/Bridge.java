package org.netstack4j.device;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.netstack4j.time.Pollable;
import org.netstack4j.time.Time;
import org.netstack4j.wire.EthernetRepr;
import org.netstack4j.wire.MacAddress;

/**
 * A learning bridge (an Ethernet switch, IEEE 802.1D 7.7-7.9) joining any number of
 * {@link Device}s as its ports: simulated links, TAP devices, a {@link Hub}.
 *
 * <p>For every frame a port receives, the bridge learns that the frame's source address lives
 * behind that port (the filtering database), then forwards by the destination: a known unicast
 * address goes out of its own port only (or nowhere, when that is the port it came from: the
 * frame is filtered); broadcast, multicast and unknown destinations are flooded out of every
 * other port. Entries age out after {@link Config#agingNs} without traffic from that address
 * (802.1D's default is 300 s). The table is bounded: when it is full a new address is not
 * learned (counted), and frames to it are flooded, as a switch whose address table is full does.
 *
 * <p>Bad input is dropped and counted: a frame shorter than an Ethernet header, or one whose
 * source address is a group address (802.1D 7.8: such frames are not learned from).
 * Single-threaded and sans-IO like every device: time comes in with each call.
 */
public final class Bridge implements Pollable {
    /** Bridge settings: address ageing time and the most addresses the table holds. */
    public record Config(long agingNs, int maxEntries) {
        public static final Config DEFAULT = new Config(Time.s(300), 4096);

        public Config {
            if (agingNs <= 0) throw new IllegalArgumentException("agingNs must be positive: " + agingNs);
            if (maxEntries <= 0) throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
        }
    }

    /** What happened on one port; frames are counted once per port they entered or left. */
    public static final class PortCounters {
        long received, transmitted, flooded, filtered, malformed;

        public long received() { return received; }
        public long transmitted() { return transmitted; }
        /** Frames sent out of this port because their destination was unknown or a group. */
        public long flooded() { return flooded; }
        /** Frames that entered here for an address that lives behind this same port. */
        public long filtered() { return filtered; }
        public long malformed() { return malformed; }
    }

    /** A filtering database entry as {@link #table} shows it. */
    public record Entry(MacAddress address, int port, long expires) {}

    /** Bridge-wide counters. */
    public record Counters(long learned, long moved, long aged, long tableFull, long groupSource) {}

    private record Learned(int port, long expires) {}

    private final String name;
    private final Config config;
    private final List<Device> ports = new ArrayList<>();
    private final List<PortCounters> counters = new ArrayList<>();
    private final Map<MacAddress, Learned> table = new HashMap<>();
    private long learned, moved, aged, tableFull, groupSource;
    private long nextExpiry = Time.NEVER;

    public Bridge(String name) { this(name, Config.DEFAULT); }

    public Bridge(String name, Config config) {
        this.name = name;
        this.config = config;
    }

    public String name() { return name; }

    public Config config() { return config; }

    /** Adds {@code device} as the next port (numbered from 0) and takes over its sink. */
    public int addPort(Device device) {
        int index = ports.size();
        ports.add(device);
        counters.add(new PortCounters());
        device.attach((now, frame) -> receive(index, now, frame));
        return index;
    }

    public int ports() { return ports.size(); }

    public PortCounters counters(int port) { return counters.get(port); }

    public Counters counters() { return new Counters(learned, moved, aged, tableFull, groupSource); }

    /** The filtering database at {@code now}, ordered by port then address. */
    public List<Entry> table(long now) {
        List<Entry> out = new ArrayList<>();
        table.forEach((mac, l) -> { if (l.expires() > now) out.add(new Entry(mac, l.port(), l.expires())); });
        out.sort((x, y) -> x.port() != y.port() ? Integer.compare(x.port(), y.port())
                : Long.compareUnsigned(x.address().bits(), y.address().bits()));
        return out;
    }

    /** The port behind which {@code mac} was last seen, or -1. */
    public int lookup(long now, MacAddress mac) {
        Learned l = table.get(mac);
        return l == null || l.expires() <= now ? -1 : l.port();
    }

    private void receive(int in, long now, byte[] frame) {
        PortCounters c = counters.get(in);
        c.received++;
        if (frame.length < EthernetRepr.HEADER_LENGTH) {
            c.malformed++;
            return;
        }
        MacAddress dst = MacAddress.read(frame, 0);
        MacAddress src = MacAddress.read(frame, 6);
        if (src.isMulticast()) {
            // 802.1D 7.8: a group address is never a frame's source; nothing is learned from it.
            groupSource++;
            c.malformed++;
            return;
        }
        learn(now, src, in);
        int out = dst.isMulticast() ? -1 : lookup(now, dst);
        if (out == in) {
            c.filtered++;
            return;
        }
        if (out >= 0) {
            send(out, now, frame);
            return;
        }
        int last = -1;
        for (int p = 0; p < ports.size(); p++) {
            if (p == in) continue;
            if (last >= 0) flood(last, now, frame.clone());
            last = p;
        }
        if (last >= 0) flood(last, now, frame);
    }

    private void flood(int port, long now, byte[] frame) {
        counters.get(port).flooded++;
        send(port, now, frame);
    }

    private void send(int port, long now, byte[] frame) {
        counters.get(port).transmitted++;
        ports.get(port).transmit(now, frame);
    }

    private void learn(long now, MacAddress src, int port) {
        long expires = now + config.agingNs();
        Learned old = table.get(src);
        if (old == null || old.expires() <= now) {
            if (old == null && table.size() >= config.maxEntries()) {
                expire(now);
                if (table.size() >= config.maxEntries()) {
                    tableFull++;
                    return;
                }
            }
            learned++;
        } else if (old.port() != port) {
            moved++; // the station moved (or a loop): the newest port wins, 802.1D 7.8
        }
        table.put(src, new Learned(port, expires));
        if (expires < nextExpiry) nextExpiry = expires;
    }

    private void expire(long now) {
        long next = Time.NEVER;
        var it = table.values().iterator();
        while (it.hasNext()) {
            Learned l = it.next();
            if (l.expires() <= now) {
                it.remove();
                aged++;
            } else if (l.expires() < next) {
                next = l.expires();
            }
        }
        nextExpiry = next;
    }

    /** When the oldest entry ages out (the table is purged then), or NEVER when empty. */
    @Override public long pollAt() { return nextExpiry; }

    @Override public void poll(long now) {
        if (now >= nextExpiry) expire(now);
    }

    @Override public String toString() { return name; }
}
