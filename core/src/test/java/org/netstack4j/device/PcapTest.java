package org.netstack4j.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.netstack4j.time.Time;
import org.netstack4j.wire.LinkType;

class PcapTest {
    @TempDir Path dir;

    private static final long T1 = Time.s(1) + 1;               // 1.000000001 s: needs nanosecond resolution
    private static final long T2 = Time.s(3600) + Time.us(250);  // an hour in

    private Path writeSample(LinkType type) throws IOException {
        Path file = dir.resolve("sample-" + type + ".pcap");
        try (PcapWriter w = PcapWriter.open(file, type)) {
            int off = type == LinkType.ETHERNET ? 0 : 0;
            byte[] a = type == LinkType.ETHERNET ? TestFrames.ethernetUdp(100, 1) : TestFrames.ipv4Udp(100, 1);
            byte[] b = type == LinkType.ETHERNET ? TestFrames.ethernetUdp(1472, 2) : TestFrames.ipv4Udp(1472, 2);
            w.write(T1, a, off, a.length);
            w.write(T2, b);
            assertEquals(2, w.records());
        }
        return file;
    }

    @Test void writtenFileReadsBackExactly() throws IOException {
        Path file = writeSample(LinkType.ETHERNET);
        byte[] raw = Files.readAllBytes(file);
        assertEquals(24 + 16 + 142 + 16 + 1514, raw.length);
        assertEquals(0x4d, raw[0] & 0xff); // little-endian nanosecond magic 0xa1b23c4d
        try (PcapReader r = PcapReader.open(file)) {
            assertEquals(LinkType.ETHERNET, r.linkType());
            assertEquals(1, r.linkTypeCode());
            assertTrue(r.nanosecondResolution());
            PcapReader.Record first = r.next();
            assertEquals(T1, first.timeNs());
            assertEquals(LinkType.ETHERNET, first.linkType());
            assertArrayEquals(TestFrames.ethernetUdp(100, 1), first.data());
            assertFalse(first.truncated());
            PcapReader.Record second = r.next();
            assertEquals(T2, second.timeNs());
            assertArrayEquals(TestFrames.ethernetUdp(1472, 2), second.data());
            assertNull(r.next());
            assertNull(r.next());
        }
    }

