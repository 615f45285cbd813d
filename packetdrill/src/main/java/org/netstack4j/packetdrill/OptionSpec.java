package org.netstack4j.packetdrill;

import java.util.List;

/** One TCP option in a script packet line ({@code <mss 1460,nop,wscale 7,sackOK,TS val 1 ecr 0>}). */
public sealed interface OptionSpec {
    record Nop() implements OptionSpec { @Override public String toString() { return "nop"; } }
    record Eol() implements OptionSpec { @Override public String toString() { return "eol"; } }
    record Mss(int mss) implements OptionSpec { @Override public String toString() { return "mss " + mss; } }
    record WScale(int shift) implements OptionSpec { @Override public String toString() { return "wscale " + shift; } }
    record SackOk() implements OptionSpec { @Override public String toString() { return "sackOK"; } }
    /** Blocks as written, [left, right) in script sequence space. */
    record Sack(List<long[]> blocks) implements OptionSpec {
        @Override public String toString() {
            StringBuilder b = new StringBuilder("sack");
            for (long[] bl : blocks) b.append(' ').append(bl[0]).append(':').append(bl[1]);
            return b.toString();
        }
    }
    /** val -1 for nplab's {@code val ...} (any); ecrAbsolute for {@code ecr E!} (no mapping). */
    record Ts(long val, long ecr, boolean ecrAbsolute) implements OptionSpec {
        public Ts(long val, long ecr) { this(val, ecr, false); }
        @Override public String toString() {
            return "TS val " + (val < 0 ? "..." : Long.toString(val)) + " ecr " + ecr + (ecrAbsolute ? "!" : "");
        }
    }
}
