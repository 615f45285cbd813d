package org.netstack4j.tcp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.Counters.Counter;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.SipHash;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * TCP Fast Open (RFC 7413) for one stack, with Linux's choices: the mode bits of
 * {@code net.ipv4.tcp_fastopen}, the server's cookie key (primary and backup, {@code
 * tcp_fastopen_key} / TCP_FASTOPEN_KEY), the server's decision on a SYN (Linux
 * tcp_try_fastopen), the client's per-destination cookie cache (Linux's tcp_metrics) and the
 * {@code tcp.fastopen.*} counters (Linux's TCPFastOpen* MIB names).
 *
 * <p>The cookie (RFC 7413 4.1.2: a MAC of the client's address under a server secret) is what
 * Linux computes since 5.3: SipHash-2-4 keyed with the 16 key bytes (two little-endian 64-bit
 * words) over the SYN's source then destination address, the 64-bit result written little-endian:
 * 8 bytes. Scripts written against Linux (and Linux clients holding our cookies) therefore agree.
 *
 * <p>The option: kind 34 (RFC 7413 4.1.1), or the experimental kind 254 with magic 0xF989 (RFC
 * 6994) a client may use and is answered in; an empty option is a cookie request. Linux writes
 * it after the other SYN options and pads it with NOP,NOP to a 4-byte boundary.
 */
public final class FastOpen {
    public static final int KIND = 34, KIND_EXP = 254, EXP_MAGIC = 0xF989, COOKIE_LENGTH = 8;
    /** net.ipv4.tcp_fastopen bits (Linux Documentation/networking/ip-sysctl.rst). */
    public static final int CLIENT = 0x1, SERVER = 0x2, CLIENT_NO_COOKIE = 0x4, SERVER_NO_COOKIE = 0x200,
            SERVER_WITHOUT_SOCKOPT = 0x400;
    /** Linux's default: client on, server off. */
    public static final int DEFAULT_MODE = CLIENT;
    /** RFC 7413 4.1.1: a cookie is 4 to 16 bytes, an even number of them. */
    static final int MIN_COOKIE = 4, MAX_COOKIE = 16;
    /** Destinations whose cookie the client keeps (least recently used forgotten first). */
    static final int CACHE_SIZE = 1024;

    /** A key pair: primary (the cookies we hand out) and an optional backup still accepted. */
    public record Keys(byte[] primary, byte[] backup) {
        public Keys {
            if (primary == null || primary.length != 16) throw new IllegalArgumentException("a TFO key is 16 bytes");
            if (backup != null && backup.length != 16) throw new IllegalArgumentException("a TFO key is 16 bytes");
            primary = primary.clone();
            backup = backup == null ? null : backup.clone();
        }

        /** TCP_FASTOPEN_KEY's value: 16 bytes (primary) or 32 (primary then backup). */
        public static Keys ofBytes(byte[] b) {
            if (b.length != 16 && b.length != 32) throw new IllegalArgumentException("TCP_FASTOPEN_KEY takes 16 or 32 bytes, not " + b.length);
            return new Keys(Arrays.copyOf(b, 16), b.length == 32 ? Arrays.copyOfRange(b, 16, 32) : null);
        }

        /**
         * The sysctl's text, {@code xxxxxxxx-xxxxxxxx-xxxxxxxx-xxxxxxxx[,backup]}: four 32-bit hex
         * words each stored little-endian (Linux proc_tcp_fastopen_key, cpu_to_le32).
         */
        public static Keys parse(String s) {
            String[] keys = s.strip().split(",");
            if (keys.length > 2) throw new IllegalArgumentException("at most two TFO keys: " + s);
            byte[][] out = new byte[keys.length][];
            for (int k = 0; k < keys.length; k++) {
                String[] w = keys[k].strip().split("-");
                if (w.length != 4) throw new IllegalArgumentException("a TFO key is four hex words a-b-c-d: " + keys[k]);
                out[k] = new byte[16];
                for (int i = 0; i < 4; i++) {
                    long v = Long.parseLong(w[i], 16);
                    if (v > 0xffffffffL) throw new IllegalArgumentException("TFO key word too long: " + w[i]);
                    for (int j = 0; j < 4; j++) out[k][4 * i + j] = (byte) (v >>> (8 * j));
                }
            }
            return new Keys(out[0], keys.length == 2 ? out[1] : null);
        }

        @Override public boolean equals(Object o) {
            return o instanceof Keys k && Arrays.equals(primary, k.primary) && Arrays.equals(backup, k.backup);
        }
        @Override public int hashCode() { return 31 * Arrays.hashCode(primary) + Arrays.hashCode(backup); }
        @Override public String toString() { return "Keys[...]"; } // secrets stay out of logs
    }

    /** A Fast Open option as carried: the cookie (empty: a request) and which kind carried it. */
    public record Option(byte[] cookie, boolean exp) {
        public Option { cookie = cookie.clone(); }
        public boolean isRequest() { return cookie.length == 0; }

        /** The option of a segment, or null when it has none (or one of an invalid length, ignored as Linux does). */
        public static Option of(TcpRepr seg) {
            for (TcpOption o : seg.options()) {
                if (!(o instanceof TcpOption.Unknown u)) continue;
                byte[] d = u.data();
                if (u.kind() == KIND) return valid(d) ? new Option(d, false) : null;
                if (u.kind() == KIND_EXP && d.length >= 2 && ((d[0] & 0xff) << 8 | (d[1] & 0xff)) == EXP_MAGIC) {
                    byte[] c = Arrays.copyOfRange(d, 2, d.length);
                    return valid(c) ? new Option(c, true) : null;
                }
            }
            return null;
        }

        private static boolean valid(byte[] c) {
            return c.length == 0 || (c.length >= MIN_COOKIE && c.length <= MAX_COOKIE && c.length % 2 == 0);
        }

        /** The option as Linux writes it, NOP,NOP after when its length is 2 mod 4. */
        List<TcpOption> wire() {
            List<TcpOption> out = new ArrayList<>(3);
            int len;
            if (exp) {
                byte[] d = new byte[2 + cookie.length];
                d[0] = (byte) (EXP_MAGIC >>> 8);
                d[1] = (byte) EXP_MAGIC;
                System.arraycopy(cookie, 0, d, 2, cookie.length);
                out.add(new TcpOption.Unknown(KIND_EXP, d));
                len = 2 + d.length;
            } else {
                out.add(new TcpOption.Unknown(KIND, cookie));
                len = 2 + cookie.length;
            }
            if (len % 4 == 2) {
                out.add(TcpOption.NOP);
                out.add(TcpOption.NOP);
            }
            return out;
        }

        @Override public boolean equals(Object o) { return o instanceof Option p && exp == p.exp && Arrays.equals(cookie, p.cookie); }
        @Override public int hashCode() { return Arrays.hashCode(cookie) * 2 + (exp ? 1 : 0); }
    }

    /** What a listener does with a SYN: make a Fast Open child (its data accepted) and/or put {@code reply} in the SYN,ACK. */
    record Decision(boolean child, Option reply) {
        static final Decision NONE = new Decision(false, null);
    }

    /** A cached server cookie (RFC 7413 4.1.3) with the MSS the server announced. */
    record Cached(byte[] cookie, int mss, boolean exp) {}

    private int mode = DEFAULT_MODE;
    private Keys keys;
    private final Map<IpAddress, Cached> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<IpAddress, Cached> e) { return size() > CACHE_SIZE; }
    };
    /** Linux TCPFastOpenActive, ...ActiveFail, ...Passive, ...PassiveFail, ...PassiveAltKey, ...CookieReqd, ...ListenOverflow. */
    final Counter active, activeFail, passive, passiveFail, passiveAltKey, cookieReqd, listenOverflow;

    FastOpen(Counters c, long seed) {
        byte[] k = new byte[16];
        SplittableRandom r = new SplittableRandom(seed ^ 0x7f0f0f0f5eedL); // Linux: a random key at boot
        for (int i = 0; i < 16; i++) k[i] = (byte) r.nextInt(256);
        keys = new Keys(k, null);
        active = c.counter("tcp.fastopen.active");
        activeFail = c.counter("tcp.fastopen.active_fail");
        passive = c.counter("tcp.fastopen.passive");
        passiveFail = c.counter("tcp.fastopen.passive_fail");
        passiveAltKey = c.counter("tcp.fastopen.passive_alt_key");
        cookieReqd = c.counter("tcp.fastopen.cookie_reqd");
        listenOverflow = c.counter("tcp.fastopen.listen_overflow");
    }

    /** net.ipv4.tcp_fastopen. */
    public int mode() { return mode; }
    public void setMode(int bits) { this.mode = bits; }
    /** net.ipv4.tcp_fastopen_key: the stack's keys (listeners without their own use them). */
    public Keys keys() { return keys; }
    public void setKeys(Keys k) { this.keys = java.util.Objects.requireNonNull(k, "keys"); }

    boolean clientEnabled() { return (mode & CLIENT) != 0; }

    /** The cookie for a SYN from {@code client} to {@code server} under {@code key}. */
    public static byte[] cookie(byte[] key, IpAddress client, IpAddress server) {
        SipHash h = new SipHash(le64(key, 0), le64(key, 8));
        byte[] m = new byte[client.family().byteLength() + server.family().byteLength()];
        client.write(m, 0);
        server.write(m, client.family().byteLength());
        long[] words = new long[m.length / 8];
        for (int i = 0; i < words.length; i++) words[i] = le64(m, 8 * i);
        long v = words.length == 1 ? h.hash(words[0]) : h.hash(words);
        byte[] out = new byte[COOKIE_LENGTH];
        for (int i = 0; i < 8; i++) out[i] = (byte) (v >>> (8 * i));
        return out;
    }

    private static long le64(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xffL);
        return v;
    }

    /**
     * Linux tcp_try_fastopen: the server's answer to a SYN at listener {@code l} carrying
     * {@code dataLen} bytes. A cookie request (or an invalid cookie) is answered with a fresh
     * cookie in the SYN,ACK; a valid cookie (or TFO_SERVER_COOKIE_NOT_REQD) makes a child that
     * takes the SYN's data; a cookie valid under the backup key gets the primary's in return.
     */
    Decision onSyn(TcpListener l, IpAddress client, IpAddress server, TcpRepr syn, int dataLen) {
        Option foc = Option.of(syn);
        if (foc != null && foc.isRequest()) cookieReqd.increment();
        if ((mode & SERVER) == 0 || (dataLen == 0 && foc == null) || !queueCheck(l)) return Decision.NONE;
        if ((mode & SERVER_NO_COOKIE) != 0 || l.fastOpenNoCookie()) {
            passive.increment();
            return new Decision(true, null);
        }
        if (foc == null) return Decision.NONE;
        Keys k = l.fastOpenKeys() != null ? l.fastOpenKeys() : keys;
        Option fresh = new Option(cookie(k.primary(), client, server), foc.exp());
        if (foc.isRequest()) return new Decision(false, fresh);
        if (Arrays.equals(foc.cookie(), fresh.cookie())) {
            passive.increment();
            return new Decision(true, null);
        }
        if (k.backup() != null && Arrays.equals(foc.cookie(), cookie(k.backup(), client, server))) {
            passive.increment();
            passiveAltKey.increment();
            return new Decision(true, fresh);
        }
        passiveFail.increment();
        return new Decision(false, fresh);
    }

    /** Linux tcp_fastopen_queue_check: Fast Open children not yet established stay under the listener's TCP_FASTOPEN qlen. */
    private boolean queueCheck(TcpListener l) {
        int max = l.fastOpenQueueLimit();
        if (max == 0) return false;
        if (l.fastOpenPending() >= max) {
            listenOverflow.increment();
            return false;
        }
        return true;
    }

    // ---- client: the cookie cache (RFC 7413 4.1.3) ----

    /** The cookie cached for {@code server}, or null. */
    Cached cached(IpAddress server) { return cache.get(server); }

    /** Is a cookie for {@code server} cached? */
    public boolean hasCookie(IpAddress server) { return cache.containsKey(server); }

    /** A SYN,ACK's cookie: kept for the next connection to {@code server}. */
    void remember(IpAddress server, Option cookie, int mss) {
        if (cookie == null || cookie.isRequest()) return;
        cache.put(server, new Cached(cookie.cookie(), mss, cookie.exp()));
    }

    /** Forgets every cached cookie ({@code ip tcp_metrics flush}). */
    public void flushCache() { cache.clear(); }

    /** Destinations with a cached cookie. */
    public int cachedCookies() { return cache.size(); }

    // ------------------------------------------------------------------ the connection's side (static over it, like Ecn)

    /**
     * RFC 7413 4.2.2: a SYN whose cookie the listener accepted. Its data is taken at once and
     * the SYN,ACK acknowledges it; the connection stays SYN-RECEIVED until the handshake ACK but
     * is already in the accept queue, readable, and may send (Linux tcp_fastopen_create_child).
     */
    static void passiveOpen(TcpConnection c, long now, TcpRepr seg, int ipEcn, byte[] buf, int off, int len, Option fo) {
        c.acceptSyn(seg, ipEcn);
        Rare r = Rare.of(c);
        r.fastOpenChild = true;
        c.setState(now, TcpState.SYN_RECEIVED, "rcv SYN with Fast Open data");
        if (len > 0) {
            // queued as Linux's tcp_fastopen_add_skb does, outside the data-receive event: no
            // quick-ACK or delayed-ACK history starts here (the SYN,ACK acknowledges it)
            int n = Math.min(len, c.rcvBuf.free());
            c.rcv.ownReceiveBuffer().writeAt(0, buf, off, n);
            c.rcvBuf.commit(n);
            c.rcvNxt = Seq.add(c.rcvNxt, n);
            Timestamping.arrived(c, now);
            c.rcv.bytesReceived += n;
            c.nReadable = true;
            r.synData = n > 0;
        }
        if (seg.has(TcpRepr.FIN)) SegmentArrives.processFin(c, now, "rcv FIN on a Fast Open SYN");
        synOption(c, fo);
        c.snd.sendSyn(now, true);
        c.startRttTiming(now, c.iss);
        c.armRto(now);
        c.deliverEvents();
    }

    /** A Fast Open child of a listener that has not yet reached ESTABLISHED or CLOSED. */
    static boolean child(TcpConnection c) { return c.rare != null && c.rare.fastOpenChild; }

    static void childEstablished(TcpConnection c) { if (c.rare != null) c.rare.fastOpenChild = false; }

    /** The Fast Open option of the connection's next SYN or SYN,ACK, or null. */
    static Option synOption(TcpConnection c) { return c.rare == null ? null : c.rare.synFo; }

    static void synOption(TcpConnection c, Option fo) { if (fo != null || c.rare != null) Rare.of(c).synFo = fo; }

    /**
     * Before the SYN of a Fast Open connect: the SYN takes as much of the data as one segment
     * holds (Linux tcp_send_syn_data: the cached MSS, at most the MSS less 40 bytes of option
     * space) with the cached cookie, or none with a cookie request when no cookie is cached.
     */
    void prepare(TcpConnection c, boolean noCookie, byte[] data, int off, int len) {
        Rare.of(c).fastOpen = this;
        Cached cached = cached(c.remoteAddress);
        int space = c.advMss - 40;
        if (noCookie) {
            synOption(c, null);
        } else if (cached != null) {
            synOption(c, new Option(cached.cookie(), cached.exp()));
            if (cached.mss() > 0) space = Math.min(space, cached.mss());
        } else {
            synOption(c, new Option(new byte[0], false));
            space = 0;
        }
        int n = Math.max(0, Math.min(len, space));
        if (n > 0) n = c.snd.writableSendBuf(n).write(data, off, n);
        if (n > 0 || c.rare != null) Rare.of(c).synDataLen = n;
    }

    /**
     * RFC 7413 4.2.1 / Linux tcp_rcv_fastopen_synack: the SYN,ACK of our Fast Open SYN. Its cookie
     * is cached; SYN data it does not acknowledge is sent again at once after the handshake.
     */
    static void synAckArrives(TcpConnection c, long now, TcpRepr seg) {
        if (c.rare == null || c.rare.fastOpen == null) return;
        FastOpen fo = c.rare.fastOpen;
        Option cookie = Option.of(seg);
        if (cookie != null && !cookie.isRequest()) fo.remember(c.remoteAddress, cookie, c.peerMss);
        int synData = c.synDataLength();
        if (synData == 0) return;
        if (Seq.sub(c.sndUna, c.iss) - 1 >= synData) {
            fo.active.increment();
            c.rare.synData = true;
            return;
        }
        // not (all) acknowledged: what is left is new data for output() after the handshake
        fo.activeFail.increment();
        c.sndNxt = c.sndUna;
        c.sndMax = c.sndUna;
    }
}
