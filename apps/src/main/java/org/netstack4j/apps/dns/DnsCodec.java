package org.netstack4j.apps.dns;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.netstack4j.apps.dns.ResourceRecord.Rdata;
import org.netstack4j.wire.MalformedKind;
import org.netstack4j.wire.Parsed;

/**
 * Reads and writes DNS messages (RFC 1035 4), with name compression (4.1.4) both ways.
 *
 * <p>Reading is defensive: every count, length and pointer is checked against the message, a
 * compression pointer must point strictly before every place the name has been read from (so a
 * loop cannot be written), a name is at most 255 octets, and the record counts must match what is
 * there. Any violation gives a {@code Malformed} with the offset; nothing throws.
 */
public final class DnsCodec {
    public static final int HEADER = 12;
    /** RFC 1035 4.2.1: without EDNS a UDP message is at most 512 octets. */
    public static final int CLASSIC_UDP = 512;
    private static final int MAX_POINTERS = 64;

    private DnsCodec() {}

    private static final class Bad extends Exception {
        final MalformedKind kind;
        final int offset;
        Bad(MalformedKind kind, String reason, int offset) { super(reason, null, false, false); this.kind = kind; this.offset = offset; }
    }

    public static Parsed<DnsMessage> parse(byte[] buf) { return parse(buf, 0, buf.length); }

    public static Parsed<DnsMessage> parse(byte[] buf, int off, int len) {
        if (off < 0 || len < 0 || off + len > buf.length) return Parsed.malformed("dns", MalformedKind.BAD_RANGE, "region outside the buffer", 0);
        Reader r = new Reader(buf, off, len);
        try {
            if (len < HEADER) throw new Bad(MalformedKind.TRUNCATED, "shorter than the 12-byte header", 0);
            int id = r.u16(), flags = r.u16();
            int qd = r.u16(), an = r.u16(), ns = r.u16(), ar = r.u16();
            List<DnsMessage.Question> qs = new ArrayList<>();
            for (int i = 0; i < qd; i++) qs.add(new DnsMessage.Question(r.name(), r.u16(), r.u16()));
            List<ResourceRecord> ans = records(r, an), nss = records(r, ns), ars = records(r, ar);
            if (r.pos != off + len) throw new Bad(MalformedKind.BAD_HEADER, (off + len - r.pos) + " bytes after the last record", r.pos - off);
            return Parsed.ok(new DnsMessage(id, flags, qs, ans, nss, ars));
        } catch (Bad e) {
            return Parsed.malformed("dns", e.kind, e.getMessage(), e.offset);
        }
    }

    private static List<ResourceRecord> records(Reader r, int count) throws Bad {
        List<ResourceRecord> out = new ArrayList<>(Math.min(count, 64));
        for (int i = 0; i < count; i++) out.add(r.record());
        return out;
    }

    private static final class Reader {
        final byte[] b;
        final int start, end;
        int pos;

        Reader(byte[] b, int off, int len) { this.b = b; this.start = off; this.end = off + len; this.pos = off; }

        void need(int n, String what) throws Bad {
            if (end - pos < n) throw new Bad(MalformedKind.TRUNCATED, "truncated in " + what, pos - start);
        }

        int u8() throws Bad { need(1, "a field"); return b[pos++] & 0xff; }
        int u16() throws Bad { need(2, "a field"); int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff); pos += 2; return v; }
        long u32() throws Bad { need(4, "a field"); long v = ((long) u16() << 16) | u16(); return v; }

        /** Reads a possibly compressed name at pos and moves pos past it. */
        DnsName name() throws Bad {
            List<String> labels = new ArrayList<>();
            int p = pos, lowest = pos, wire = 1, jumps = 0, after = -1;
            while (true) {
                if (p >= end) throw new Bad(MalformedKind.TRUNCATED, "name runs past the message", p - start);
                int len = b[p] & 0xff;
                if ((len & 0xc0) == 0xc0) {
                    if (p + 1 >= end) throw new Bad(MalformedKind.TRUNCATED, "compression pointer cut short", p - start);
                    int target = start + (((len & 0x3f) << 8) | (b[p + 1] & 0xff));
                    if (target >= lowest) throw new Bad(MalformedKind.BAD_HEADER, "compression pointer does not point backwards (a loop)", p - start);
                    if (++jumps > MAX_POINTERS) throw new Bad(MalformedKind.BAD_HEADER, "too many compression pointers", p - start);
                    if (after < 0) after = p + 2;
                    lowest = target;
                    p = target;
                    continue;
                }
                if ((len & 0xc0) != 0) throw new Bad(MalformedKind.BAD_HEADER, "label type " + (len >>> 6) + " is not supported", p - start);
                if (len == 0) {
                    pos = after >= 0 ? after : p + 1;
                    return DnsName.of(labels);
                }
                if (p + 1 + len > end) throw new Bad(MalformedKind.TRUNCATED, "label runs past the message", p - start);
                wire += 1 + len;
                if (wire > DnsName.MAX_WIRE) throw new Bad(MalformedKind.BAD_HEADER, "name longer than 255 octets", p - start);
                labels.add(new String(b, p + 1, len, java.nio.charset.StandardCharsets.ISO_8859_1));
                p += 1 + len;
            }
        }

