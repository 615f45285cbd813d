package org.netstack4j.device;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.netstack4j.wire.Dissection;
import org.netstack4j.wire.Dissector;

/**
 * Jazzer target: the classic pcap reader and the dissector after it, as {@code decode} uses
 * them. A bad file ends in a {@link PcapReader.PcapFormatException}, never another exception;
 * every record is no longer than the input that carried it.
 */
class PcapReaderFuzzer {
    @FuzzTest(maxDuration = "10s")
    void pcap(byte[] data) {
        try (PcapReader r = new PcapReader(new ByteArrayInputStream(data))) {
            long bytes = 24;
            for (PcapReader.Record rec; (rec = r.next()) != null; ) {
                bytes += 16 + rec.data().length;
                assertTrue(bytes <= data.length, "records hold more bytes than the file");
                assertTrue(rec.originalLength() >= rec.data().length, "original length below the captured length");
                if (rec.linkType() != null) {
                    Dissection d = Dissector.dissect(rec.data(), 0, rec.data().length, rec.linkType());
                    assertFalse(d.internalError(), () -> "dissector internal error: " + d.error());
                }
            }
        } catch (PcapReader.PcapFormatException expected) {
            // the documented refusal
        } catch (IOException e) {
            throw new AssertionError("a byte array cannot fail to read: " + e, e);
        }
    }
}
