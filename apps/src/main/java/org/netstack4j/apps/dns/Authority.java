package org.netstack4j.apps.dns;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.netstack4j.apps.dns.ResourceRecord.Rdata;
import org.netstack4j.wire.Parsed;

/**
 * The answering logic of an authoritative server (RFC 1034 4.3.2, without recursion), pure: a
 * query's bytes in, the response's bytes out, no I/O. Answers, CNAME chains inside the zone,
 * NXDOMAIN and NODATA with the SOA in the authority section (negative caching, RFC 2308 3),
 * referrals for delegated names, additional A/AAAA records for NS and MX targets, EDNS(0)
 * (RFC 6891: the response carries an OPT record when the query did, and fits the size the client
 * advertised) and truncation for UDP (TC set, the client retries over TCP, RFC 7766).
 * Names outside every zone are REFUSED; malformed queries get FORMERR when an id can be read,
 * and nothing otherwise (counted in {@link Stats}).
 */
public final class Authority {
    /** Our own EDNS UDP payload size (the 2020 DNS flag day's 1232 avoids fragmentation). */
    public static final int EDNS_SIZE = 1232;
    private static final int MAX_CNAME_CHAIN = 8;

    /** What the server answered; every query lands in exactly one of the first five. */
    public static final class Stats {
        long answered, nxdomain, nodata, refused, formerr, dropped, truncated;
        public long answered() { return answered; }
        public long nxdomain() { return nxdomain; }
        public long nodata() { return nodata; }
        public long refused() { return refused; }
        public long formerr() { return formerr; }
        /** Queries too broken to answer at all (shorter than a header, or a response). */
        public long dropped() { return dropped; }
        /** UDP responses sent with TC set. */
        public long truncated() { return truncated; }
        @Override public String toString() {
            return "answered " + answered + ", nxdomain " + nxdomain + ", nodata " + nodata + ", refused " + refused
                    + ", formerr " + formerr + ", dropped " + dropped + ", truncated " + truncated;
        }
    }

    private final List<Zone> zones;
    private final Stats stats = new Stats();

    public Authority(List<Zone> zones) { this.zones = List.copyOf(zones); }

    public Stats stats() { return stats; }

    public List<Zone> zones() { return zones; }

    /**
     * Answers a query that came over UDP ({@code udp} true: the response fits 512 bytes or the
     * client's EDNS size) or TCP (up to 65535). Returns null when nothing should be sent.
     */
    public byte[] answer(byte[] query, int off, int len, boolean udp) {
        Parsed<DnsMessage> parsed = DnsCodec.parse(query, off, len);
        if (!(parsed instanceof Parsed.Ok<DnsMessage> ok)) {
            if (len < DnsCodec.HEADER || (query[off + 2] & 0x80) != 0) {
                stats.dropped++;
                return null;
            }
            stats.formerr++;
            int id = ((query[off] & 0xff) << 8) | (query[off + 1] & 0xff);
            return DnsCodec.encode(new DnsMessage(id, DnsMessage.QR | DnsType.FORMERR, List.of(), List.of(), List.of(), List.of()));
        }
        DnsMessage q = ok.value();
        if (q.isResponse()) {
            stats.dropped++;
            return null;
        }
        DnsMessage r = respond(q);
        int limit = !udp ? 65535 : q.ednsUdpSize() > 0 ? Math.min(q.ednsUdpSize(), EDNS_SIZE) : DnsCodec.CLASSIC_UDP;
        byte[] out = DnsCodec.encode(r, limit);
        if (out.length < DnsCodec.encode(r).length) stats.truncated++;
        return out;
    }

