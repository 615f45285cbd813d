package org.netstack4j.filter;

/** What a rule (or a chain's policy) does with a packet. */
public sealed interface Verdict {
    record Accept() implements Verdict {
        @Override public String toString() { return "accept"; }
    }

    record Drop() implements Verdict {
        @Override public String toString() { return "drop"; }
    }

    /** Drop and answer: a TCP RST or an ICMP destination unreachable ({@link Reject} builds it). */
    record Reject(RejectWith with) implements Verdict {
        public Reject { java.util.Objects.requireNonNull(with, "with"); }
        @Override public String toString() { return "reject with " + with; }
    }

    Verdict ACCEPT = new Accept();
    Verdict DROP = new Drop();

    /** The answer a reject sends: a TCP reset or an ICMP destination unreachable code (RFC 792, RFC 1812 5.2.7.1). */
    enum RejectWith {
        TCP_RESET("tcp-reset", -1),
        NET_UNREACHABLE("net-unreachable", 0),
        HOST_UNREACHABLE("host-unreachable", 1),
        PROTOCOL_UNREACHABLE("proto-unreachable", 2),
        PORT_UNREACHABLE("port-unreachable", 3),
        NET_PROHIBITED("net-prohibited", 9),
        HOST_PROHIBITED("host-prohibited", 10),
        ADMIN_PROHIBITED("admin-prohibited", 13);

        private final String word;
        private final int icmpCode;

        RejectWith(String word, int icmpCode) {
            this.word = word;
            this.icmpCode = icmpCode;
        }

        /** The word in the rule text ("port-unreachable"). */
        public String word() { return word; }
        /** The ICMP code, or -1 for a TCP reset. */
        public int icmpCode() { return icmpCode; }

        static java.util.Optional<RejectWith> ofWord(String w) {
            for (RejectWith r : values()) if (r.word.equals(w)) return java.util.Optional.of(r);
            return java.util.Optional.empty();
        }

        @Override public String toString() { return this == TCP_RESET ? word : "icmp " + word; }
    }
}
