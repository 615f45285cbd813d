package org.netstack4j.tcp;

import java.util.List;
import java.util.Objects;
import org.netstack4j.path.PmtuDiscovery;
import org.netstack4j.wire.IpAddress;

/**
 * Everything an active open ({@link TcpLayer#connect(long, IpAddress, int, TcpEventListener,
 * ConnectOptions)}) takes besides the peer: the local end and what a socket sets before connect,
 * each applied from the SYN on. One value instead of a connect overload per feature; start from
 * {@link #from} and add with the {@code withX} methods.
 *
 * @param local the local address (concrete, not a wildcard)
 * @param localPort 0: an ephemeral port (RFC 6056)
 * @param config this connection's own configuration (buffers, MSS, options...), null: the
 *        stack's; its stack-wide parts (ephemeral range, challenge ACK limit) stay the stack's
 * @param noOptions TCP_NOOPT: the SYN and the connection carry no TCP options
 * @param md5Keys the socket's TCP-MD5 keys (RFC 2385, TCP_MD5SIG): one matching the peer signs
 *        every segment, the SYN first ({@link Md5})
 * @param trafficClass IP_TOS / IPV6_TCLASS: the DSCP bits of every segment, the SYN first (the
 *        ECN bits stay TCP's, {@link TcpConnection#setTrafficClass})
 * @param pmtuDiscovery IP_MTU_DISCOVER / IPV6_MTU_DISCOVER, null: the configuration's
 *        ({@link TcpConfig.OsQuirks#pmtuDiscovery})
 * @param fastOpen Fast Open (RFC 7413, MSG_FASTOPEN): the first data, as much of it in the SYN as
 *        a cached cookie allows; null: an ordinary open
 */
public record ConnectOptions(IpAddress local, int localPort, TcpConfig config, boolean noOptions,
                             List<TcpMd5Key> md5Keys, int trafficClass, PmtuDiscovery pmtuDiscovery, FastOpenData fastOpen) {
    public ConnectOptions {
        if (localPort < 0 || localPort > 65535) throw new IllegalArgumentException("bad local port " + localPort);
        md5Keys = md5Keys == null ? List.of() : List.copyOf(md5Keys);
        if (trafficClass < 0 || trafficClass > 255) throw new IllegalArgumentException("traffic class must be 0..255: " + trafficClass);
    }

    /**
     * Fast Open's first data, {@code data[off, off + len)} (copied when the SYN is built), and
     * whether the SYN carries it without a cookie ({@code noCookie}: TCP_FASTOPEN_NO_COOKIE; the
     * stack's TFO_CLIENT_NO_COOKIE bit does the same for every socket).
     */
    public record FastOpenData(byte[] data, int off, int len, boolean noCookie) {
        public FastOpenData {
            Objects.checkFromIndexSize(off, len, data.length);
        }
    }

    /** From {@code local}, an ephemeral port, and every option at its default. */
    public static ConnectOptions from(IpAddress local) {
        return new ConnectOptions(local, 0, null, false, List.of(), 0, null, null);
    }

    public ConnectOptions withLocalPort(int v) { return new ConnectOptions(local, v, config, noOptions, md5Keys, trafficClass, pmtuDiscovery, fastOpen); }
    public ConnectOptions withConfig(TcpConfig v) { return new ConnectOptions(local, localPort, v, noOptions, md5Keys, trafficClass, pmtuDiscovery, fastOpen); }
    public ConnectOptions withNoOptions(boolean v) { return new ConnectOptions(local, localPort, config, v, md5Keys, trafficClass, pmtuDiscovery, fastOpen); }
    public ConnectOptions withMd5Keys(List<TcpMd5Key> v) { return new ConnectOptions(local, localPort, config, noOptions, v, trafficClass, pmtuDiscovery, fastOpen); }
    public ConnectOptions withTrafficClass(int v) { return new ConnectOptions(local, localPort, config, noOptions, md5Keys, v, pmtuDiscovery, fastOpen); }
    public ConnectOptions withPmtuDiscovery(PmtuDiscovery v) { return new ConnectOptions(local, localPort, config, noOptions, md5Keys, trafficClass, v, fastOpen); }
    public ConnectOptions withFastOpen(FastOpenData v) { return new ConnectOptions(local, localPort, config, noOptions, md5Keys, trafficClass, pmtuDiscovery, v); }

    /** {@link #withFastOpen(FastOpenData)} with all of {@code data}. */
    public ConnectOptions withFastOpen(byte[] data, boolean noCookie) { return withFastOpen(new FastOpenData(data, 0, data.length, noCookie)); }
}
