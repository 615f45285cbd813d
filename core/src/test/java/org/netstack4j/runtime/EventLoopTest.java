package org.netstack4j.runtime;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.netstack4j.time.Pollable;
import org.netstack4j.time.Time;

/**
 * The loop against fake stacks. Real threads, so outcomes are checked with latches and
 * joins; timeouts only guard against hangs and never decide a result.
 */
class EventLoopTest {
    private static final long GUARD_S = 10;

    /** A stack with one deadline, settable from the loop; records the times it was polled at. */
    static final class DeadlineStack implements Pollable {
        long deadline = Time.NEVER;
        final List<Long> polledAt = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch polled = new CountDownLatch(1);

        @Override public long pollAt() { return deadline; }

        @Override public void poll(long now) {
            if (now >= deadline) {
                polledAt.add(now);
                deadline = Time.NEVER;
                polled.countDown();
            }
        }
    }

    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private EventLoop loop;

    /** A loop whose callers run work inline while it is free (the default). */
    private EventLoop start(Pollable stack) {
        loop = EventLoop.start("netstack4j-loop", stack, failures::add, true);
        return loop;
    }

    /** A loop that runs every task on its own thread. */
    private EventLoop startThreadOnly(Pollable stack) {
        loop = EventLoop.start("netstack4j-loop", stack, failures::add, false);
        return loop;
    }

    @AfterEach void tearDown() {
        if (loop != null) loop.close();
    }

    @Test void tasksRunOnTheLoopThreadInOrder() throws Exception {
        startThreadOnly(new DeadlineStack());
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        for (int i = 0; i < 100; i++) {
            int n = i;
            loop.execute(() -> seen.add(Thread.currentThread().getName() + ":" + n));
        }
        loop.execute(done::countDown);
        assertTrue(done.await(GUARD_S, TimeUnit.SECONDS));
        assertEquals(100, seen.size());
        for (int i = 0; i < 100; i++) assertEquals("netstack4j-loop:" + i, seen.get(i));
    }

    @Test void callReturnsTheResultAndRunsInlineOnTheLoop() {
        start(new DeadlineStack());
        assertEquals(42, loop.call(() -> 42));
        assertFalse(loop.inLoop());
        assertTrue(loop.call(loop::inLoop));
        // nested call on the loop thread must not deadlock
        assertEquals("inner", loop.call(() -> loop.call(() -> "inner")));
    }

    @Test void callRethrowsUncheckedAndWrapsChecked() {
        start(new DeadlineStack());
        IllegalStateException ise = assertThrows(IllegalStateException.class,
                () -> loop.call(() -> { throw new IllegalStateException("boom"); }));
        assertEquals("boom", ise.getMessage());
        CompletionException ce = assertThrows(CompletionException.class,
                () -> loop.call(() -> { throw new IOException("io"); }));
        assertInstanceOf(IOException.class, ce.getCause());
        assertTrue(failures.isEmpty(), "a failed call() is the caller's business, not a loop failure");
    }

    @Test void pollsTheStackWhenItsDeadlineIsDue() throws Exception {
        DeadlineStack stack = new DeadlineStack();
        start(stack);
        long deadline = loop.call(() -> {
            stack.deadline = loop.now() + Time.ms(20);
            return stack.deadline;
        });
        assertTrue(stack.polled.await(GUARD_S, TimeUnit.SECONDS));
        assertEquals(1, stack.polledAt.size());
        assertTrue(stack.polledAt.get(0) >= deadline, "polled before the deadline");
    }

    @Test void aDeadlineSetByATaskIsSeenWithoutOtherWakeups() throws Exception {
        // The loop parks with pollAt = NEVER; a task moves the deadline to "now": it must be polled.
        DeadlineStack stack = new DeadlineStack();
        start(stack);
        loop.execute(() -> stack.deadline = loop.now());
        assertTrue(stack.polled.await(GUARD_S, TimeUnit.SECONDS));
    }

    /** Throws from its first poll. */
    static final class FlakyStack implements Pollable {
        long deadline = Time.NEVER;
        int polls;
        final java.util.concurrent.Semaphore polled = new java.util.concurrent.Semaphore(0);

        @Override public long pollAt() { return deadline; }

        @Override public void poll(long now) {
            deadline = Time.NEVER;
            try {
                if (++polls == 1) throw new IllegalStateException("poll failed");
            } finally {
                polled.release();
            }
        }
    }

