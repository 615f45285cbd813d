package org.netstack4j.ip;

import java.util.ArrayList;
import java.util.List;
import org.netstack4j.device.Medium;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.MacAddress;

/** Two stacks, A = 10.0.0.1 and B = 10.0.0.2 (/24), on one {@link TestLink}, in virtual time. */
final class TwoHosts {
    static final Ipv4Address IP_A = Ipv4Address.parse("10.0.0.1"), IP_B = Ipv4Address.parse("10.0.0.2");
    static final MacAddress MAC_A = MacAddress.parse("02:00:00:00:00:0a"), MAC_B = MacAddress.parse("02:00:00:00:00:0b");

    final TestLink link;
    final Counters ca = new Counters(), cb = new Counters();
    final List<TraceEvent> ta = new ArrayList<>(), tb = new ArrayList<>();
    final IpStack a = new IpStack(ta::add, ca, 1), b = new IpStack(tb::add, cb, 2);
    long now;

    TwoHosts(Medium medium, int mtu) {
        link = new TestLink(medium, mtu);
        boolean eth = medium == Medium.ETHERNET;
        a.addInterface(new IpInterface("eth0", link.a, eth ? MAC_A : null, IP_A, 24));
        b.addInterface(new IpInterface("eth0", link.b, eth ? MAC_B : null, IP_B, 24));
    }

    static TwoHosts ethernet() { return new TwoHosts(Medium.ETHERNET, 1500); }

    /** Delivers frames and runs whatever is due at the current time until nothing moves. */
    void settle() {
        for (int i = 0; i < 1000; i++) {
            if (a.pollAt() <= now) a.poll(now);
            if (b.pollAt() <= now) b.poll(now);
            if (link.drain(now) == 0 && a.pollAt() > now && b.pollAt() > now) return;
        }
        throw new AssertionError("does not settle");
    }

    /** Runs every deadline up to and including {@code t}, then sets the clock to t. */
    void advanceTo(long t) {
        settle();
        while (true) {
            long next = Math.min(a.pollAt(), b.pollAt());
            if (next > t) break;
            now = Math.max(now, next);
            settle();
        }
        now = t;
        settle();
    }

    void advance(long dt) { advanceTo(now + dt); }

    static List<TraceEvent.Drop> drops(List<TraceEvent> events, String layer) {
        List<TraceEvent.Drop> out = new ArrayList<>();
        for (TraceEvent e : events) if (e instanceof TraceEvent.Drop d && d.layer().equals(layer)) out.add(d);
        return out;
    }
}