    @Test void microsecondFilesRoundTimesDown() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PcapWriter w = new PcapWriter(bytes, LinkType.RAW_IP, false)) {
            w.write(Time.s(2) + 1_999, TestFrames.ipv4Udp(0, 7));
        }
        PcapReader r = new PcapReader(new ByteArrayInputStream(bytes.toByteArray()));
        assertFalse(r.nanosecondResolution());
        assertEquals(LinkType.RAW_IP, r.linkType());
        assertEquals(Time.s(2) + 1_000, r.next().timeNs());
    }

    @Test void timeOffsetIsAdded() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PcapWriter w = new PcapWriter(bytes, LinkType.RAW_IP);
        w.setTimeOffset(Time.s(1_700_000_000L));
        w.write(-Time.ms(1), TestFrames.ipv4Udp(0, 7)); // System.nanoTime may be negative
        assertEquals(Time.s(1_700_000_000L) - Time.ms(1),
                new PcapReader(new ByteArrayInputStream(bytes.toByteArray())).next().timeNs());
    }

    @Test void readsBigEndianMicrosecondFiles() throws IOException {
        // As written by a big-endian host: magic a1 b2 c3 d4, version 2.4, snaplen 65535, RAW.
        byte[] data = TestFrames.ipv4Udp(4, 9);
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(hex("a1b2c3d4 0002 0004 00000000 00000000 0000ffff 00000065"));
        f.writeBytes(hex("00000005 0007a120 00000020 00000020")); // 5.5 s, 32 bytes
        f.writeBytes(data);
        PcapReader r = new PcapReader(new ByteArrayInputStream(f.toByteArray()));
        assertEquals(LinkType.RAW_IP, r.linkType());
        PcapReader.Record rec = r.next();
        assertEquals(Time.ms(5500), rec.timeNs());
        assertArrayEquals(data, rec.data());
        assertNull(r.next());
    }

    @Test void unknownLinkTypesAreReadWithTheirCode() throws IOException {
        byte[] file = hex("d4c3b2a1 0200 0400 00000000 00000000 00000400 71000000"); // LINKTYPE_LINUX_SLL (113)
        PcapReader r = new PcapReader(new ByteArrayInputStream(file));
        assertNull(r.linkType());
        assertEquals(113, r.linkTypeCode());
        assertNull(r.next());
    }

    @Test void malformedFilesGiveClearErrors() throws IOException {
        byte[] good = Files.readAllBytes(writeSample(LinkType.RAW_IP));
        assertError(new byte[0], "empty file");
        assertError(Arrays.copyOf(good, 10), "file ends inside the global header at byte 10");
        assertError(hex("0a0d0d0a 1c000000 4d3c2b1a"), "pcapng");
        assertError("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(), "not a pcap file (magic 0x20544547");
        byte[] badVersion = good.clone();
        badVersion[4] = 9;
        assertError(badVersion, "unsupported version 9.4");
        assertError(Arrays.copyOf(good, 24 + 7), "file ends inside the header of record 1 at byte 31");
        assertError(Arrays.copyOf(good, 24 + 16 + 50), "file ends inside the data of record 1 (128 bytes) at byte 90");
        byte[] huge = good.clone();
        huge[24 + 8 + 3] = 0x7f; // incl_len 0x7f000080
        assertError(huge, "record 1 at byte 24 claims 2130706560 bytes");
    }

    private static void assertError(byte[] file, String expected) {
        PcapReader.PcapFormatException e = assertThrows(PcapReader.PcapFormatException.class, () -> {
            try (PcapReader r = new PcapReader(new ByteArrayInputStream(file))) {
                while (r.next() != null) { }
            }
        });
        assertTrue(e.getMessage().contains(expected), () -> "message was: " + e.getMessage());
    }

    @Test void tapRecordsBothDirectionsWithTheTimesPassedIn() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PcapWriter w = new PcapWriter(bytes, LinkType.RAW_IP);
        LoopbackDevice lo = new LoopbackDevice(Medium.IP, 1500);
        PcapTap tap = new PcapTap(lo, w);
        List<byte[]> got = new ArrayList<>();
        tap.attach((now, f) -> got.add(f));
        tap.transmit(Time.ms(1), TestFrames.ipv4Udp(3, 1));
        assertEquals(Time.ms(1), tap.pollAt());
        tap.poll(Time.ms(2));
        assertEquals(1, got.size());
        PcapReader r = new PcapReader(new ByteArrayInputStream(bytes.toByteArray()));
        PcapReader.Record out = r.next(), in = r.next();
        assertEquals(Time.ms(1), out.timeNs());
        assertEquals(Time.ms(2), in.timeNs());
        assertArrayEquals(out.data(), in.data());
        assertNull(r.next());
        assertThrows(IllegalArgumentException.class,
                () -> new PcapTap(new LoopbackDevice(Medium.ETHERNET, 1500), w));
    }

    @Test void tapOpensAFileWithTheDevicesLinkType() throws IOException {
        Path file = dir.resolve("tap.pcap");
        PcapTap tap = PcapTap.open(new LoopbackDevice(Medium.ETHERNET, 1500), file);
        tap.transmit(5, TestFrames.ethernetUdp(0, 1));
        tap.writer().close();
        List<PcapReader.Record> recs = PcapReader.readAll(file);
        assertEquals(1, recs.size());
        assertEquals(LinkType.ETHERNET, recs.get(0).linkType());
        assertEquals(5, recs.get(0).timeNs());
    }

    @Test void tsharkReadsTheFileCleanly() throws Exception {
        Assumptions.assumeTrue(onPath("tshark"), "tshark not installed (apt-get install -y tshark): skipping the external check");
        for (LinkType type : LinkType.values()) {
            Path file = writeSample(type);
            Process p = new ProcessBuilder("tshark", "-n", "-r", file.toString(), "-T", "fields",
                    "-e", "frame.time_epoch", "-e", "frame.len", "-e", "udp.dstport")
                    .redirectErrorStream(false).start();
            String out = new String(p.getInputStream().readAllBytes());
            String err = new String(p.getErrorStream().readAllBytes());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), err);
            String errWithoutRootWarning = err.lines().filter(l -> !l.contains("could be dangerous")).reduce("", String::concat);
            assertEquals("", errWithoutRootWarning, "tshark complained");
            List<String> lines = out.lines().toList();
            int l2 = type == LinkType.ETHERNET ? 14 : 0;
            assertEquals(List.of("1.000000001\t" + (128 + l2) + "\t2000", "3600.000250000\t" + (1500 + l2) + "\t2000"),
                    lines, "tshark fields for " + type);
        }
    }

    private static boolean onPath(String exe) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            if (Files.isExecutable(Path.of(d, exe))) return true;
        return false;
    }

    static byte[] hex(String s) {
        String h = s.replace(" ", "");
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        return b;
    }
}
