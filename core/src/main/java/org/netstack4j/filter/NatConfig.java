package org.netstack4j.filter;

import java.util.List;
import java.util.Objects;
import org.netstack4j.time.Time;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Repr;

/**
 * Source NAT (masquerade) of one external interface, and its port forwards. Defaults
 * ({@link #masquerade}) follow the RFCs' requirements: UDP mapping timeout 300 s (RFC 4787
 * REQ-5: at least 2 min, 5 min recommended), TCP established idle timeout 2 h 4 min and
 * transitory 4 min (RFC 5382 REQ-5), ICMP query timeout 60 s (RFC 5508 REQ-1), address-dependent
 * filtering (RFC 4787 REQ-8, RFC 5382 REQ-3: the "more stringent" recommendation).
 *
 * @param externalIface    the interface whose address sources are rewritten to
 * @param external         that address; an IPv6 one makes the NAT translate IPv6 (NAT66), an IPv4 one IPv4
 * @param internal         sources to translate; empty: every source but the external address
 * @param ports            external ports for internal ports from 1024 (internal ports below 1024 map below 1024, RFC 4787 REQ-3)
 * @param portParity       keep the internal port's parity (RFC 4787 4.2.2, optional)
 * @param udpFiltering     which inbound UDP a mapping lets in (RFC 4787 5)
 * @param tcpFiltering     the same for TCP (RFC 5382 REQ-3)
 * @param inboundRefresh   inbound UDP and ICMP refresh a mapping (RFC 4787 REQ-6 makes it optional; TCP always)
 * @param maxMappings      the bound on dynamic mappings
 * @param maxSessionsPerMapping the bound on remote endpoints remembered per mapping (the oldest goes)
 * @param forwards         destination NAT: static mappings, open to every remote
 * @param seed             where the port search starts (RFC 6056 randomisation, deterministic per seed)
 * @param slice            which slice of every external port and ICMP identifier range this NAT hands out ({@link #withSlice})
 * @param slices           how many NATs share the external address, each with its own slice (1: the whole ranges)
 */
