package org.netstack4j.device;

import org.netstack4j.wire.Checksum;

/**
 * What a congested router with an ECN-aware queue (RFC 3168 5, AQM per RFC 7567) does instead of
 * dropping: it sets the ECN field of an ECN-capable packet (ECT(0) or ECT(1)) to CE, "congestion
 * experienced". Not-ECT packets cannot be marked (the router would drop them). For IPv4 the header
 * checksum is updated (RFC 1624); IPv6 has none. Used by the simulated link and by the fault
 * injector in front of a real device.
 */
public final class EcnMarking {
    private EcnMarking() {}

    private static final int ETHERNET_HEADER = 14;

    /** Offset of the IP header in {@code frame}, or -1 when the frame holds no IP packet. */
    private static int ipOffset(byte[] frame, Medium medium) {
        int off = 0;
        if (medium == Medium.ETHERNET) {
            if (frame.length < ETHERNET_HEADER) return -1;
            int type = (frame[12] & 0xff) << 8 | (frame[13] & 0xff);
            if (type != 0x0800 && type != 0x86dd) return -1;
            off = ETHERNET_HEADER;
        }
        return frame.length > off ? off : -1;
    }

    /** The ECN field of the frame's IP packet (0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE), -1 when not IP. */
    public static int ecn(byte[] frame, Medium medium) {
        int off = ipOffset(frame, medium);
        if (off < 0) return -1;
        int version = (frame[off] & 0xff) >>> 4;
        if (version == 4 && frame.length >= off + 20) return frame[off + 1] & 3;
        if (version == 6 && frame.length >= off + 40) return (frame[off + 1] >>> 4) & 3;
        return -1;
    }

    /**
     * Marks the frame's packet CE in place if it is ECN-capable; returns whether it did. A packet
     * already CE, Not-ECT or not IP is left as it is.
     */
    public static boolean markCe(byte[] frame, Medium medium) {
        int e = ecn(frame, medium);
        if (e != 1 && e != 2) return false;
        int off = ipOffset(frame, medium);
        if ((frame[off] & 0xff) >>> 4 == 4) {
            int oldWord = (frame[off] & 0xff) << 8 | (frame[off + 1] & 0xff);
            frame[off + 1] |= 3;
            int newWord = (frame[off] & 0xff) << 8 | (frame[off + 1] & 0xff);
            int oldSum = (frame[off + 10] & 0xff) << 8 | (frame[off + 11] & 0xff);
            int sum = Checksum.update(oldSum, oldWord, newWord);
            frame[off + 10] = (byte) (sum >>> 8);
            frame[off + 11] = (byte) sum;
        } else {
            frame[off + 1] |= 0x30; // the traffic class's low two bits are bits 4-5 of the second byte
        }
        return true;
    }
}
