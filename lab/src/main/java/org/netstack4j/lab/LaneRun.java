package org.netstack4j.lab;

import java.util.List;
import java.util.Objects;
import org.netstack4j.trace.RelayAction;

/**
 * A story drawn on any number of lanes (hosts and devices), in time order. Where {@link LabRun}
 * is the two-host TCP view, this one shows frames moving between hosts, hubs and switches.
 */
public record LaneRun(String scenario, List<Lane> lanes, List<Event> events, List<Wait> waits) {
    public LaneRun {
        Objects.requireNonNull(scenario);
        waits = List.copyOf(waits);
        lanes = List.copyOf(lanes);
        if (lanes.size() < 2) throw new IllegalArgumentException("a ladder needs at least two lanes: " + lanes);
        events = List.copyOf(events);
        for (Event e : events) {
            for (String n : e.lanes())
                if (lanes.stream().noneMatch(l -> l.name().equals(n)))
                    throw new IllegalArgumentException("event on unknown lane " + n + ": " + e);
        }
    }

    /** A run without timed waits: drawn by event throughout. */
    public LaneRun(String scenario, List<Lane> lanes, List<Event> events) { this(scenario, lanes, events, List.of()); }

    /**
     * A host on lane waiting for a timer that then fired (an RTO, 2 MSL): the drawings put
     * this stretch of time to scale.
     */
    public record Wait(String lane, String timer, long fromNs, long toNs) {}

    /** What a lane stands for; its Chinese name is the notes' term. */
    public enum Kind {
        HOST("host", "主机"), HUB("hub", "集线器"), SWITCH("switch", "交换机"), BRIDGE("bridge", "网桥"),
        REPEATER("repeater", "中继器"), ROUTER("router", "路由器"), FIREWALL("firewall", "防火墙");

        private final String en, zh;

        Kind(String en, String zh) { this.en = en; this.zh = zh; }

        public String label(Lang lang) { return lang.pick(en, zh); }
    }

    public record Lane(String name, Kind kind) {
        public Lane {
            Objects.requireNonNull(name);
            Objects.requireNonNull(kind);
        }

        /** Header text: a host's name; a device's name with its kind in Chinese ("sw0 交换机"). */
        public String title(Lang lang) { return kind == Kind.HOST || lang == Lang.EN ? name : name + " " + kind.label(lang); }
    }

    /** Something that happened on one or more lanes. */
    public sealed interface Event {
        long timeNs();

        List<String> lanes();

        default long tUs() { return Math.floorDiv(timeNs(), 1_000L); }
    }

    /**
     * A frame leaving lane {@code from} towards every lane in {@code to} (several when a device
     * floods or repeats). {@code via} is what a device did (null for a host's own send).
     */
    public record Frame(long timeNs, String from, List<String> to, String label, String labelZh, RelayAction via, byte[] bytes)
            implements Event {
        public Frame {
            Objects.requireNonNull(from);
            to = List.copyOf(to);
            if (to.isEmpty() || to.contains(from)) throw new IllegalArgumentException("frame needs other lanes to go to: " + to);
            Objects.requireNonNull(label);
            labelZh = labelZh == null ? label : labelZh;
            bytes = bytes == null ? null : bytes.clone();
        }

        /** A frame with one label for both languages. */
        public Frame(long timeNs, String from, List<String> to, String label, RelayAction via, byte[] bytes) {
            this(timeNs, from, to, label, label, via, bytes);
        }

        /** A frame whose bytes are not kept (drawings only). */
        public Frame(long timeNs, String from, List<String> to, String label, RelayAction via) {
            this(timeNs, from, to, label, label, via, null);
        }

        public String label(Lang lang) { return lang.pick(label, labelZh); }

        /** The Ethernet frame as it was on the wire, or null when not kept. */
        @Override public byte[] bytes() { return bytes == null ? null : bytes.clone(); }

        @Override public List<String> lanes() {
            return java.util.stream.Stream.concat(java.util.stream.Stream.of(from), to.stream()).toList();
        }
    }

    /** A remark written beside lane: what a device learned, what a NIC discarded, an ARP cache. */
    public record Note(long timeNs, String lane, String en, String zh) implements Event {
        public Note {
            Objects.requireNonNull(lane);
            Objects.requireNonNull(en);
            Objects.requireNonNull(zh);
        }

        public String text(Lang lang) { return lang.pick(en, zh); }

        @Override public List<String> lanes() { return List.of(lane); }
    }

    public int index(String lane) {
        for (int i = 0; i < lanes.size(); i++) if (lanes.get(i).name().equals(lane)) return i;
        throw new IllegalArgumentException("no lane " + lane);
    }
}
