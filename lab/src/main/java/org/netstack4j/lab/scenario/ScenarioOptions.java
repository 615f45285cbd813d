package org.netstack4j.lab.scenario;

import java.nio.file.Path;
import org.netstack4j.time.Time;

/**
 * What a user may change in a story. {@code loss} is a probability (0..1) applied to every frame
 * on the link; {@code mss} 0 keeps the stack default; {@code pcap} null writes no capture;
 * {@code ipv6}: the two hosts talk over IPv6 (fd00::1 and fd00::2) instead of IPv4.
 */
public record ScenarioOptions(long seed, double loss, long latencyNs, int mss, long mslNs,
                              boolean noTimeWait, boolean twoWay, Path pcap, boolean ipv6) {
    public static ScenarioOptions defaults() {
        return new ScenarioOptions(1, 0, Time.ms(10), 0, Time.s(30), false, false, null, false);
    }

    public ScenarioOptions withSeed(long s) { return new ScenarioOptions(s, loss, latencyNs, mss, mslNs, noTimeWait, twoWay, pcap, ipv6); }
    public ScenarioOptions withLoss(double l) { return new ScenarioOptions(seed, l, latencyNs, mss, mslNs, noTimeWait, twoWay, pcap, ipv6); }
    public ScenarioOptions withLatency(long ns) { return new ScenarioOptions(seed, loss, ns, mss, mslNs, noTimeWait, twoWay, pcap, ipv6); }
    public ScenarioOptions withMss(int m) { return new ScenarioOptions(seed, loss, latencyNs, m, mslNs, noTimeWait, twoWay, pcap, ipv6); }
    public ScenarioOptions withMsl(long ns) { return new ScenarioOptions(seed, loss, latencyNs, mss, ns, noTimeWait, twoWay, pcap, ipv6); }
    public ScenarioOptions withNoTimeWait(boolean b) { return new ScenarioOptions(seed, loss, latencyNs, mss, mslNs, b, twoWay, pcap, ipv6); }
    public ScenarioOptions withTwoWay(boolean b) { return new ScenarioOptions(seed, loss, latencyNs, mss, mslNs, noTimeWait, b, pcap, ipv6); }
    public ScenarioOptions withIpv6(boolean b) { return new ScenarioOptions(seed, loss, latencyNs, mss, mslNs, noTimeWait, twoWay, pcap, b); }
    public ScenarioOptions withPcap(Path p) { return new ScenarioOptions(seed, loss, latencyNs, mss, mslNs, noTimeWait, twoWay, p, ipv6); }
}
