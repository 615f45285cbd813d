package org.netstack4j.tcp;

import static org.netstack4j.time.Time.NEVER;

import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * The connections of one layer that have a timer armed, as an indexed binary min-heap keyed by
 * each connection's earliest deadline ({@link TcpConnection#pollAt()}). A connection's slot
 * lives in the connection itself ({@code timerSlot}), so a deadline change is O(log n) and
 * {@link #earliest()} is O(1); a poll pass touches only the due connections.
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
    private int size;

    // the poll pass in progress, if any
    private boolean polling;
    private long passNow, cursor, passLastOrder;
    private PriorityQueue<TcpConnection> due;

    int size() { return size; }

    long earliest() { return size == 0 ? NEVER : heap[0].timerKey; }

    /** c's earliest deadline is now {@code at} (NEVER: nothing armed). */
    void reschedule(TcpConnection c, long at) {
        int i = c.timerSlot;
        if (i == FORGOTTEN) return;
        c.timerKey = at;
        if (at == NEVER) {
            if (i >= 0) removeAt(i);
        } else if (i < 0) {
            if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
            heap[size] = c;
            c.timerSlot = size;
            siftUp(size++);
        } else {
            siftUp(i);
            siftDown(c.timerSlot);
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
        c.timerKey = NEVER;
    }

    /** Runs every connection due at {@code now}, in creation order; {@code lastOrder}: newest connection now. */
    void poll(long now, long lastOrder) {
        if (size == 0 || heap[0].timerKey > now) return;
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
        if (i >= size || heap[i].timerKey > now) return;
        TcpConnection c = heap[i];
        if (!c.timerDue) {
            c.timerDue = true;
            due.add(c);
        }
        collectDue(2 * i + 1, now);
        collectDue(2 * i + 2, now);
    }

    private void removeAt(int i) {
        TcpConnection gone = heap[i];
        gone.timerSlot = NOT_QUEUED;
        size--;
        if (i != size) {
            TcpConnection last = heap[size];
            heap[i] = last;
            last.timerSlot = i;
            siftUp(i);
            siftDown(last.timerSlot);
        }
        heap[size] = null;
        if (heap.length > 64 && size < heap.length / 4) heap = Arrays.copyOf(heap, heap.length / 2);
    }

    private static boolean less(TcpConnection a, TcpConnection b) {
        return a.timerKey < b.timerKey || a.timerKey == b.timerKey && a.order < b.order;
    }

    private void siftUp(int i) {
        TcpConnection c = heap[i];
        while (i > 0) {
            int p = (i - 1) >>> 1;
            TcpConnection q = heap[p];
            if (!less(c, q)) break;
            heap[i] = q;
            q.timerSlot = i;
            i = p;
        }
        heap[i] = c;
        c.timerSlot = i;
    }

    private void siftDown(int i) {
        TcpConnection c = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int l = 2 * i + 1, r = l + 1;
            int m = r < size && less(heap[r], heap[l]) ? r : l;
            if (!less(heap[m], c)) break;
            heap[i] = heap[m];
            heap[i].timerSlot = i;
            i = m;
        }
        heap[i] = c;
        c.timerSlot = i;
    }
}