    @Test void aFailingTaskOrPollDoesNotStopTheLoop() throws Exception {
        FlakyStack stack = new FlakyStack();
        start(stack);
        loop.execute(() -> { throw new IllegalArgumentException("task failed"); });
        assertEquals(7, loop.call(() -> 7));
        loop.execute(() -> stack.deadline = loop.now());
        assertTrue(stack.polled.tryAcquire(GUARD_S, TimeUnit.SECONDS));
        loop.execute(() -> stack.deadline = loop.now());
        assertTrue(stack.polled.tryAcquire(GUARD_S, TimeUnit.SECONDS));
        assertEquals(2, loop.call(() -> stack.polls)); // also orders us after the failure report
        assertEquals(2, failures.size());
        assertInstanceOf(IllegalArgumentException.class, failures.get(0));
        assertInstanceOf(IllegalStateException.class, failures.get(1));
        assertEquals(2, loop.failures());
    }

    @Test void closeStopsTheThreadAndRejectsNewWork() throws Exception {
        start(new DeadlineStack());
        loop.close();
        assertTrue(loop.awaitTermination(GUARD_S, TimeUnit.SECONDS));
        assertTrue(loop.isClosed());
        assertTrue(loop.isTerminated());
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> {}));
        assertThrows(RejectedExecutionException.class, () -> loop.call(() -> 1));
        loop.close(); // idempotent
    }

    @Test void closeFromALoopTaskStopsTheLoop() throws Exception {
        start(new DeadlineStack());
        loop.execute(loop::close);
        assertTrue(loop.awaitTermination(GUARD_S, TimeUnit.SECONDS));
    }

    @Test void tasksQueuedBehindCloseAreCancelledNotLost() throws Exception {
        startThreadOnly(new DeadlineStack());
        CountDownLatch inTask = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            inTask.countDown();
            try { release.await(); } catch (InterruptedException e) { throw new AssertionError(e); }
            loop.close(); // close from inside: the next queued call must be cancelled
        });
        assertTrue(inTask.await(GUARD_S, TimeUnit.SECONDS));
        AtomicInteger outcome = new AtomicInteger();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                loop.call(() -> 1);
                outcome.set(1);
            } catch (RejectedExecutionException e) {
                outcome.set(2);
            }
        });
        // the call is queued once the caller is parked in it; wait for that
        awaitParked(caller);
        release.countDown();
        joinWithinGuard(caller);
        assertEquals(2, outcome.get());
    }

    /** Spins until {@code t} is parked (WAITING) or has ended. */
    private static void awaitParked(Thread t) {
        while (t.getState() != Thread.State.WAITING && t.isAlive()) Thread.onSpinWait();
    }

    /** Joins {@code t} for at most the guard time; it must have ended. */
    private static void joinWithinGuard(Thread t) throws InterruptedException {
        t.join(TimeUnit.SECONDS.toMillis(GUARD_S));
        assertFalse(t.isAlive());
    }

    @Test void signalWaitsForTheConditionAndTimesOutOnTheLoopClock() throws Exception {
        start(new DeadlineStack());
        Signal signal = new Signal(loop);
        boolean[] flag = {false};
        long t0 = loop.now();
        assertFalse(signal.await(() -> flag[0], t0 + Time.ms(30)));
        assertTrue(loop.now() - t0 >= Time.ms(30));
        loop.execute(() -> signal.update(() -> flag[0] = true));
        assertTrue(signal.await(() -> flag[0], Time.NEVER));
    }

    @Test void closingTheLoopWakesSignalWaiters() throws Exception {
        start(new DeadlineStack());
        Signal signal = new Signal(loop);
        AtomicInteger result = new AtomicInteger(-1);
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                result.set(signal.await(() -> false, Time.NEVER) ? 1 : 0);
            } catch (InterruptedException e) {
                result.set(9);
            }
        });
        awaitParked(waiter);
        loop.close();
        joinWithinGuard(waiter);
        assertEquals(0, result.get());
    }

    /** A blocking source fed by the test; read() after the last frame blocks until close. */
    static class QueueSource implements IoSource {
        static final byte[] EOF = new byte[0];
        final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
        final AtomicInteger reads = new AtomicInteger();
        volatile CountDownLatch readCalled = new CountDownLatch(0);
        volatile int readCalledAt = -1;
        volatile boolean closed;

        @Override public byte[] read() throws IOException {
            int n = reads.incrementAndGet();
            if (n == readCalledAt) readCalled.countDown();
            try {
                byte[] f = frames.take();
                if (f == EOF) {
                    if (closed) throw new IOException("closed");
                    return null;
                }
                return f;
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }

        @Override public void close() {
            closed = true;
            frames.add(EOF);
        }
    }

    @Test void ioSourceFramesReachTheSinkOnTheLoopInOrder() throws Exception {
        startThreadOnly(new DeadlineStack());
        QueueSource src = new QueueSource();
        List<String> got = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(50);
        IoRegistration reg = loop.register("test0", src, (now, frame) -> {
            got.add(Thread.currentThread().getName() + ":" + frame[0]);
            all.countDown();
        }, 1024);
        for (int i = 0; i < 50; i++) src.frames.add(new byte[] {(byte) i});
        assertTrue(all.await(GUARD_S, TimeUnit.SECONDS));
        // the counters are published once per batch, after its frames reach the sink: wait for
        // the drain that delivered the last frame to end (the loop runs its tasks in order)
        loop.call(() -> null);
        for (int i = 0; i < 50; i++) assertEquals("netstack4j-loop:" + i, got.get(i));
        assertEquals(50, reg.received());
        assertEquals(50, reg.delivered());
        assertEquals(0, reg.dropped());
        loop.close();
        assertTrue(src.closed, "closing the loop closes its sources");
        assertTrue(reg.finished());
        assertTrue(failures.isEmpty(), failures.toString());
    }

    @Test void aSlowLoopMakesTheSourceDropBeyondItsQueueLimit() throws Exception {
        startThreadOnly(new DeadlineStack());
        QueueSource src = new QueueSource();
        List<Byte> got = new CopyOnWriteArrayList<>();
        IoRegistration reg = loop.register("test1", src, (now, frame) -> got.add(frame[0]), 8);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        loop.execute(() -> {
            blocked.countDown();
            try { release.await(); } catch (InterruptedException e) { throw new AssertionError(e); }
        });
        assertTrue(blocked.await(GUARD_S, TimeUnit.SECONDS));
        src.readCalled = new CountDownLatch(1);
        src.readCalledAt = 21; // the read after 20 frames: all 20 have been handled by the reader
        for (int i = 0; i < 20; i++) src.frames.add(new byte[] {(byte) i});
        assertTrue(src.readCalled.await(GUARD_S, TimeUnit.SECONDS));
        long handedBy = System.nanoTime(); // every frame was handed over before the 21st read
        assertEquals(12, reg.dropped());
        assertEquals(0, reg.maxWaitNanos(), "nothing drained yet");
        long releasedAt = System.nanoTime();
        release.countDown();
        loop.call(() -> null); // the drain task was queued before this one
        assertEquals(List.of((byte) 0, (byte) 1, (byte) 2, (byte) 3, (byte) 4, (byte) 5, (byte) 6, (byte) 7), got);
        // the queueing delay is measured: the frames waited at least while the loop was held
        assertTrue(reg.maxWaitNanos() >= releasedAt - handedBy, reg.maxWaitNanos() + " ns");
        // end of input finishes the reader without a failure
        src.frames.add(QueueSource.EOF);
        reg.close();
        assertTrue(reg.finished());
        assertTrue(failures.isEmpty(), failures.toString());
    }

    /** Says frames are ready while its queue holds any, and what it knows of each (its first byte). */
    static final class BurstSource extends QueueSource {
        int last;

        @Override public byte[] read() throws IOException {
            byte[] f = super.read();
            last = f == null ? 0 : f[0] * 100;
            return f;
        }

        @Override public int lastFrameInfo() { return last; }

        @Override public boolean hasReadyFrames() { return !frames.isEmpty() && frames.peek() != EOF; }
    }

    @Test void framesReadInABurstGoToTheLoopInBatchesWithWhatTheSourceSaidOfEach() throws Exception {
        startThreadOnly(new DeadlineStack());
        BurstSource src = new BurstSource();
        List<String> got = new CopyOnWriteArrayList<>();
        IoRegistration reg = loop.register("test3", src, new org.netstack4j.device.FrameSink() {
            @Override public void receive(long now, byte[] frame) { got.add(frame[0] + ":-"); }
            @Override public void receive(long now, byte[] frame, int info) { got.add(frame[0] + ":" + info); }
        }, 8);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        loop.execute(() -> {
            blocked.countDown();
            try { release.await(); } catch (InterruptedException e) { throw new AssertionError(e); }
        });
        assertTrue(blocked.await(GUARD_S, TimeUnit.SECONDS));
        src.readCalled = new CountDownLatch(1);
        src.readCalledAt = 21;
        for (int i = 0; i < 20; i++) src.frames.add(new byte[] {(byte) i});
        assertTrue(src.readCalled.await(GUARD_S, TimeUnit.SECONDS));
        // frames gathered but not yet handed over count against the limit as queued ones do
        assertEquals(12, reg.dropped());
        assertEquals(20, reg.received());
        release.countDown();
        loop.call(() -> null);
        assertEquals(List.of("0:-", "1:100", "2:200", "3:300", "4:400", "5:500", "6:600", "7:700"), got);
        assertEquals(8, reg.delivered());
        src.frames.add(QueueSource.EOF);
        reg.close();
        assertTrue(failures.isEmpty(), failures.toString());
    }

    @Test void sheddableFramesAreDroppedOnceTheQueueIsHalfFull() throws Exception {
        startThreadOnly(new DeadlineStack());
        QueueSource src = new QueueSource();
        List<Byte> got = new CopyOnWriteArrayList<>();
        // frames from 100 on are "connection requests": they get only the first half of the 8 places
        IoRegistration reg = loop.register("test2", src, (now, frame) -> got.add(frame[0]), 8, f -> f[0] >= 100);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        loop.execute(() -> {
            blocked.countDown();
            try { release.await(); } catch (InterruptedException e) { throw new AssertionError(e); }
        });
        assertTrue(blocked.await(GUARD_S, TimeUnit.SECONDS));
        byte[] order = {100, 0, 101, 1, 102, 2, 103, 3, 4, 5, 6};
        src.readCalled = new CountDownLatch(1);
        src.readCalledAt = order.length + 1;
        for (byte b : order) src.frames.add(new byte[] {b});
        assertTrue(src.readCalled.await(GUARD_S, TimeUnit.SECONDS));
        // 100, 0, 101, 1 fill half; 102 and 103 are shed; 2..5 fill the rest; 6 finds the queue full
        assertEquals(3, reg.dropped());
        assertEquals(2, reg.shed());
        release.countDown();
        loop.call(() -> null);
        assertEquals(List.of((byte) 100, (byte) 0, (byte) 101, (byte) 1, (byte) 2, (byte) 3, (byte) 4, (byte) 5), got);
        src.frames.add(QueueSource.EOF);
        reg.close();
        assertTrue(failures.isEmpty(), failures.toString());
    }

    @Test void aLowShedMarkBoundsWhatTheOtherFramesWaitBehind() throws Exception {
        startThreadOnly(new DeadlineStack());
        QueueSource src = new QueueSource();
        List<Byte> got = new CopyOnWriteArrayList<>();
        // 8 places, connection requests (100 on) shed once 2 frames wait
        IoRegistration reg = loop.register("test4", src, (now, frame) -> got.add(frame[0]), 8, f -> f[0] >= 100, 2);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        loop.execute(() -> {
            blocked.countDown();
            try { release.await(); } catch (InterruptedException e) { throw new AssertionError(e); }
        });
        assertTrue(blocked.await(GUARD_S, TimeUnit.SECONDS));
        byte[] order = {100, 101, 102, 103, 0, 104, 1, 105};
        src.readCalled = new CountDownLatch(1);
        src.readCalledAt = order.length + 1;
        for (byte b : order) src.frames.add(new byte[] {b});
        assertTrue(src.readCalled.await(GUARD_S, TimeUnit.SECONDS));
        // 100 and 101 take the 2 places; 102..105 are shed; 0 and 1 wait behind two, not four
        assertEquals(4, reg.shed());
        release.countDown();
        loop.call(() -> null);
        assertEquals(List.of((byte) 100, (byte) 101, (byte) 0, (byte) 1), got);
        assertThrows(IllegalArgumentException.class, () -> loop.register("test5", new QueueSource(), (now, f) -> {}, 8, f -> true, 9));
        src.frames.add(QueueSource.EOF);
        reg.close();
        assertTrue(failures.isEmpty(), failures.toString());
    }

    /** A source whose frames come in runs: {@link #DRY} in the queue ends a run (nothing ready until the next frame). */
    static final class RunSource extends QueueSource {
        static final byte[] DRY = new byte[0];

        /** {@code runs} runs of {@code length} frames {i, sheddable 1 or 0}, every other one sheddable, numbered from {@code first}. */
        int addRuns(int first, int runs, int length) {
            int i = first;
            for (int r = 0; r < runs; r++) {
                for (int k = 0; k < length; k++, i++) frames.add(new byte[] {(byte) i, (byte) (i % 2)});
                frames.add(DRY);
            }
            return i;
        }

        @Override public byte[] read() throws IOException {
            byte[] f;
            do f = super.read(); while (f == DRY);
            return f;
        }

        @Override public boolean hasReadyFrames() {
            byte[] head = frames.peek();
            return head != null && head != DRY && head != EOF;
        }
    }

    /** Registers {@code src} (its frames already queued, ending with EOF) and returns once every frame was read and delivered. */
    private IoRegistration drainRuns(RunSource src, List<byte[]> got, int shedAt) throws Exception {
        IoRegistration reg = loop.register("runs", src, (now, frame) -> got.add(frame), 4096, f -> f[1] == 1, shedAt);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_S);
        while (!reg.finished() && System.nanoTime() < until) Thread.onSpinWait();
        assertTrue(reg.finished(), "the reader reached EOF");
        loop.call(() -> null);
        return reg;
    }

    @Test void aReaderBehindItsSourceShedsOnceShedAtFramesWaitedThere() throws Exception {
        // Frames delivered inline by the reader never wait in the queue: under a flood they wait in
        // the source (the kernel's TUN ring). 40 full runs of 32: the reader is behind from the first;
        // after 7 runs (224 >= 200 frames) the sheddable half of each run is shed, not delivered.
        start(new DeadlineStack());
        RunSource src = new RunSource();
        int next = src.addRuns(0, 40, 32);
        next = src.addRuns(next, 1, 4); // read while still behind (the short run ends the backlog after it)
        src.addRuns(next, 2, 32); // caught up: 64 frames < 200, nothing shed
        src.frames.add(QueueSource.EOF);
        List<byte[]> got = new CopyOnWriteArrayList<>();
        IoRegistration reg = drainRuns(src, got, 200);
        assertEquals(40 * 32 + 4 + 64, reg.received());
        assertEquals(33 * 16 + 2, reg.shed(), "the sheddable frames of runs 8..40 and of the short run");
        assertEquals(reg.shed(), reg.shedBehind());
        assertEquals(reg.received() - reg.shed(), got.size());
        // every frame that must not be shed got in, in order
        List<Integer> kept = got.stream().filter(f -> f[1] == 0).map(f -> f[0] & 0xff).toList();
        assertEquals((40 * 32 + 4 + 64) / 2, kept.size());
        for (int i = 1; i < kept.size(); i++) assertEquals((kept.get(i - 1) + 2) & 0xff, kept.get(i));
        assertTrue(failures.isEmpty(), failures.toString());
    }

    @Test void aReaderThatKeepsUpWithItsSourceShedsNothing() throws Exception {
        // the same frames in runs shorter than FULL_RUN: a reader finding a few at a time is not behind
        start(new DeadlineStack());
        RunSource src = new RunSource();
        src.addRuns(0, 1348 / 4, 4);
        src.frames.add(QueueSource.EOF);
        List<byte[]> got = new CopyOnWriteArrayList<>();
        IoRegistration reg = drainRuns(src, got, 200);
        assertEquals(1348, reg.received());
        assertEquals(0, reg.shed());
        assertEquals(1348, got.size());
        assertTrue(failures.isEmpty(), failures.toString());
    }

    @Test void manyThreadsCallingConcurrentlyNeverLoseAWakeup() throws Exception {
        start(new DeadlineStack());
        callFromManyThreads(8, 5_000);
    }

    @Test void manyThreadsCallingAThreadOnlyLoopNeverLoseAWakeup() throws Exception {
        startThreadOnly(new DeadlineStack());
        callFromManyThreads(8, 2_000);
    }

    /** {@code threads} callers (half platform, half virtual) each make {@code calls} calls that count on the loop. */
    private void callFromManyThreads(int threads, int calls) throws InterruptedException {
        long[] counter = {0}; // touched only by the thread holding the loop
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread.Builder b = t % 2 == 0 ? Thread.ofPlatform() : Thread.ofVirtual();
            ts.add(b.start(() -> {
                for (int i = 0; i < calls; i++) loop.call(() -> ++counter[0]);
            }));
        }
        for (Thread t : ts) t.join(TimeUnit.SECONDS.toMillis(GUARD_S));
        for (Thread t : ts) assertFalse(t.isAlive(), "a caller is stuck: lost wakeup");
        assertEquals((long) threads * calls, loop.call(() -> counter[0]));
    }

    @Test void aFreeLoopRunsTheTaskOnTheCallersThreadAndSettlesTheStack() {
        // The stack is due at once after the task; the caller polls it before execute returns.
        DeadlineStack stack = new DeadlineStack();
        start(stack);
        String me = Thread.currentThread().getName();
        List<String> ranOn = new ArrayList<>();
        loop.execute(() -> {
            ranOn.add(Thread.currentThread().getName() + ":" + loop.inLoop());
            stack.deadline = loop.now();
        });
        assertEquals(List.of(me + ":true"), ranOn);
        assertEquals(1, stack.polledAt.size(), "settled before execute returned");
        assertFalse(loop.inLoop(), "the caller let go of the loop");
        assertTrue(loop.runIfFree(() -> ranOn.add("again")));
        assertEquals(2, ranOn.size());
    }

    /**
     * Starts a thread from {@code builder} that runs a task on the loop inline and holds it there
     * until {@code release}, then runs {@code last} (still holding); returns once the task runs.
     */
    private Thread holdTheLoop(Thread.Builder builder, CountDownLatch release, Runnable last) throws InterruptedException {
        CountDownLatch inTask = new CountDownLatch(1);
        Thread holder = builder.start(() -> loop.execute(() -> {
            inTask.countDown();
            try { release.await(); } catch (InterruptedException e) { throw new AssertionError(e); }
            last.run();
        }));
        assertTrue(inTask.await(GUARD_S, TimeUnit.SECONDS));
        return holder;
    }

    @Test void aBusyLoopQueuesTheTaskAndNeverBlocksTheCaller() throws Exception {
        start(new DeadlineStack());
        CountDownLatch release = new CountDownLatch(1);
        List<String> order = new CopyOnWriteArrayList<>();
        Thread holder = holdTheLoop(Thread.ofPlatform(), release, () -> order.add("holder"));
        // The loop is held: our task is queued (execute returns at once), runIfFree declines.
        loop.execute(() -> order.add("queued"));
        assertFalse(loop.runIfFree(() -> order.add("never")));
        assertEquals(List.of(), order);
        release.countDown();
        holder.join(TimeUnit.SECONDS.toMillis(GUARD_S));
        loop.call(() -> null); // runs after the queued task
        assertEquals(List.of("holder", "queued"), order);
    }

    @Test void aTaskQueuedBehindAnInlineHolderRunsOnTheHoldersThread() throws Exception {
        // The holder drains what others queued before it lets go: no loop-thread wake-up.
        start(new DeadlineStack());
        CountDownLatch release = new CountDownLatch(1);
        List<String> ranOn = new CopyOnWriteArrayList<>();
        Thread holder = holdTheLoop(Thread.ofPlatform().name("holder"), release, () -> { });
        loop.execute(() -> ranOn.add(Thread.currentThread().getName()));
        release.countDown();
        holder.join(TimeUnit.SECONDS.toMillis(GUARD_S));
        assertEquals(List.of("holder"), ranOn);
    }

    @Test void inlineWorkThatArmsAnEarlierTimerWakesTheParkedLoop() throws Exception {
        DeadlineStack stack = new DeadlineStack();
        start(stack);
        // Let the loop thread park with no deadline, then arm one from this thread inline.
        while (loop.polls() == 0 && !loopParked()) Thread.onSpinWait();
        long deadline = loop.call(() -> stack.deadline = loop.now() + Time.ms(30));
        assertTrue(stack.polled.await(GUARD_S, TimeUnit.SECONDS), "the parked loop never woke for the new deadline");
        assertTrue(stack.polledAt.get(0) >= deadline);
    }

    private boolean loopParked() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("netstack4j-loop") && t.getState() == Thread.State.WAITING) return true;
        }
        return false;
    }
}
