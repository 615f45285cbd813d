package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.tcp.PathInfo;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.time.Time;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * RFC 9293 3.7.1: the MSS a host announces comes from the MTU of the route to the peer (MTU -
 * 40 for IPv4), asked by TCP through {@link PathInfo}; the configured MSS caps it (TCP_MAXSEG).
 */
class AnnouncedMssTest {
    private static final int PORT = 80;

    /** The MSS options of the SYN and SYN,ACK sent on a link of {@code mtu}, and the connections' advertised MSS. */
    private static List<Integer> handshake(int mtu, TcpConfig tcp) {
        LinkConfig link = LinkConfig.builder().medium(Medium.ETHERNET).mtu(mtu).build();
        try (TwoHostNetwork net = TwoHostNetwork.builder().seed(3).link(link).tcp(tcp).build()) {
            TcpConnection[] accepted = {null};
            net.server().listen(net.now(), PORT, 8, l -> accepted[0] = l.accept());
            TcpConnection c = net.client().connect(net.now(), TwoHostNetwork.SERVER_ADDRESS, PORT, null);
            assertTrue(net.runUntil(() -> accepted[0] != null, Time.s(5)));
            List<Integer> out = new ArrayList<>();
            out.add(synMss(net.clientLog().events(), TcpRepr.SYN));
            out.add(synMss(net.serverLog().events(), TcpRepr.SYN | TcpRepr.ACK));
            out.add(c.advertisedMss());
            out.add(accepted[0].advertisedMss());
            return out;
        }
    }

    private static int synMss(List<TraceEvent> events, int flags) {
        for (TraceEvent e : events)
            if (e instanceof TraceEvent.Segment s && !s.in() && s.tcp().flags() == flags)
                for (TcpOption o : s.tcp().options()) if (o instanceof TcpOption.Mss m) return m.mss();
        throw new AssertionError("no segment with flags " + flags + " and an MSS option");
    }

    @Test void ethernetMtuGives1460() {
        assertEquals(List.of(1460, 1460, 1460, 1460), handshake(1500, TcpConfig.defaults()));
    }

    @Test void smallerLinkMtuLowersTheAnnouncedMss() {
        assertEquals(List.of(1240, 1240, 1240, 1240), handshake(1280, TcpConfig.defaults()));
        assertEquals(List.of(536, 536, 536, 536), handshake(576, TcpConfig.defaults()));
    }

    @Test void configuredMssCapsALargerRouteMss() {
        // jumbo frames: the route allows 8960, the default configuration (1460) caps it
        assertEquals(List.of(1460, 1460, 1460, 1460), handshake(9000, TcpConfig.defaults()));
        // mss 0: no cap, the route's alone
        assertEquals(List.of(8960, 8960, 8960, 8960), handshake(9000, TcpConfig.defaults().withOptions(o -> o.withMss(0))));
        assertEquals(List.of(1000, 1000, 1000, 1000), handshake(1500, TcpConfig.defaults().withOptions(o -> o.withMss(1000))));
    }

    @Test void mssForMtuByFamily() {
        assertEquals(1460, PathInfo.mssForMtu(IpAddress.Family.IPV4, 1500));
        assertEquals(1440, PathInfo.mssForMtu(IpAddress.Family.IPV6, 1500)); // RFC 8200: a 40-byte header
        assertEquals(1220, PathInfo.mssForMtu(IpAddress.Family.IPV6, 1280)); // the IPv6 minimum MTU
        assertEquals(0, PathInfo.mssForMtu(IpAddress.Family.IPV4, 0)); // no route
    }
}
