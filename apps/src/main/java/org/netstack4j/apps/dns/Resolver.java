package org.netstack4j.apps.dns;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.netstack4j.apps.dns.ResourceRecord.Rdata;
import org.netstack4j.time.Pollable;
import org.netstack4j.time.Time;
import org.netstack4j.wire.Parsed;

/**
 * A stub resolver (RFC 1034 5.3.1), sans-IO like the stack: {@link #lookup} starts a query, the
 * caller sends what {@link #pollTransmit} hands out (UDP datagrams, or a TCP exchange after a
 * truncated answer, RFC 7766) and feeds back what arrives ({@link #onDatagram},
 * {@link #onTcpResponse}); time comes in through {@link #poll}.
 *
 * <p>Defences against forged answers (RFC 5452): every attempt uses a fresh random ID and a fresh
 * random source port, and an answer counts only if it comes from the server and port asked, to
 * the port used, with the same ID and the same question. Everything else is dropped and counted.
 * Answers are cached for their TTL (negative answers for the SOA's, RFC 2308 5), in a cache of
 * bounded size; {@code /etc/hosts}-style static entries answer first.
 */
public final class Resolver implements Pollable {
    /** Settings: servers in order of preference, attempt timeout, attempts per server, cache size. */
    public record Config(List<InetAddress> servers, int port, long timeoutNs, int attempts, int cacheEntries, long maxTtlSeconds) {
        public Config {
            servers = List.copyOf(servers);
            if (servers.isEmpty()) throw new IllegalArgumentException("a resolver needs at least one server");
            if (attempts < 1) throw new IllegalArgumentException("attempts must be at least 1");
        }

        public static Config of(InetAddress... servers) { return new Config(List.of(servers), 53, Time.s(2), 2, 1024, 86_400); }
    }

    /** The outcome of a lookup. */
    public sealed interface Result {
        /** Records of the asked type (after following CNAMEs in the answer), and the CNAMEs followed. */
        record Answer(List<ResourceRecord> records, List<ResourceRecord> cnames, boolean fromCache) implements Result {}
        record NxDomain(DnsName name, boolean fromCache) implements Result {}
        record NoData(DnsName name, boolean fromCache) implements Result {}
        /** No usable answer: why, in words ("timed out after 4 attempts", "server said SERVFAIL"). */
        record Failure(String reason) implements Result {}
    }

    /** A UDP datagram to send from {@code localPort} (chosen at random per attempt). */
    public record Datagram(int localPort, InetAddress server, int serverPort, byte[] payload) {}

    /** A query to make over TCP: connect, send the payload (length prefix included), read one reply. */
    public record TcpExchange(long exchangeId, InetAddress server, int serverPort, byte[] payload) {}

    /** Counters of what the resolver saw. */
    public static final class Stats {
        long queries, sent, retransmits, timeouts, cacheHits, hostsHits, tcpFallbacks, spoofed, malformed, evicted;
        public long queries() { return queries; }
        public long sent() { return sent; }
        public long retransmits() { return retransmits; }
        public long timeouts() { return timeouts; }
        public long cacheHits() { return cacheHits; }
        public long hostsHits() { return hostsHits; }
        public long tcpFallbacks() { return tcpFallbacks; }
        /** Datagrams that did not match an outstanding query (wrong source, port, ID or question). */
        public long spoofed() { return spoofed; }
        public long malformed() { return malformed; }
        public long evicted() { return evicted; }
    }

    private final class Pending {
        final long id;
        final DnsName name;
        final int type;
        final Consumer<Result> done;
        int attempt, txid, localPort;
        InetAddress server;
        long deadline = Time.NEVER;
        boolean tcp;

        Pending(long id, DnsName name, int type, Consumer<Result> done) { this.id = id; this.name = name; this.type = type; this.done = done; }
    }

    private record CacheKey(String name, int type) {}

    private record Cached(Result result, long expires) {}

    private final Config config;
    private final SplittableRandom random;
    private final Stats stats = new Stats();
    private final Map<String, List<InetAddress>> hosts = new HashMap<>();
    private final LinkedHashMap<CacheKey, Cached> cache;
    private final Map<Long, Pending> pending = new LinkedHashMap<>();
    private final ArrayDeque<Object> transmit = new ArrayDeque<>();
    private long nextId = 1;

