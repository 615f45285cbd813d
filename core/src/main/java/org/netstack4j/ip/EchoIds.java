package org.netstack4j.ip;

/**
 * The identifiers of the last {@link #SIZE} echo requests we sent (one family's ping), so an
 * ICMP error quoting an echo request is believed only when it names an identifier of ours (RFC
 * 5927 4: check what the quoted header allows; Linux ping_err finds the ping socket by it).
 * Bounded: older identifiers are forgotten.
 */
final class EchoIds {
    static final int SIZE = 16;

    private final int[] ids = new int[SIZE];
    private int count, next;

    void sent(int id) {
        ids[next] = id & 0xffff;
        next = (next + 1) % SIZE;
        if (count < SIZE) count++;
    }

    boolean contains(int id) {
        for (int i = 0; i < count; i++) if (ids[i] == id) return true;
        return false;
    }
}