public record NatConfig(String externalIface, IpAddress external, List<Prefix> internal, PortRange ports,
                        boolean portParity, Filtering udpFiltering, Filtering tcpFiltering, boolean inboundRefresh,
                        long udpTimeout, long tcpEstablished, long tcpTransitory, long icmpTimeout,
                        int maxMappings, int maxSessionsPerMapping, List<PortForward> forwards, long seed,
                        int slice, int slices) {

    /** External ports for internal ports below 1024 (RFC 4787 REQ-3). */
    public static final PortRange LOW_PORTS = new PortRange(1, 1023);
    /** ICMP query identifiers (RFC 5508 3). */
    public static final PortRange QUERY_IDS = new PortRange(0, 0xffff);


    /** RFC 4787 5: which inbound packets an existing mapping lets through. */
    public enum Filtering {
        /** Any remote endpoint. */
        ENDPOINT_INDEPENDENT,
        /** Remote addresses the internal endpoint has sent to. */
        ADDRESS_DEPENDENT,
        /** Remote address and port pairs the internal endpoint has sent to. */
        ADDRESS_AND_PORT_DEPENDENT
    }

    /** Destination NAT: protocol traffic to external:externalPort goes to internal. */
    public record PortForward(int protocol, int externalPort, Endpoint internal) {
        public PortForward {
            if (protocol != Ipv4Repr.PROTO_TCP && protocol != Ipv4Repr.PROTO_UDP)
                throw new IllegalArgumentException("port forwards are for TCP or UDP, not protocol " + protocol);
            if (externalPort < 1 || externalPort > 0xffff) throw new IllegalArgumentException("bad port " + externalPort);
            Objects.requireNonNull(internal, "internal");
        }
    }

    public NatConfig {
        Objects.requireNonNull(externalIface, "externalIface");
        Objects.requireNonNull(external, "external");
        internal = List.copyOf(internal);
        Objects.requireNonNull(ports, "ports");
        if (ports.lo() < 1024) throw new IllegalArgumentException("the port range starts at 1024 or above, was " + ports);
        Objects.requireNonNull(udpFiltering, "udpFiltering");
        Objects.requireNonNull(tcpFiltering, "tcpFiltering");
        if (udpTimeout < Time.s(120)) throw new IllegalArgumentException("RFC 4787 REQ-5: UDP mappings last at least 2 min");
        if (tcpEstablished < Time.s(7440)) throw new IllegalArgumentException("RFC 5382 REQ-5: established TCP lasts at least 2 h 4 min");
        if (tcpTransitory < Time.s(240)) throw new IllegalArgumentException("RFC 5382 REQ-5: transitory TCP lasts at least 4 min");
        if (icmpTimeout < Time.s(60)) throw new IllegalArgumentException("RFC 5508 REQ-1: ICMP query mappings last at least 60 s");
        if (maxMappings < 1 || maxSessionsPerMapping < 1) throw new IllegalArgumentException("bounds must be >= 1");
        forwards = List.copyOf(forwards);
        if (slices < 1 || slice < 0 || slice >= slices) throw new IllegalArgumentException("slice " + slice + " of " + slices);
        if (slices > LOW_PORTS.size() || slices > ports.size())
            throw new IllegalArgumentException(slices + " slices of the ports " + LOW_PORTS + " and " + ports + ": too many");
    }

    /** Masquerade every source behind external on externalIface, with the RFC defaults. */
    public static NatConfig masquerade(String externalIface, IpAddress external) {
        return new NatConfig(externalIface, external, List.of(), new PortRange(1024, 65535), false,
                Filtering.ADDRESS_DEPENDENT, Filtering.ADDRESS_DEPENDENT, false,
                Time.s(300), Time.s(7440), Time.s(240), Time.s(60), 65536, 1024, List.of(), 1, 0, 1);
    }

    public NatConfig withFiltering(Filtering udp, Filtering tcp) {
        return new NatConfig(externalIface, external, internal, ports, portParity, udp, tcp, inboundRefresh, udpTimeout,
                tcpEstablished, tcpTransitory, icmpTimeout, maxMappings, maxSessionsPerMapping, forwards, seed, slice, slices);
    }

    public NatConfig withPorts(PortRange r, boolean parity) {
        return new NatConfig(externalIface, external, internal, r, parity, udpFiltering, tcpFiltering, inboundRefresh, udpTimeout,
                tcpEstablished, tcpTransitory, icmpTimeout, maxMappings, maxSessionsPerMapping, forwards, seed, slice, slices);
    }

    public NatConfig withForwards(List<PortForward> f) {
        return new NatConfig(externalIface, external, internal, ports, portParity, udpFiltering, tcpFiltering, inboundRefresh,
                udpTimeout, tcpEstablished, tcpTransitory, icmpTimeout, maxMappings, maxSessionsPerMapping, f, seed, slice, slices);
    }

    public NatConfig withLimits(int mappings, int sessionsPerMapping) {
        return new NatConfig(externalIface, external, internal, ports, portParity, udpFiltering, tcpFiltering, inboundRefresh,
                udpTimeout, tcpEstablished, tcpTransitory, icmpTimeout, mappings, sessionsPerMapping, forwards, seed, slice, slices);
    }

    public NatConfig withInternal(List<Prefix> sources) {
        return new NatConfig(externalIface, external, sources, ports, portParity, udpFiltering, tcpFiltering, inboundRefresh,
                udpTimeout, tcpEstablished, tcpTransitory, icmpTimeout, maxMappings, maxSessionsPerMapping, forwards, seed, slice, slices);
    }

    /**
     * The same NAT as slice {@code i} of {@code n} NATs that share the external address (one per
     * queue of a multi-queue router, each with its own mapping table): it hands out only slice i of
     * the external ports (both classes, {@link #ports} and {@link #LOW_PORTS}) and of the ICMP
     * identifiers, so no two of them ever map to the same external endpoint, and a reply tells by
     * its destination port which one holds its mapping ({@link #sliceOf}). Port forwards stay in every slice.
     */
    public NatConfig withSlice(int i, int n) {
        return new NatConfig(externalIface, external, internal, ports, portParity, udpFiltering, tcpFiltering, inboundRefresh,
                udpTimeout, tcpEstablished, tcpTransitory, icmpTimeout, maxMappings, maxSessionsPerMapping, forwards, seed, i, n);
    }

    /** The external ports (ICMP: identifiers) this NAT may map to for an internal port of {@code internalPort}'s class. */
    PortRange range(int protocol, int internalPort) {
        PortRange r = protocol == Ipv4Repr.PROTO_ICMP || protocol == org.netstack4j.wire.Ipv6Repr.NH_ICMPV6 ? QUERY_IDS
                : internalPort < 1024 ? LOW_PORTS : ports;
        return slices == 1 ? r : r.slice(slice, slices);
    }

    /**
     * Which slice's NAT ({@link #withSlice}) holds the mapping of external port (ICMP: identifier)
     * {@code port} of {@code protocol}: -1 for a port forward's port (every slice has it) and for a
     * port no slice hands out.
     */
    public int sliceOf(int protocol, int port) {
        for (PortForward f : forwards) if (f.protocol() == protocol && f.externalPort() == port) return -1;
        if (protocol == Ipv4Repr.PROTO_ICMP || protocol == org.netstack4j.wire.Ipv6Repr.NH_ICMPV6) return QUERY_IDS.sliceOf(port, slices);
        int s = ports.sliceOf(port, slices);
        return s >= 0 ? s : LOW_PORTS.sliceOf(port, slices);
    }
}