        ResourceRecord record() throws Bad {
            DnsName name = name();
            int type = u16(), rclass = u16();
            long ttl = u32();
            int rdlen = u16();
            need(rdlen, "record data");
            int rdEnd = pos + rdlen, rdStart = pos;
            Rdata data = switch (type) {
                case DnsType.A -> rdlen == 4 ? new Rdata.A(bytes(4)) : bad("A record data is " + rdlen + " bytes, not 4", rdStart);
                case DnsType.AAAA -> rdlen == 16 ? new Rdata.Aaaa(bytes(16)) : bad("AAAA record data is " + rdlen + " bytes, not 16", rdStart);
                case DnsType.CNAME, DnsType.NS, DnsType.PTR -> new Rdata.Name(name());
                case DnsType.MX -> new Rdata.Mx(u16(), name());
                case DnsType.SOA -> new Rdata.Soa(name(), name(), u32(), u32(), u32(), u32(), u32());
                case DnsType.TXT -> txt(rdEnd);
                default -> new Rdata.Raw(bytes(rdlen));
            };
            if (pos != rdEnd) throw new Bad(MalformedKind.BAD_HEADER, "record data length " + rdlen + " does not match its contents", rdStart - start);
            return new ResourceRecord(name, type, rclass, ttl, data);
        }

        private Rdata txt(int rdEnd) throws Bad {
            List<String> strings = new ArrayList<>();
            if (pos == rdEnd) throw new Bad(MalformedKind.BAD_HEADER, "TXT record without a string", pos - start);
            while (pos < rdEnd) {
                int n = u8();
                if (pos + n > rdEnd) throw new Bad(MalformedKind.BAD_HEADER, "TXT string runs past its record", pos - start);
                strings.add(new String(b, pos, n, java.nio.charset.StandardCharsets.ISO_8859_1));
                pos += n;
            }
            return new Rdata.Txt(strings);
        }

        private byte[] bytes(int n) throws Bad {
            need(n, "record data");
            byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }

        private <T> T bad(String reason, int at) throws Bad { throw new Bad(MalformedKind.BAD_HEADER, reason, at - start); }
    }

    /** Writes the message with compression; the result may be of any length (see {@link #encode(DnsMessage, int)}). */
    public static byte[] encode(DnsMessage m) {
        Writer w = new Writer();
        w.u16(m.id());
        w.u16(m.flags());
        w.u16(m.questions().size());
        w.u16(m.answers().size());
        w.u16(m.authorities().size());
        w.u16(m.additionals().size());
        for (DnsMessage.Question q : m.questions()) {
            w.name(q.name());
            w.u16(q.type());
            w.u16(q.qclass());
        }
        for (ResourceRecord r : m.answers()) w.record(r);
        for (ResourceRecord r : m.authorities()) w.record(r);
        for (ResourceRecord r : m.additionals()) w.record(r);
        return w.toArray();
    }

    /**
     * Writes the message for a transport that carries at most {@code maxSize} bytes. If it does
     * not fit, the records are left out, the OPT record kept, and TC set (RFC 1035 4.2.1, RFC 2181
     * 9): the client then asks again over TCP.
     */
    public static byte[] encode(DnsMessage m, int maxSize) {
        byte[] full = encode(m);
        if (full.length <= maxSize) return full;
        List<ResourceRecord> opt = m.additionals().stream().filter(r -> r.type() == DnsType.OPT).toList();
        return encode(new DnsMessage(m.id(), m.flags() | DnsMessage.TC, m.questions(), List.of(), List.of(), opt));
    }

    private static final class Writer {
        byte[] b = new byte[512];
        int pos;
        final Map<String, Integer> names = new HashMap<>();

        void ensure(int n) { if (pos + n > b.length) b = java.util.Arrays.copyOf(b, Math.max(b.length * 2, pos + n)); }
        void u8(int v) { ensure(1); b[pos++] = (byte) v; }
        void u16(int v) { ensure(2); b[pos++] = (byte) (v >>> 8); b[pos++] = (byte) v; }
        void u32(long v) { u16((int) (v >>> 16) & 0xffff); u16((int) v & 0xffff); }

        void name(DnsName n) {
            List<String> labels = n.labels();
            for (int i = 0; i < labels.size(); i++) {
                String suffix = suffixKey(labels, i);
                Integer at = names.get(suffix);
                if (at != null) {
                    u16(0xc000 | at);
                    return;
                }
                if (pos < 0x4000) names.put(suffix, pos);
                String l = labels.get(i);
                u8(l.length());
                ensure(l.length());
                for (int k = 0; k < l.length(); k++) b[pos++] = (byte) l.charAt(k);
            }
            u8(0);
        }

        private static String suffixKey(List<String> labels, int from) {
            StringBuilder sb = new StringBuilder();
            for (int i = from; i < labels.size(); i++) sb.append(labels.get(i).toLowerCase(java.util.Locale.ROOT)).append('.');
            return sb.toString();
        }

        void record(ResourceRecord r) {
            name(r.name());
            u16(r.type());
            u16(r.rclass());
            u32(r.ttl());
            int lenAt = pos;
            u16(0);
            switch (r.data()) {
                case Rdata.A a -> bytes(a.address());
                case Rdata.Aaaa a -> bytes(a.address());
                case Rdata.Name n -> name(n.target());
                case Rdata.Mx mx -> { u16(mx.preference()); name(mx.exchange()); }
                case Rdata.Soa s -> {
                    name(s.mname());
                    name(s.rname());
                    u32(s.serial()); u32(s.refresh()); u32(s.retry()); u32(s.expire()); u32(s.minimum());
                }
                case Rdata.Txt t -> {
                    for (String s : t.strings()) {
                        u8(s.length());
                        ensure(s.length());
                        for (int k = 0; k < s.length(); k++) b[pos++] = (byte) s.charAt(k);
                    }
                }
                case Rdata.Raw raw -> bytes(raw.bytes());
            }
            int len = pos - lenAt - 2;
            b[lenAt] = (byte) (len >>> 8);
            b[lenAt + 1] = (byte) len;
        }

        void bytes(byte[] v) { ensure(v.length); System.arraycopy(v, 0, b, pos, v.length); pos += v.length; }

        byte[] toArray() { return java.util.Arrays.copyOf(b, pos); }
    }
}
