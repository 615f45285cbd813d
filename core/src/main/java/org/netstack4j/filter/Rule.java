package org.netstack4j.filter;

import java.util.Objects;

/** One rule: if the match holds, the verdict applies. {@code line} is where the text had it (0 if built in code). */
public record Rule(Verdict verdict, Match match, int line) {
    public Rule {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(match, "match");
    }

    /** The rule in the rule language. */
    @Override public String toString() {
        String m = match.toString();
        return m.isEmpty() ? verdict.toString() : verdict + " " + m;
    }
}
