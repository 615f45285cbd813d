package org.netstack4j.tcp;

import static org.netstack4j.time.Time.NEVER;

import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * The connections of one layer that have a timer armed, as an indexed binary min-heap keyed by
 * each connection's earliest deadline ({@link TcpConnection#pollAt()}). A connection's slot
 * lives in the connection itself ({@code timerSlot}), so a deadline change is O(log n) and
 * {@link #earliest()} is O(1); a poll pass touches only the due connections. The deadlines live
 * in a parallel array, so a connection without a timer pays only its slot field.
 *
 * <p>A poll pass reproduces exactly what a scan of all connections in creation order did: due
 * connections are run in creation order, each re-checked when its turn comes, and a connection
 * later in that order that becomes due during the pass (a deadline set to now by another
 * connection's event) is run in the same pass. Connections created during the pass wait for
 * the next one.
 */
final class TimerQueue {
    static final int NOT_QUEUED = -1, FORGOTTEN = -2;

    private TcpConnection[] heap = new TcpConnection[16];
    private long[] keys = new long[16];
    private int size;

    // the poll pass in progress, if any
    private boolean polling;
    private long passNow, cursor, passLastOrder;
    private PriorityQueue<TcpConnection> due;

    int size() { return size; }

    long earliest() { return size == 0 ? NEVER : keys[0]; }

    /** The deadline c is queued under (NEVER if not queued). */
    long keyOf(TcpConnection c) { return c.timerSlot >= 0 ? keys[c.timerSlot] : NEVER; }

    /** c's earliest deadline is now {@code at} (NEVER: nothing armed). */
    void reschedule(TcpConnection c, long at) {
        int i = c.timerSlot;
        if (i == FORGOTTEN) return;
        if (at == NEVER) {
            if (i >= 0) removeAt(i);
        } else if (i < 0) {
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
                keys = Arrays.copyOf(keys, size * 2);
            }
            siftUp(size++, c, at);
        } else {
            siftUp(i, c, at);
            siftDown(c.timerSlot, c, at);
        }
        if (polling && at <= passNow && !c.timerDue && c.order > cursor && c.order <= passLastOrder) {
            c.timerDue = true;
            due.add(c);
        }
    }

    /** The layer no longer knows c: drop its timers for good. */
    void forget(TcpConnection c) {
        if (c.timerSlot >= 0) removeAt(c.timerSlot);
        c.timerSlot = FORGOTTEN;
    }

    /** Runs every connection due at {@code now}, in creation order; {@code lastOrder}: newest connection now. */
    void poll(long now, long lastOrder) {
        if (size == 0 || keys[0] > now) return;
        boolean outer = !polling;
        long savedNow = passNow, savedCursor = cursor, savedLast = passLastOrder;
        PriorityQueue<TcpConnection> savedDue = due;
        polling = true;
        passNow = now;
        cursor = Long.MIN_VALUE;
        passLastOrder = lastOrder;
        due = new PriorityQueue<>((a, b) -> Long.compare(a.order, b.order));
        collectDue(0, now);
        try {
            TcpConnection c;
            while ((c = due.poll()) != null) {
                c.timerDue = false;
                cursor = c.order;
                if (c.pollAt() <= now) c.poll(now);
            }
        } finally {
            for (TcpConnection c : due) c.timerDue = false;
            polling = !outer;
            passNow = savedNow;
            cursor = savedCursor;
            passLastOrder = savedLast;
            due = savedDue;
        }
    }

    private void collectDue(int i, long now) {
        if (i >= size || keys[i] > now) return;
        TcpConnection c = heap[i];
        if (!c.timerDue) {
            c.timerDue = true;
            due.add(c);
        }
        collectDue(2 * i + 1, now);
        collectDue(2 * i + 2, now);
    }

    private void removeAt(int i) {
        heap[i].timerSlot = NOT_QUEUED;
        size--;
        if (i != size) {
            TcpConnection last = heap[size];
            long key = keys[size];
            siftUp(i, last, key);
            siftDown(last.timerSlot, last, key);
        }
        heap[size] = null;
        if (heap.length > 64 && size < heap.length / 4) {
            heap = Arrays.copyOf(heap, heap.length / 2);
            keys = Arrays.copyOf(keys, keys.length / 2);
        }
    }

    /** Earlier deadline first; equal deadlines by creation order. */
    private static boolean less(long ka, TcpConnection a, long kb, TcpConnection b) {
        return ka < kb || ka == kb && a.order < b.order;
    }

    private void set(int i, TcpConnection c, long key) {
        heap[i] = c;
        keys[i] = key;
        c.timerSlot = i;
    }

    /** Places c (deadline key) at slot i or above it. */
    private void siftUp(int i, TcpConnection c, long key) {
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (!less(key, c, keys[p], heap[p])) break;
            set(i, heap[p], keys[p]);
            i = p;
        }
        set(i, c, key);
    }

    /** Places c (deadline key) at slot i or below it. */
    private void siftDown(int i, TcpConnection c, long key) {
        int half = size >>> 1;
        while (i < half) {
            int l = 2 * i + 1, r = l + 1;
            int m = r < size && less(keys[r], heap[r], keys[l], heap[l]) ? r : l;
            if (!less(keys[m], heap[m], key, c)) break;
            set(i, heap[m], keys[m]);
            i = m;
        }
        set(i, c, key);
    }
}
