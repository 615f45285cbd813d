package org.netstack4j.ip;

import org.netstack4j.trace.Counters;
import org.netstack4j.trace.Counters.Counter;

/** The counters of the IP layer, looked up once (names after {@code netstat -s}). */
final class IpCounters {
    final Counters all;

    final Counter ethInFrames, ethInDropMalformed, ethInDropNotForUs, ethInDropUnknownType, ethOutFrames;

    final Counter arpInRequests, arpInReplies, arpInDropMalformed, arpInDropBadSender, arpInOther, arpInDropNoIpv4,
            arpOutRequests, arpOutReplies, arpQueueOverflow, arpResolveFailed, arpTableFull;

    final Counter ipInReceives, ipInHdrErrors, ipInDropBadChecksum, ipInDropMalformed, ipInDropNotForUs,
            ipInDropBadSource, ipInUnknownProtos, ipInDelivers,
            ipOutRequests, ipOutPackets, ipOutDropNoRoute, ipOutDropTooLong, ipOutDropBadTtl, ipOutDropNoArp,
            ipOutDropLocalQueue,
            fragOk, fragCreates, fragFails, ipv6InDropped,
            reasmReqds, reasmOk, reasmFails, reasmTimeout;

    final Counter icmpInMsgs, icmpInErrors, icmpInDropBadChecksum, icmpInEcho, icmpInEchoReps, icmpInDestUnreachs,
            icmpInTimeExcds, icmpInOther, icmpInDropBroadcastEcho, icmpInDropNotOurs,
            icmpOutMsgs, icmpOutEcho, icmpOutEchoReps, icmpOutDestUnreachs, icmpOutTimeExcds, icmpOutRateLimited;

    final Counter udpInDatagrams, udpNoPorts, udpInErrors, udpInDropBadChecksum, udpRcvbufErrors, udpOutDatagrams;

    IpCounters(Counters c) {
        all = c;
        ethInFrames = c.counter("eth.in.frames");
        ethInDropMalformed = c.counter("eth.in.drop.malformed");
        ethInDropNotForUs = c.counter("eth.in.drop.not_for_us");
        ethInDropUnknownType = c.counter("eth.in.drop.unknown_ethertype");
        ethOutFrames = c.counter("eth.out.frames");

        arpInRequests = c.counter("arp.in.requests");
        arpInReplies = c.counter("arp.in.replies");
        arpInDropMalformed = c.counter("arp.in.drop.malformed");
        arpInDropBadSender = c.counter("arp.in.drop.bad_sender");
        arpInOther = c.counter("arp.in.other_ops");
        arpInDropNoIpv4 = c.counter("arp.in.drop.no_ipv4");
        arpOutRequests = c.counter("arp.out.requests");
        arpOutReplies = c.counter("arp.out.replies");
        arpQueueOverflow = c.counter("arp.queue.overflow");
        arpResolveFailed = c.counter("arp.resolve.failed");
        arpTableFull = c.counter("arp.table_full");

        ipInReceives = c.counter("ipv4.in.receives");
        ipInHdrErrors = c.counter("ipv4.in.hdr_errors");
        ipInDropBadChecksum = c.counter("ipv4.in.drop.bad_checksum");
        ipInDropMalformed = c.counter("ipv4.in.drop.malformed");
        ipInDropNotForUs = c.counter("ipv4.in.drop.not_for_us");
        ipInDropBadSource = c.counter("ipv4.in.drop.bad_source");
        ipInUnknownProtos = c.counter("ipv4.in.unknown_protos");
        ipInDelivers = c.counter("ipv4.in.delivers");
        ipOutRequests = c.counter("ipv4.out.requests");
        ipOutPackets = c.counter("ipv4.out.packets");
        ipOutDropNoRoute = c.counter("ipv4.out.drop.no_route");
        ipOutDropTooLong = c.counter("ipv4.out.drop.too_long");
        ipOutDropBadTtl = c.counter("ipv4.out.drop.bad_ttl");
        ipOutDropNoArp = c.counter("ipv4.out.drop.no_arp");
        ipOutDropLocalQueue = c.counter("ipv4.out.drop.local_queue_full");
        ipv6InDropped = c.counter("ipv6.in.dropped");
        fragOk = c.counter("ipv4.frag.oks");
        fragCreates = c.counter("ipv4.frag.creates");
        fragFails = c.counter("ipv4.frag.fails");
        reasmReqds = c.counter("ipv4.reasm.reqds");
        reasmOk = c.counter("ipv4.reasm.ok");
        reasmFails = c.counter("ipv4.reasm.fails");
        reasmTimeout = c.counter("ipv4.reasm.timeout");

        icmpInMsgs = c.counter("icmp.in.msgs");
        icmpInErrors = c.counter("icmp.in.errors");
        icmpInDropBadChecksum = c.counter("icmp.in.drop.bad_checksum");
        icmpInEcho = c.counter("icmp.in.echo");
        icmpInEchoReps = c.counter("icmp.in.echo_reps");
        icmpInDestUnreachs = c.counter("icmp.in.dest_unreachs");
        icmpInTimeExcds = c.counter("icmp.in.time_excds");
        icmpInOther = c.counter("icmp.in.other");
        icmpInDropBroadcastEcho = c.counter("icmp.in.drop.broadcast_echo");
        icmpInDropNotOurs = c.counter("icmp.in.drop.quote_not_ours");
        icmpOutMsgs = c.counter("icmp.out.msgs");
        icmpOutEcho = c.counter("icmp.out.echo");
        icmpOutEchoReps = c.counter("icmp.out.echo_reps");
        icmpOutDestUnreachs = c.counter("icmp.out.dest_unreachs");
        icmpOutTimeExcds = c.counter("icmp.out.time_excds");
        icmpOutRateLimited = c.counter("icmp.out.rate_limited");

        udpInDatagrams = c.counter("udp.in.datagrams");
        udpNoPorts = c.counter("udp.no_ports");
        udpInErrors = c.counter("udp.in.errors");
        udpInDropBadChecksum = c.counter("udp.in.drop.bad_checksum");
        udpRcvbufErrors = c.counter("udp.in.drop.rcvbuf_full");
        udpOutDatagrams = c.counter("udp.out.datagrams");
    }

    /** A counter by name, for the rarer reasons (reassembly drop kinds). */
    Counter named(String name) { return all.counter(name); }
}
