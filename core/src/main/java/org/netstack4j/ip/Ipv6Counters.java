package org.netstack4j.ip;

import org.netstack4j.trace.Counters;
import org.netstack4j.trace.Counters.Counter;

/** The counters of IPv6, ICMPv6 and Neighbor Discovery (names after Linux's /proc/net/snmp6). */
final class Ipv6Counters {
    final Counter inReceives, inHdrErrors, inDropNotForUs, inDropBadSource, inDropNotEnabled, inDelivers,
            inUnknownProtos, inDropChain, inDropFragment,
            reasmReqds, reasmOks, reasmFails, reasmTimeout, fragOks, fragFails, fragCreates,
            outRequests, outPackets, outDropNoRoute, outDropTooBig, outDropLocalQueue, outDropNoNeighbor;
    final Counter icmpInMsgs, icmpInErrors, icmpInEchos, icmpInEchoReplies, icmpInDestUnreachs, icmpInPktTooBigs,
            icmpInTimeExcds, icmpInParmProblems, icmpInOther,
            icmpOutMsgs, icmpOutEchos, icmpOutEchoReplies, icmpOutDestUnreachs, icmpOutParmProblems, icmpOutTimeExcds,
            icmpOutRateLimited, pmtuUpdates;
    final Counter ndInNs, ndInNa, ndInRa, ndInDropBadHopLimit, ndInDropInvalid, ndOutNs, ndOutNa,
            ndQueueOverflow, ndTableFull, ndResolveFailed, dadDuplicates, dadOk, slaacAddresses,
            ndOutRs, ndRsNoRouter;

    /** Packets for other hosts taken on an intercepting interface (IpStack#setIntercept). */
    final Counter inIntercepted;

    private final Counters all;

    Ipv6Counters(Counters c) {
        all = c;
        inIntercepted = c.counter("ipv6.in.intercepted");
        inReceives = c.counter("ipv6.in.receives");
        inHdrErrors = c.counter("ipv6.in.hdr_errors");
        inDropNotForUs = c.counter("ipv6.in.drop.not_for_us");
        inDropBadSource = c.counter("ipv6.in.drop.bad_source");
        inDropNotEnabled = c.counter("ipv6.in.dropped"); // IPv6 not enabled on the interface
        inDelivers = c.counter("ipv6.in.delivers");
        inUnknownProtos = c.counter("ipv6.in.unknown_protos");
        inDropChain = c.counter("ipv6.in.drop.ext_headers");
        inDropFragment = c.counter("ipv6.in.drop.fragment");
        reasmReqds = c.counter("ipv6.reasm.reqds");
        reasmOks = c.counter("ipv6.reasm.ok");
        reasmFails = c.counter("ipv6.reasm.fails");
        reasmTimeout = c.counter("ipv6.reasm.timeout");
        fragOks = c.counter("ipv6.frag.oks");
        fragFails = c.counter("ipv6.frag.fails");
        fragCreates = c.counter("ipv6.frag.creates");
        outRequests = c.counter("ipv6.out.requests");
        outPackets = c.counter("ipv6.out.packets");
        outDropNoRoute = c.counter("ipv6.out.drop.no_route");
        outDropTooBig = c.counter("ipv6.out.drop.too_big");
        outDropLocalQueue = c.counter("ipv6.out.drop.local_queue_full");
        outDropNoNeighbor = c.counter("ipv6.out.drop.no_neighbor");

        icmpInMsgs = c.counter("icmp6.in.msgs");
        icmpInErrors = c.counter("icmp6.in.errors");
        icmpInEchos = c.counter("icmp6.in.echos");
        icmpInEchoReplies = c.counter("icmp6.in.echo_replies");
        icmpInDestUnreachs = c.counter("icmp6.in.dest_unreachs");
        icmpInPktTooBigs = c.counter("icmp6.in.pkt_too_bigs");
        icmpInTimeExcds = c.counter("icmp6.in.time_excds");
        icmpInParmProblems = c.counter("icmp6.in.parm_problems");
        icmpInOther = c.counter("icmp6.in.other");
        icmpOutMsgs = c.counter("icmp6.out.msgs");
        icmpOutEchos = c.counter("icmp6.out.echos");
        icmpOutEchoReplies = c.counter("icmp6.out.echo_replies");
        icmpOutDestUnreachs = c.counter("icmp6.out.dest_unreachs");
        icmpOutParmProblems = c.counter("icmp6.out.parm_problems");
        icmpOutTimeExcds = c.counter("icmp6.out.time_excds");
        icmpOutRateLimited = c.counter("icmp6.out.rate_limited");
        pmtuUpdates = c.counter("ipv6.pmtu.updates");

        ndInNs = c.counter("nd.in.neighbor_solicits");
        ndInNa = c.counter("nd.in.neighbor_advertisements");
        ndInRa = c.counter("nd.in.router_advertisements");
        ndInDropBadHopLimit = c.counter("nd.in.drop.hop_limit");
        ndInDropInvalid = c.counter("nd.in.drop.invalid");
        ndOutNs = c.counter("nd.out.neighbor_solicits");
        ndOutNa = c.counter("nd.out.neighbor_advertisements");
        ndQueueOverflow = c.counter("nd.queue.overflow");
        ndTableFull = c.counter("nd.table_full");
        ndResolveFailed = c.counter("nd.resolve.failed");
        dadDuplicates = c.counter("nd.dad.duplicates");
        dadOk = c.counter("nd.dad.ok");
        slaacAddresses = c.counter("nd.slaac.addresses");
        ndOutRs = c.counter("nd.out.router_solicits");
        ndRsNoRouter = c.counter("nd.rs.no_router");
    }

    Counter named(String name) { return all.counter(name); }
}