    public Resolver(Config config, long seed) {
        this.config = config;
        this.random = new SplittableRandom(seed);
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override protected boolean removeEldestEntry(Map.Entry<CacheKey, Cached> e) {
                if (size() <= config.cacheEntries()) return false;
                stats.evicted++;
                return true;
            }
        };
    }

    public Stats stats() { return stats; }

    public Config config() { return config; }

    /** Adds a static entry, as a line of /etc/hosts does. */
    public void addHost(String name, InetAddress address) {
        hosts.computeIfAbsent(DnsName.parse(name).toString().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(address);
    }

    /** Reads /etc/hosts-format text ("address name [aliases...]", # comments); returns entries read. */
    public int addHosts(String text) {
        int n = 0;
        for (String line : text.split("\r?\n")) {
            String l = line.replaceAll("#.*", "").trim();
            if (l.isEmpty()) continue;
            String[] f = l.split("\\s+");
            if (f.length < 2 || !(f[0].matches("[0-9.]+") || f[0].contains(":"))) continue;
            try {
                InetAddress a = InetAddress.getByName(f[0]); // a literal: no lookup happens
                for (int i = 1; i < f.length; i++) { addHost(f[i], a); n++; }
            } catch (java.net.UnknownHostException | IllegalArgumentException e) {
                // not an address literal or not a name: skipped, as the C library does
            }
        }
        return n;
    }

    /** Starts a lookup; {@code done} is called exactly once, maybe before this returns (cache, hosts). */
    public void lookup(long now, DnsName name, int type, Consumer<Result> done) {
        stats.queries++;
        List<InetAddress> h = hosts.get(name.toString().toLowerCase(Locale.ROOT));
        if (h != null && (type == DnsType.A || type == DnsType.AAAA)) {
            List<ResourceRecord> rrs = new ArrayList<>();
            for (InetAddress a : h) {
                byte[] b = a.getAddress();
                if (type == DnsType.A && b.length == 4) rrs.add(new ResourceRecord(name, type, DnsType.IN, 0, new Rdata.A(b)));
                if (type == DnsType.AAAA && b.length == 16) rrs.add(new ResourceRecord(name, type, DnsType.IN, 0, new Rdata.Aaaa(b)));
            }
            stats.hostsHits++;
            done.accept(rrs.isEmpty() ? new Result.NoData(name, true) : new Result.Answer(rrs, List.of(), true));
            return;
        }
        CacheKey key = new CacheKey(name.toString().toLowerCase(Locale.ROOT), type);
        Cached c = cache.get(key);
        if (c != null && c.expires() > now) {
            stats.cacheHits++;
            done.accept(fromCache(c, now));
            return;
        }
        if (c != null) cache.remove(key);
        Pending p = new Pending(nextId++, name, type, done);
        pending.put(p.id, p);
        send(now, p);
    }

    /** The next thing to send: a {@link Datagram} or a {@link TcpExchange}; null when none. */
    public Object pollTransmit() { return transmit.poll(); }

    private void send(long now, Pending p) {
        int servers = config.servers().size();
        p.server = config.servers().get(p.attempt % servers);
        p.txid = random.nextInt(0x10000);
        p.localPort = 49152 + random.nextInt(16384);
        p.deadline = now + config.timeoutNs();
        if (p.attempt > 0) stats.retransmits++;
        stats.sent++;
        byte[] q = DnsCodec.encode(DnsMessage.query(p.txid, p.name, p.type, Authority.EDNS_SIZE));
        if (p.tcp) {
            byte[] framed = new byte[q.length + 2];
            framed[0] = (byte) (q.length >>> 8);
            framed[1] = (byte) q.length;
            System.arraycopy(q, 0, framed, 2, q.length);
            transmit.add(new TcpExchange(p.id, p.server, config.port(), framed));
        } else {
            transmit.add(new Datagram(p.localPort, p.server, config.port(), q));
        }
    }

    /** A datagram that arrived on {@code localPort} from {@code from}:{@code fromPort}. */
    public void onDatagram(long now, int localPort, InetAddress from, int fromPort, byte[] buf, int off, int len) {
        Parsed<DnsMessage> parsed = DnsCodec.parse(buf, off, len);
        if (!(parsed instanceof Parsed.Ok<DnsMessage> ok)) {
            stats.malformed++;
            return;
        }
        DnsMessage m = ok.value();
        for (Pending p : pending.values()) {
            if (p.tcp || p.localPort != localPort || !p.server.equals(from) || fromPort != config.port() || !matches(p, m)) continue;
            accept(now, p, m);
            return;
        }
        stats.spoofed++;
    }

    /** The reply to a {@link TcpExchange} (without its length prefix), or null if the exchange failed. */
    public void onTcpResponse(long now, long exchangeId, byte[] reply) {
        Pending p = pending.get(exchangeId);
        if (p == null || !p.tcp) return;
        if (reply == null) { // connection refused or reset: count as a failed attempt
            retryOrFail(now, p, "TCP exchange with " + p.server.getHostAddress() + " failed");
            return;
        }
        Parsed<DnsMessage> parsed = DnsCodec.parse(reply);
        if (!(parsed instanceof Parsed.Ok<DnsMessage> ok) || !matches(p, ok.value())) {
            stats.malformed++;
            retryOrFail(now, p, "malformed TCP answer from " + p.server.getHostAddress());
            return;
        }
        accept(now, p, ok.value());
    }

    private static boolean matches(Pending p, DnsMessage m) {
        if (!m.isResponse() || m.id() != p.txid || m.questions().size() != 1) return false;
        DnsMessage.Question q = m.questions().getFirst();
        return q.name().equals(p.name) && q.type() == p.type && q.qclass() == DnsType.IN;
    }

    private void accept(long now, Pending p, DnsMessage m) {
        if (m.truncated() && !p.tcp) {
            stats.tcpFallbacks++;
            p.tcp = true;
            send(now, p);
            return;
        }
        switch (m.rcode()) {
            case DnsType.NOERROR, DnsType.NXDOMAIN -> finish(p, cacheAndResult(now, p, m));
            default -> retryOrFail(now, p, "server " + p.server.getHostAddress() + " said " + DnsType.rcodeName(m.rcode()));
        }
    }

    private Result cacheAndResult(long now, Pending p, DnsMessage m) {
        List<ResourceRecord> cnames = new ArrayList<>();
        List<ResourceRecord> records = new ArrayList<>();
        DnsName name = p.name;
        for (int hop = 0; hop < 10; hop++) {
            DnsName n = name;
            List<ResourceRecord> here = m.answers().stream().filter(r -> r.name().equals(n)).toList();
            List<ResourceRecord> match = here.stream().filter(r -> r.type() == p.type).toList();
            if (!match.isEmpty()) { records.addAll(match); break; }
            ResourceRecord cname = here.stream().filter(r -> r.type() == DnsType.CNAME).findFirst().orElse(null);
            if (cname == null) break;
            cnames.add(cname);
            name = ((Rdata.Name) cname.data()).target();
        }
        Result r;
        long ttl;
        if (!records.isEmpty()) {
            r = new Result.Answer(records, cnames, false);
            ttl = records.stream().mapToLong(ResourceRecord::ttl).min().orElse(0);
            for (ResourceRecord c : cnames) ttl = Math.min(ttl, c.ttl());
        } else {
            // RFC 2308 5: a negative answer is cached for min(SOA TTL, SOA MINIMUM); without an SOA, not at all.
            ttl = m.authorities().stream().filter(a -> a.type() == DnsType.SOA)
                    .mapToLong(a -> Math.min(a.ttl(), ((Rdata.Soa) a.data()).minimum())).min().orElse(0);
            r = m.rcode() == DnsType.NXDOMAIN && cnames.isEmpty() ? new Result.NxDomain(p.name, false) : new Result.NoData(p.name, false);
        }
        ttl = Math.min(ttl, config.maxTtlSeconds());
        if (ttl > 0) cache.put(new CacheKey(p.name.toString().toLowerCase(Locale.ROOT), p.type), new Cached(r, now + Time.s(ttl)));
        return r;
    }

    /** A cached result with TTLs counted down to what is left. */
    private static Result fromCache(Cached c, long now) {
        long left = Math.max(0, (c.expires() - now) / 1_000_000_000L);
        return switch (c.result()) {
            case Result.Answer a -> new Result.Answer(a.records().stream().map(r -> r.withTtl(Math.min(r.ttl(), left))).toList(), a.cnames(), true);
            case Result.NxDomain nx -> new Result.NxDomain(nx.name(), true);
            case Result.NoData nd -> new Result.NoData(nd.name(), true);
            case Result.Failure f -> f;
        };
    }

    private void retryOrFail(long now, Pending p, String reason) {
        if (++p.attempt >= config.attempts() * config.servers().size()) {
            finish(p, new Result.Failure(reason + " (" + p.attempt + " attempts)"));
            return;
        }
        send(now, p);
    }

    private void finish(Pending p, Result r) {
        pending.remove(p.id);
        p.done.accept(r);
    }

    /** Lookups still waiting for an answer. */
    public int outstanding() { return pending.size(); }

    @Override public long pollAt() {
        long t = Time.NEVER;
        for (Pending p : pending.values()) t = Math.min(t, p.deadline);
        return t;
    }

    @Override public void poll(long now) {
        List<Pending> due = new ArrayList<>();
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.deadline <= now) due.add(p);
        }
        for (Pending p : due) {
            stats.timeouts++;
            retryOrFail(now, p, "no answer from " + p.server.getHostAddress() + " within " + config.timeoutNs() / 1_000_000 + " ms");
        }
    }
}
