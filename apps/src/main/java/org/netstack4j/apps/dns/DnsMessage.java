package org.netstack4j.apps.dns;

import java.util.ArrayList;
import java.util.List;

/**
 * A DNS message (RFC 1035 4.1): the header, then the question, answer, authority and additional
 * sections.
 *
 * <pre>
 *   0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * |                      ID                       |
 * |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
 * |                    QDCOUNT                    |
 * |                    ANCOUNT                    |
 * |                    NSCOUNT                    |
 * |                    ARCOUNT                    |
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * </pre>
 *
 * {@link DnsCodec} reads and writes it; untrusted bytes give a {@code Malformed}, never an exception.
 */
public record DnsMessage(int id, int flags, List<Question> questions, List<ResourceRecord> answers,
                         List<ResourceRecord> authorities, List<ResourceRecord> additionals) {
    public static final int QR = 0x8000, AA = 0x0400, TC = 0x0200, RD = 0x0100, RA = 0x0080, AD = 0x0020, CD = 0x0010;

    public DnsMessage {
        if (id < 0 || id > 0xffff) throw new IllegalArgumentException("id is 16 bits: " + id);
        questions = List.copyOf(questions);
        answers = List.copyOf(answers);
        authorities = List.copyOf(authorities);
        additionals = List.copyOf(additionals);
    }

    /** A question (RFC 1035 4.1.2). */
    public record Question(DnsName name, int type, int qclass) {
        @Override public String toString() { return name + " " + DnsType.className(qclass) + " " + DnsType.name(type); }
    }

    /** A standard recursive-desired query, with an EDNS(0) OPT record advertising {@code udpSize} (0: none). */
    public static DnsMessage query(int id, DnsName name, int type, int udpSize) {
        List<ResourceRecord> add = udpSize > 0 ? List.of(ResourceRecord.opt(udpSize)) : List.of();
        return new DnsMessage(id, RD, List.of(new Question(name, type, DnsType.IN)), List.of(), List.of(), add);
    }

    public boolean isResponse() { return (flags & QR) != 0; }
    public int opcode() { return (flags >>> 11) & 0xf; }
    public boolean authoritative() { return (flags & AA) != 0; }
    public boolean truncated() { return (flags & TC) != 0; }
    public boolean recursionDesired() { return (flags & RD) != 0; }
    public int rcode() { return flags & 0xf; }

    /** The UDP payload size the sender's OPT record advertises (RFC 6891 6.2.3), or 0 without one. */
    public int ednsUdpSize() {
        for (ResourceRecord r : additionals) if (r.type() == DnsType.OPT) return Math.max(512, r.rclass());
        return 0;
    }

    public DnsMessage withFlags(int newFlags) { return new DnsMessage(id, newFlags, questions, answers, authorities, additionals); }

    /** The same message with the given sections replaced. */
    public DnsMessage withSections(List<ResourceRecord> an, List<ResourceRecord> ns, List<ResourceRecord> ar) {
        return new DnsMessage(id, flags, questions, an, ns, ar);
    }

    /** A dig-like rendering. */
    @Override public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(";; ->>HEADER<<- opcode: ").append(opcode() == 0 ? "QUERY" : String.valueOf(opcode()))
          .append(", status: ").append(DnsType.rcodeName(rcode())).append(", id: ").append(id).append('\n');
        List<String> f = new ArrayList<>();
        if (isResponse()) f.add("qr");
        if (authoritative()) f.add("aa");
        if (truncated()) f.add("tc");
        if (recursionDesired()) f.add("rd");
        if ((flags & RA) != 0) f.add("ra");
        sb.append(";; flags: ").append(String.join(" ", f)).append("; QUERY: ").append(questions.size())
          .append(", ANSWER: ").append(answers.size()).append(", AUTHORITY: ").append(authorities.size())
          .append(", ADDITIONAL: ").append(additionals.size()).append('\n');
        sb.append("\n;; QUESTION SECTION:\n");
        for (Question q : questions) sb.append(';').append(q).append('\n');
        section(sb, "ANSWER", answers);
        section(sb, "AUTHORITY", authorities);
        section(sb, "ADDITIONAL", additionals);
        return sb.toString();
    }

    private static void section(StringBuilder sb, String title, List<ResourceRecord> rrs) {
        if (rrs.isEmpty()) return;
        sb.append("\n;; ").append(title).append(" SECTION:\n");
        for (ResourceRecord r : rrs) sb.append(r).append('\n');
    }
}
