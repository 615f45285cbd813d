package org.netstack4j.device;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.netstack4j.wire.LinkType;

/**
 * Writes classic libpcap files (not pcapng), readable by tcpdump, tshark and Wireshark.
 *
 * <p>Layout (all fields little-endian here; readers detect the byte order from the magic):
 * <pre>
 *  global header (24 bytes): magic u32 | version 2 u16 | 4 u16 | thiszone i32 = 0
 *                            | sigfigs u32 = 0 | snaplen u32 | network (LINKTYPE_) u32
 *  per record   (16 bytes):  ts_sec u32 | ts_frac u32 | incl_len u32 | orig_len u32 | data
 * </pre>
 * The magic is 0xa1b23c4d (ts_frac in nanoseconds, the default, so virtual times are kept
 * exactly) or 0xa1b2c3d4 (microseconds). Frames longer than {@link #SNAPLEN} are truncated
 * (orig_len keeps the real length).
 *
 * <p>Times are the {@code long} nanoseconds the stack runs on plus {@link #setTimeOffset}
 * (a real-time runtime sets the offset from its own clock to the wall clock so that
 * captures show real dates; virtual time starts at the epoch). IO errors while writing a record
 * surface as {@link UncheckedIOException}, since devices cannot throw checked exceptions.
 */
public final class PcapWriter implements Closeable {
    public static final int MAGIC_MICROS = 0xa1b2c3d4;
    public static final int MAGIC_NANOS = 0xa1b23c4d;
    public static final int SNAPLEN = 262144;

    private final OutputStream out;
    private final LinkType linkType;
    private final boolean nanos;
    private final byte[] recordHeader = new byte[16];
    private long timeOffsetNs;
    private long records;

    /** Nanosecond-resolution capture; writes the global header at once (UncheckedIOException if that fails). */
    public PcapWriter(OutputStream out, LinkType linkType) { this(out, linkType, true); }

    public PcapWriter(OutputStream out, LinkType linkType, boolean nanosecondResolution) {
        this.out = out;
        this.linkType = linkType;
        this.nanos = nanosecondResolution;
        byte[] h = new byte[24];
        putInt(h, 0, nanos ? MAGIC_NANOS : MAGIC_MICROS);
        putShort(h, 4, 2);
        putShort(h, 6, 4);
        putInt(h, 8, 0);
        putInt(h, 12, 0);
        putInt(h, 16, SNAPLEN);
        putInt(h, 20, linkType.code());
        try {
            out.write(h);
        } catch (IOException e) {
            throw new UncheckedIOException("pcap: cannot write the global header", e);
        }
    }

    /** Creates (or truncates) {@code file} and writes the global header. */
    public static PcapWriter open(Path file, LinkType linkType) throws IOException {
        OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        try {
            return new PcapWriter(os, linkType);
        } catch (UncheckedIOException e) {
            os.close();
            throw e.getCause();
        }
    }

    public LinkType linkType() { return linkType; }

    /** Added to every time before it is written (ns). */
    public void setTimeOffset(long offsetNs) { this.timeOffsetNs = offsetNs; }

    /** Records written so far. */
    public long records() { return records; }

    /** Appends one record; {@code timeNs} is the stack's time (see {@link #setTimeOffset}). */
    public void write(long timeNs, byte[] frame, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, frame.length);
        long t = timeNs + timeOffsetNs;
        long sec = Math.floorDiv(t, 1_000_000_000L);
        long frac = Math.floorMod(t, 1_000_000_000L);
        if (!nanos) frac /= 1_000;
        int incl = Math.min(len, SNAPLEN);
        putInt(recordHeader, 0, (int) sec); // u32 seconds: wraps in 2106, like every pcap writer
        putInt(recordHeader, 4, (int) frac);
        putInt(recordHeader, 8, incl);
        putInt(recordHeader, 12, len);
        try {
            out.write(recordHeader);
            out.write(frame, off, incl);
        } catch (IOException e) {
            throw new UncheckedIOException("pcap: cannot write record " + (records + 1), e);
        }
        records++;
    }

    public void write(long timeNs, byte[] frame) { write(timeNs, frame, 0, frame.length); }

    public void flush() throws IOException { out.flush(); }

    @Override public void close() throws IOException { out.close(); }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    private static void putShort(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }
}
