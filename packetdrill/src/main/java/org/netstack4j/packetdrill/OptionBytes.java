package org.netstack4j.packetdrill;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.netstack4j.wire.TcpOption;

/**
 * TCP options as the bytes packetdrill compares (NOTES.md 2, item 3): the exact ordered
 * layout, NOP and EOL included, padded with zeros to a multiple of 4, with the TS val field
 * zeroed (it is checked separately, if at all).
 */
final class OptionBytes {
    private OptionBytes() {}

    static byte[] ofScript(List<OptionSpec> opts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (OptionSpec o : opts) {
            switch (o) {
                case OptionSpec.Nop n -> b.write(TcpOption.KIND_NOP);
                case OptionSpec.Eol e -> b.write(TcpOption.KIND_EOL);
                case OptionSpec.Mss m -> { b.write(TcpOption.KIND_MSS); b.write(4); u16(b, m.mss()); }
                case OptionSpec.WScale w -> { b.write(TcpOption.KIND_WSCALE); b.write(3); b.write(w.shift()); }
                case OptionSpec.SackOk s -> { b.write(TcpOption.KIND_SACK_PERMITTED); b.write(2); }
                case OptionSpec.Sack s -> {
                    b.write(TcpOption.KIND_SACK);
                    b.write(2 + 8 * s.blocks().size());
                    for (long[] bl : s.blocks()) { u32(b, bl[0]); u32(b, bl[1]); }
                }
                case OptionSpec.Ts t -> { b.write(TcpOption.KIND_TIMESTAMPS); b.write(10); u32(b, 0); u32(b, t.ecr()); }
                case OptionSpec.AccEcn a -> { b.write(a.kind()); b.write(2 + 3 * a.values().size()); b.writeBytes(a.data()); }
                case OptionSpec.FastOpen f -> { byte[] d = f.data(); b.write(f.kind()); b.write(2 + d.length); b.writeBytes(d); }
                case OptionSpec.Md5 m -> { b.write(19); b.write(18); b.writeBytes(new byte[16]); } // the digest is checked apart
            }
        }
        return pad(b);
    }

    static byte[] ofLive(List<TcpOption> opts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (TcpOption o : opts) {
            switch (o) {
                case TcpOption.Nop n -> b.write(TcpOption.KIND_NOP);
                case TcpOption.EndOfList e -> b.write(TcpOption.KIND_EOL);
                case TcpOption.Mss m -> { b.write(TcpOption.KIND_MSS); b.write(4); u16(b, m.mss()); }
                case TcpOption.WindowScale w -> { b.write(TcpOption.KIND_WSCALE); b.write(3); b.write(w.shift()); }
                case TcpOption.SackPermitted s -> { b.write(TcpOption.KIND_SACK_PERMITTED); b.write(2); }
                case TcpOption.Sack s -> {
                    b.write(TcpOption.KIND_SACK);
                    b.write(2 + 8 * s.blocks().size());
                    for (TcpOption.SackBlock bl : s.blocks()) { u32(b, bl.left()); u32(b, bl.right()); }
                }
                case TcpOption.Timestamps t -> { b.write(TcpOption.KIND_TIMESTAMPS); b.write(10); u32(b, 0); u32(b, t.tsEcr()); }
                case TcpOption.Unknown u when u.kind() == 19 && u.data().length == 16 -> { b.write(19); b.write(18); b.writeBytes(new byte[16]); }
                case TcpOption.Unknown u -> { b.write(u.kind()); b.write(2 + u.data().length); b.writeBytes(u.data()); }
            }
        }
        return pad(b);
    }

    /** Script notation of live options (SACK blocks and TS raw). */
    static String render(List<TcpOption> opts) {
        StringBuilder b = new StringBuilder();
        for (TcpOption o : opts) {
            if (!b.isEmpty()) b.append(',');
            switch (o) {
                case TcpOption.Nop n -> b.append("nop");
                case TcpOption.EndOfList e -> b.append("eol");
                case TcpOption.Mss m -> b.append("mss ").append(m.mss());
                case TcpOption.WindowScale w -> b.append("wscale ").append(w.shift());
                case TcpOption.SackPermitted s -> b.append("sackOK");
                case TcpOption.Sack s -> {
                    b.append("sack");
                    for (TcpOption.SackBlock bl : s.blocks())
                        b.append(' ').append(bl.left() & 0xffffffffL).append(':').append(bl.right() & 0xffffffffL);
                }
                case TcpOption.Timestamps t -> b.append("TS val ").append(t.tsVal() & 0xffffffffL).append(" ecr ")
                    .append(t.tsEcr() & 0xffffffffL);
                case TcpOption.Unknown u when (u.kind() == 172 || u.kind() == 174) && u.data().length % 3 == 0
                        && u.data().length <= 9 -> {
                    // the AccECN option as Linux's selftests write it: "ECN e1b 1 ceb 0 e0b 1"
                    String[] names = u.kind() == 172 ? new String[] {"e0b", "ceb", "e1b"} : new String[] {"e1b", "ceb", "e0b"};
                    b.append("ECN");
                    for (int i = 0; i < u.data().length / 3; i++)
                        b.append(' ').append(names[i]).append(' ').append((u.data()[3 * i] & 0xff) << 16
                            | (u.data()[3 * i + 1] & 0xff) << 8 | u.data()[3 * i + 2] & 0xff);
                }
                case TcpOption.Unknown u when u.kind() == 19 && u.data().length == 16 -> b.append("md5");
                case TcpOption.Unknown u when u.kind() == 34 ->
                    b.append("FO").append(u.data().length == 0 ? "" : " " + java.util.HexFormat.of().formatHex(u.data()));
                case TcpOption.Unknown u when u.kind() == 254 && u.data().length >= 2 && (u.data()[0] & 0xff) == 0xF9 && (u.data()[1] & 0xff) == 0x89 ->
                    b.append("FOEXP").append(u.data().length == 2 ? "" : " " + java.util.HexFormat.of().formatHex(u.data(), 2, u.data().length));
                case TcpOption.Unknown u -> b.append("kind ").append(u.kind());
            }
        }
        return b.toString();
    }

    private static byte[] pad(ByteArrayOutputStream b) {
        while (b.size() % 4 != 0) b.write(0);
        return b.toByteArray();
    }

    private static void u16(ByteArrayOutputStream b, int v) { b.write(v >>> 8); b.write(v); }

    private static void u32(ByteArrayOutputStream b, long v) {
        b.write((int) (v >>> 24)); b.write((int) (v >>> 16)); b.write((int) (v >>> 8)); b.write((int) v);
    }
}