    /** The response to a parsed query. */
    public DnsMessage respond(DnsMessage q) {
        int flags = DnsMessage.QR | (q.flags() & (DnsMessage.RD | DnsMessage.CD)) | (q.opcode() << 11);
        List<ResourceRecord> opt = q.ednsUdpSize() > 0 ? List.of(ResourceRecord.opt(EDNS_SIZE)) : List.of();
        if (q.opcode() != 0) {
            stats.formerr++; // counted with the malformed: we only take standard queries
            return reply(q, flags | DnsType.NOTIMP, List.of(), List.of(), opt);
        }
        if (q.questions().size() != 1) {
            stats.formerr++;
            return reply(q, flags | DnsType.FORMERR, List.of(), List.of(), opt);
        }
        DnsMessage.Question question = q.questions().getFirst();
        Zone zone = zoneFor(question.name());
        if (zone == null || (question.qclass() != DnsType.IN && question.qclass() != DnsType.ANY)) {
            stats.refused++;
            return reply(q, flags | DnsType.REFUSED, List.of(), List.of(), opt);
        }
        flags |= DnsMessage.AA;
        List<ResourceRecord> answers = new ArrayList<>();
        DnsName name = question.name();
        for (int hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
            List<ResourceRecord> referral = delegation(zone, name);
            if (!referral.isEmpty()) {
                stats.answered++;
                int rflags = answers.isEmpty() ? flags & ~DnsMessage.AA : flags;
                return reply(q, rflags, answers, referral, additional(zone, referral, opt));
            }
            List<ResourceRecord> node = zone.at(name);
            List<ResourceRecord> match = node.stream()
                    .filter(rr -> rr.type() == question.type() || question.type() == DnsType.ANY).toList();
            if (!match.isEmpty()) {
                answers.addAll(match);
                stats.answered++;
                return reply(q, flags, answers, List.of(), additional(zone, answers, opt));
            }
            ResourceRecord cname = node.stream().filter(rr -> rr.type() == DnsType.CNAME).findFirst().orElse(null);
            if (cname == null) break;
            answers.add(cname);
            name = ((Rdata.Name) cname.data()).target();
            Zone next = zoneFor(name);
            if (next == null) { // RFC 1034 4.3.2 step 3a: the chain leaves our zones; the client follows it
                stats.answered++;
                return reply(q, flags, answers, List.of(), opt);
            }
            zone = next;
        }
        // RFC 2308 3: the SOA's TTL in a negative answer is min(SOA TTL, SOA MINIMUM).
        ResourceRecord soa = zone.soa();
        long negTtl = Math.min(soa.ttl(), ((Rdata.Soa) soa.data()).minimum());
        List<ResourceRecord> auth = List.of(soa.withTtl(negTtl));
        if (zone.exists(name)) {
            stats.nodata++;
            return reply(q, flags, answers, auth, opt);
        }
        stats.nxdomain++;
        return reply(q, flags | DnsType.NXDOMAIN, answers, auth, opt);
    }

    private static DnsMessage reply(DnsMessage q, int flags, List<ResourceRecord> an, List<ResourceRecord> ns, List<ResourceRecord> ar) {
        return new DnsMessage(q.id(), flags, q.questions(), an, ns, ar);
    }

    /** The zone with the longest origin that holds {@code name}, or null. */
    private Zone zoneFor(DnsName name) {
        Zone best = null;
        for (Zone z : zones)
            if (name.isWithin(z.origin()) && (best == null || z.origin().labelCount() > best.origin().labelCount())) best = z;
        return best;
    }

    /** NS records of a delegation point at or above {@code name} and below the apex, if any. */
    private static List<ResourceRecord> delegation(Zone zone, DnsName name) {
        for (DnsName n = name; n.labelCount() > zone.origin().labelCount(); n = n.parent()) {
            List<ResourceRecord> ns = zone.at(n).stream().filter(rr -> rr.type() == DnsType.NS).toList();
            if (!ns.isEmpty()) return ns;
        }
        return List.of();
    }

    /** A and AAAA records of in-zone NS and MX targets (RFC 1034 4.3.2 step 6), then the OPT record. */
    private static List<ResourceRecord> additional(Zone zone, List<ResourceRecord> rrs, List<ResourceRecord> opt) {
        Set<ResourceRecord> out = new LinkedHashSet<>();
        for (ResourceRecord rr : rrs) {
            DnsName target = switch (rr.data()) {
                case Rdata.Mx mx -> mx.exchange();
                case Rdata.Name n when rr.type() == DnsType.NS -> n.target();
                default -> null;
            };
            if (target == null || !target.isWithin(zone.origin())) continue;
            for (ResourceRecord a : zone.at(target)) if (a.type() == DnsType.A || a.type() == DnsType.AAAA) out.add(a);
        }
        List<ResourceRecord> list = new ArrayList<>(out);
        list.addAll(opt);
        return list;
    }
}
