package org.netstack4j.lab.scenario;

import java.util.PriorityQueue;
import org.netstack4j.time.Pollable;
import org.netstack4j.time.Time;

/** Application actions scheduled at virtual times ("at 50 ms the server app writes and closes"). */
final class Timeline implements Pollable {
    private record Action(long at, long order, Runnable run) {}

    private final PriorityQueue<Action> queue = new PriorityQueue<>(
            (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
    private long order;

    void at(long time, Runnable r) { queue.add(new Action(time, order++, r)); }

    @Override public long pollAt() { return queue.isEmpty() ? Time.NEVER : queue.peek().at; }

    @Override public void poll(long now) {
        while (!queue.isEmpty() && queue.peek().at <= now) queue.poll().run.run();
    }
}
