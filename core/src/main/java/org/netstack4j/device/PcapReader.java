package org.netstack4j.device;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.netstack4j.wire.LinkType;

/**
 * Reads classic libpcap files (both byte orders, microsecond and nanosecond magic; see
 * {@link PcapWriter} for the layout). A file that is not pcap, is pcapng, or is cut short
 * gives a {@link PcapFormatException} saying what is wrong and where, never a crash or a
 * huge allocation: a record longer than the file's snaplen (at most 16 MiB) is refused.
 */
public final class PcapReader implements Closeable {
    /** One captured frame. {@code linkType} is null when the file's link type is neither ETHERNET nor RAW_IP. */
    public record Record(long timeNs, LinkType linkType, int linkTypeCode, byte[] data, int originalLength) {
        /** True if the capture cut the frame short (snaplen). */
        public boolean truncated() { return data.length < originalLength; }
    }

    /** What is wrong with a file that is not a readable classic pcap. */
    public static final class PcapFormatException extends IOException {
        public PcapFormatException(String message) { super(message); }
    }

    private static final int MAX_RECORD = 16 << 20;
    private static final int LINKTYPE_IPV4 = 228;

    private final InputStream in;
    private final boolean bigEndian;
    private final boolean nanos;
    private final int linkTypeCode;
    private final LinkType linkType;
    private final int maxRecord;
    private long offset;
    private long count;

    /** Reads and checks the global header. */
    public PcapReader(InputStream in) throws IOException {
        this.in = in;
        byte[] h = in.readNBytes(24);
        if (h.length == 0) throw new PcapFormatException("pcap: empty file (no global header)");
        if (h.length < 4) throw new PcapFormatException("pcap: file ends inside the global header at byte " + h.length);
        int magicLe = getInt(h, 0, false);
        switch (magicLe) {
            case PcapWriter.MAGIC_MICROS -> { bigEndian = false; nanos = false; }
            case PcapWriter.MAGIC_NANOS -> { bigEndian = false; nanos = true; }
            case 0xd4c3b2a1 -> { bigEndian = true; nanos = false; }
            case 0x4d3cb2a1 -> { bigEndian = true; nanos = true; }
            case 0x0a0d0d0a -> throw new PcapFormatException(
                    "pcap: this is a pcapng file, only classic pcap is supported (convert: editcap -F pcap in.pcapng out.pcap)");
            default -> throw new PcapFormatException(String.format(
                    "pcap: not a pcap file (magic 0x%08x, want 0xa1b2c3d4 or 0xa1b23c4d)", magicLe));
        }
        if (h.length < 24)
            throw new PcapFormatException("pcap: file ends inside the global header at byte " + h.length
                    + " (" + h.length + " of 24 bytes present)");
        offset = 24;
        int major = getShort(h, 4), minor = getShort(h, 6);
        if (major != 2) throw new PcapFormatException("pcap: unsupported version " + major + "." + minor + " (want 2.4)");
        int snaplen = getInt(h, 16, bigEndian);
        this.maxRecord = (snaplen <= 0 || snaplen > MAX_RECORD) ? MAX_RECORD : Math.max(snaplen, PcapWriter.SNAPLEN);
        // The top bits of the network field may carry an FCS length (pcap-savefile(5)); the type is the low 28 bits.
        this.linkTypeCode = getInt(h, 20, bigEndian) & 0x0fffffff;
        this.linkType = switch (linkTypeCode) {
            case 1 -> LinkType.ETHERNET;
            case 101, LINKTYPE_IPV4 -> LinkType.RAW_IP;
            default -> null;
        };
    }

    public static PcapReader open(Path file) throws IOException {
        InputStream is = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            return new PcapReader(is);
        } catch (IOException e) {
            is.close();
            throw e;
        }
    }

    /** Every record of a file. */
    public static List<Record> readAll(Path file) throws IOException {
        try (PcapReader r = open(file)) {
            List<Record> out = new ArrayList<>();
            for (Record rec; (rec = r.next()) != null; ) out.add(rec);
            return out;
        }
    }

    /** The link type of the file, or null if it is neither ETHERNET nor RAW_IP (see {@link #linkTypeCode}). */
    public LinkType linkType() { return linkType; }

    /** The LINKTYPE_ number from the file header. */
    public int linkTypeCode() { return linkTypeCode; }

    public boolean nanosecondResolution() { return nanos; }

    /** The next record, or null at the end of the file. */
    public Record next() throws IOException {
        long at = offset;
        byte[] h = readFully(16, "header of record " + (count + 1), true);
        if (h == null) return null;
        long sec = getInt(h, 0, bigEndian) & 0xffffffffL;
        long frac = getInt(h, 4, bigEndian) & 0xffffffffL;
        long incl = getInt(h, 8, bigEndian) & 0xffffffffL;
        long orig = getInt(h, 12, bigEndian) & 0xffffffffL;
        if (incl > maxRecord)
            throw new PcapFormatException("pcap: record " + (count + 1) + " at byte " + at + " claims " + incl
                    + " bytes, more than the maximum " + maxRecord + " (corrupt file?)");
        byte[] data = readFully((int) incl, "data of record " + (count + 1) + " (" + incl + " bytes)", false);
        count++;
        long timeNs = sec * 1_000_000_000L + (nanos ? frac : frac * 1_000L);
        int original = (int) Math.min(Math.max(orig, incl), Integer.MAX_VALUE);
        return new Record(timeNs, linkType, linkTypeCode, data, original);
    }

    @Override public void close() throws IOException { in.close(); }

    /** Reads n bytes; null if the stream ends before the first byte and {@code eofOk}. */
    private byte[] readFully(int n, String what, boolean eofOk) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length == 0 && eofOk && n > 0) return null;
        if (b.length < n)
            throw new PcapFormatException("pcap: file ends inside the " + what + " at byte " + (offset + b.length)
                    + " (" + b.length + " of " + n + " bytes present)");
        offset += n;
        return b;
    }

    private int getShort(byte[] b, int off) {
        return bigEndian ? (b[off] & 0xff) << 8 | (b[off + 1] & 0xff) : (b[off + 1] & 0xff) << 8 | (b[off] & 0xff);
    }

    private static int getInt(byte[] b, int off, boolean be) {
        if (be) return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
        return (b[off + 3] & 0xff) << 24 | (b[off + 2] & 0xff) << 16 | (b[off + 1] & 0xff) << 8 | (b[off] & 0xff);
    }
}
