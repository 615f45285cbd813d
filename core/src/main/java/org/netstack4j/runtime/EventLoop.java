package org.netstack4j.runtime;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.netstack4j.device.FrameSink;
import org.netstack4j.time.Pollable;
import org.netstack4j.time.Time;

/**
 * One platform thread that owns a sans-IO stack and drives it in real time:
 * <pre>
 *   loop { run queued tasks; if stack.pollAt() &lt;= now: stack.poll(now);
 *          else spin briefly for a task, then park until min(pollAt, a new task, input from an IoSource) }
 * </pre>
 * Time is {@link System#nanoTime()} measured from a JVM-wide origin, so {@link #now()} starts
 * near zero and never overflows in {@code now + timeout} arithmetic.
 *
 * <p>The stack is single-threaded: it is touched only by the thread that holds the loop (see
 * {@link #inLoop()}). Usually that is the loop thread. But when another thread hands work over
 * with {@link #execute}, {@link #call} or {@link #runIfFree} while nobody holds the loop, that
 * thread takes the loop and does the work itself, then runs the stack until it is quiet
 * (what it sent answered, within {@link #SETTLE_ROUNDS} polls) — the way a kernel does protocol
 * work in the context of the system call that caused it. That saves two thread handoffs per
 * call (wake the loop, wake the caller). The handover only ever uses tryLock, so a thread
 * holding other locks never waits for the loop; when the loop is busy, the task is queued as
 * before. Tasks still run in submission order. System property {@code netstack4j.loop.inline}
 * ({@code false} turns this off: every task runs on the loop thread). Threads wait for the
 * stack's callbacks with a {@link Signal}.
 *
 * <p>A task or poll that throws does not stop the loop: the throwable goes to the failure
 * handler (default: logged) and is counted in {@link #failures()}.
 */
public final class EventLoop implements AutoCloseable, Executor {
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
    /** The clock origin; one second back so that no real time is ever 0 or negative. */
    private static final long ORIGIN = System.nanoTime() - Time.s(1);
    /** Tasks run before the stack gets a chance to poll again, so a task flood cannot starve timers. */
    private static final int TASK_BATCH = 4096;
    /** Hand work to a free loop by running it on the calling thread (see the class comment). */
    private static final boolean INLINE_DEFAULT = Boolean.parseBoolean(System.getProperty("netstack4j.loop.inline", "true"));
    /**
     * After doing work, the loop polls its queue this long (ns) before parking: an
     * application thread it just woke usually answers within tens of microseconds, and
     * finding the task while spinning saves that thread's unpark call and the loop's own
     * wake-up latency. Bounded, and only after work, so an idle loop costs nothing. System
     * property {@code netstack4j.loop.spinNanos} (0 disables; unset: 20 us on a thread-only loop,
     * 0 with inline work, where application threads do their work themselves while the loop is
     * free and a spinning loop would only burn a core). Measured on 2 shared cores for a
     * thread-only loop (bench pingpong/connect, medians of 6 runs): 20 us gave connect 2.6x and
     * pingpong 5x over no spin; 10 us less than half of that; 40 and 60 us no better than 20 us.
     */
    private static final Long SPIN_NS = Long.getLong("netstack4j.loop.spinNanos");

    /** At most this many stack polls after inline work before the caller leaves the rest to the loop thread. */
    static final int SETTLE_ROUNDS = 256;

    private final Pollable stack;
    /** Whether callers may run work inline while the loop is free. */
    private final boolean inline;
    /** Spin before parking (ns): {@link #SPIN_NS} if set, else 20 us for a thread-only loop and 0 with inline work. */
    private final long spinNs;
    /** Held by whoever touches the stack: the loop thread, or a caller running work inline. */
    private final ReentrantLock work = new ReentrantLock();
    /** The thread holding {@link #work}, or null. */
    private volatile Thread owner;
    /** Bumped by every inline run; the loop re-checks its deadline when it changed before it parks. */
    private volatile long inlineRuns;
    /** The loop clock time the parked loop thread will wake at by itself. */
    private volatile long parkedUntil;
    private final Thread thread;
    private final Consumer<Throwable> failureHandler;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Set<IoRegistration> registrations = ConcurrentHashMap.newKeySet();
    private final Set<Signal> waiting = ConcurrentHashMap.newKeySet();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong polls = new AtomicLong();
    private volatile boolean parked;
    private volatile boolean closing;
    private volatile boolean closed;

    private EventLoop(String threadName, Pollable stack, Consumer<Throwable> failureHandler, boolean inline) {
        this.stack = Objects.requireNonNull(stack, "stack");
        this.inline = inline;
        this.spinNs = SPIN_NS != null ? SPIN_NS : inline ? 0 : Time.us(20);
        this.failureHandler = Objects.requireNonNull(failureHandler, "failureHandler");
        this.thread = Thread.ofPlatform().name(threadName).daemon(true).unstarted(this::run);
    }

    /** Starts a loop thread named "netstack4j-loop" driving {@code stack}. */
    public static EventLoop start(Pollable stack) { return start("netstack4j-loop", stack); }

    public static EventLoop start(String threadName, Pollable stack) {
        return start(threadName, stack, t -> LOG.log(System.Logger.Level.WARNING, "event loop task failed", t));
    }

    /** Starts a loop; {@code failureHandler} receives what tasks, polls and readers throw (on whichever thread failed). */
    public static EventLoop start(String threadName, Pollable stack, Consumer<Throwable> failureHandler) {
        return start(threadName, stack, failureHandler, INLINE_DEFAULT);
    }

    /**
     * Starts a loop; with {@code inline} false every task runs on the loop thread (callers
     * never touch the stack), whatever {@code netstack4j.loop.inline} says.
     */
    public static EventLoop start(String threadName, Pollable stack, Consumer<Throwable> failureHandler, boolean inline) {
        EventLoop loop = new EventLoop(threadName, stack, failureHandler, inline);
        loop.thread.start();
        return loop;
    }

    /** The loop's clock in nanoseconds: monotonic, JVM-wide origin, callable from any thread. */
    public long now() { return System.nanoTime() - ORIGIN; }

    /** The stack this loop drives (touch it only while holding the loop: {@link #inLoop()}). */
    public Pollable stack() { return stack; }

    /**
     * True on the thread that holds the loop right now (the loop thread while it works, or a
     * caller running a task inline): the only thread allowed to touch the stack.
     */
    public boolean inLoop() { return Thread.currentThread() == owner; }

    public boolean isClosed() { return closing; }

    /** Tasks, polls and readers that threw. */
    public long failures() { return failures.get(); }

    /** How many times the stack has been polled. */
    public long polls() { return polls.get(); }

    /**
     * Runs {@code task} with the loop: at once on this thread if the loop is free (then the
     * stack runs until quiet before this returns), else queued: the thread that holds the loop
     * runs it before letting go (on a thread-only loop, the loop thread is woken for it). A
     * task submitted while holding the loop is queued and runs before the loop is let go. Tasks run in submission order. A task that throws is reported to the failure
     * handler, not to the caller. Throws RejectedExecutionException once the loop is closed.
     */
    @Override public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (closing) throw new RejectedExecutionException("event loop closed");
        if (!inLoop() && enter()) {
            runEntered(task);
            return;
        }
        enqueue(task);
    }

    /**
     * Runs {@code task} now on this thread if this thread holds the loop or the loop is free
     * (then the stack runs until quiet, as in {@link #execute}); returns false, without
     * running or queueing it, when another thread holds the loop. For work whose arguments
     * are only valid during the call (e.g. a caller's buffer). A task that throws is reported
     * to the failure handler. Throws RejectedExecutionException once the loop is closed.
     */
    public boolean runIfFree(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (closing) throw new RejectedExecutionException("event loop closed");
        if (inLoop()) {
            runReporting(task);
            return true;
        }
        if (!enter()) return false;
        runEntered(task);
        return true;
    }

    /** After {@link #enter()}: earlier tasks, then {@code task}, then the stack until quiet; lets go. */
    private void runEntered(Runnable task) {
        try {
            runTasks();
            runReporting(task);
            settle();
        } finally {
            leave();
        }
    }

    private void enqueue(Runnable task) {
        tasks.add(task);
        // The loop may have drained the queue for the last time between our check and add.
        if (closing && tasks.remove(task)) throw new RejectedExecutionException("event loop closed");
        if (inLoop()) return; // the holder runs the queue before it lets go of the loop
        if (inline) {
            // Whoever holds the loop drains the queue before and after letting go (see leave),
            // so a busy loop needs no wake-up: either the holder sees this task after its
            // unlock, or we see the loop free here and run the queue ourselves.
            if (!work.isLocked()) drainQueued();
            return;
        }
        if (parked) LockSupport.unpark(thread);
    }

    /** Takes the free loop while tasks are queued and runs them (and the stack) here. */
    private void drainQueued() {
        try {
            while (!tasks.isEmpty() && !closing && enter()) {
                try {
                    runTasks();
                    settle();
                } finally {
                    unlockAfterInline();
                }
            }
        } catch (RejectedExecutionException closedMeanwhile) {
            // the loop's own shutdown cancels what is left
        }
    }

    /**
     * Runs {@code task} on the loop and returns its result, blocking the caller (runs inline
     * when called on the loop thread). RuntimeExceptions and Errors are rethrown as they are;
     * a checked exception is wrapped in a CompletionException. If the loop closes before the
     * task ran, throws RejectedExecutionException. The wait is not interruptible (the task
     * may already be running); the caller's interrupt status is kept.
     */
    public <T> T call(Callable<T> task) {
        if (inLoop()) return callHere(task);
        if (closing) throw new RejectedExecutionException("event loop closed");
        if (enter()) {
            try {
                runTasks();
                T result = callHere(task);
                settle();
                return result;
            } finally {
                leave();
            }
        }
        FutureTask<T> future = new FutureTask<>(task);
        enqueue(future);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (CancellationException e) {
                    throw new RejectedExecutionException("event loop closed before the task ran");
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException re) throw re;
                    if (cause instanceof Error err) throw err;
                    throw new CompletionException(cause);
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static <T> T callHere(Callable<T> task) {
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    /** Takes the loop for inline work if it is free (never waits); false if not (or inline work is off). */
    private boolean enter() {
        if (!inline || !work.tryLock()) return false;
        if (closing) {
            work.unlock();
            throw new RejectedExecutionException("event loop closed");
        }
        owner = Thread.currentThread();
        return true;
    }

    /** Inline work done: runs queued tasks and due stack work until quiet, at most {@link #SETTLE_ROUNDS} polls. */
    private void settle() {
        for (int i = 0; i < SETTLE_ROUNDS && !closing; i++) {
            runTasks();
            long now = now();
            if (pollAt() > now) {
                if (tasks.isEmpty()) return;
                continue;
            }
            poll(now);
        }
    }

    /**
     * Lets go of the loop after inline work, and wakes the parked loop thread if the stack now
     * needs it earlier than it planned to wake (a timer the work armed, or polls left over).
     */
    private void leave() {
        unlockAfterInline();
        drainQueued(); // tasks queued by threads that found us holding the loop
    }

    private void unlockAfterInline() {
        long at = pollAt();
        inlineRuns++;
        owner = null;
        work.unlock();
        // Either the loop sees inlineRuns change before it parks, or we see it parked here.
        if (parked && at < parkedUntil) LockSupport.unpark(thread);
    }

    private void runReporting(Runnable task) {
        try {
            task.run();
        } catch (Throwable e) {
            reportFailure(e);
        }
    }

    /** {@link #call(Callable)} for a task without a result. */
    public void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    /**
     * Starts a reader thread for {@code source}; frames it reads are delivered to {@code sink}
     * on the loop thread. At most {@code queueLimit} frames wait for the loop; more are
     * dropped (counted). The loop owns the source from now on: closing the loop closes it.
     */
    public IoRegistration register(String name, IoSource source, FrameSink sink, int queueLimit) {
        return register(name, source, sink, queueLimit, null);
    }

    /**
     * {@link #register(String, IoSource, FrameSink, int)}, where frames {@code sheddable} accepts
     * (e.g. connection requests) are dropped already once half the queue is taken, keeping the
     * other half for the rest (null: no such frames).
     */
    public IoRegistration register(String name, IoSource source, FrameSink sink, int queueLimit,
                                   java.util.function.Predicate<byte[]> sheddable) {
        return register(name, source, sink, queueLimit, sheddable, queueLimit / 2);
    }

    /**
     * {@link #register(String, IoSource, FrameSink, int, java.util.function.Predicate)}, where
     * sheddable frames are dropped once {@code shedAt} frames wait (1..queueLimit): a low mark
     * bounds how long the other frames wait behind a flood of sheddable ones.
     */
    public IoRegistration register(String name, IoSource source, FrameSink sink, int queueLimit,
                                   java.util.function.Predicate<byte[]> sheddable, int shedAt) {
        if (closing) throw new RejectedExecutionException("event loop closed");
        IoRegistration r = new IoRegistration(this, name, source, sink, queueLimit, sheddable, shedAt);
        registrations.add(r);
        r.start();
        return r;
    }

    void unregister(IoRegistration r) { registrations.remove(r); }

    void reportFailure(Throwable t) {
        failures.incrementAndGet();
        try {
            failureHandler.accept(t);
        } catch (Throwable ignored) {
            // A failing handler must not take the loop down with it.
        }
    }

    void addWaiter(Signal s) { waiting.add(s); }

    void removeWaiter(Signal s) { waiting.remove(s); }

    /**
     * Stops the loop: closes the IoSources, lets the task in progress finish, cancels tasks
     * not yet run (their {@link #call} callers get RejectedExecutionException), wakes every
     * thread waiting on a {@link Signal} of this loop, and joins the loop thread (unless
     * called on it). Idempotent.
     */
    @Override public void close() {
        if (closing) {
            awaitTermination();
            return;
        }
        closing = true;
        for (IoRegistration r : registrations) r.close();
        LockSupport.unpark(thread);
        awaitTermination();
    }

    private void awaitTermination() {
        if (inLoop()) return;
        boolean interrupted = false;
        while (true) {
            try {
                terminated.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Waits up to {@code timeout} for the loop thread to finish; true if it did. */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    private void run() {
        try {
            boolean worked = false;
            while (!closing) {
                long now, at, runs;
                work.lock();
                owner = thread;
                try {
                    if (runTasks() > 0) worked = true;
                    if (closing) break;
                    now = now();
                    at = pollAt();
                    runs = inlineRuns;
                    if (at <= now) {
                        poll(now);
                        worked = true;
                        continue;
                    }
                } finally {
                    owner = null;
                    work.unlock();
                }
                boolean spin = worked && spinNs > 0;
                worked = false;
                if (spin && spinForTask(Math.min(now + spinNs, at))) continue;
                parkedUntil = at;
                parked = true;
                // Re-check after publishing 'parked': a task added (or inline work done) before
                // this point is seen here; one added after it sees parked == true and unparks us.
                if (tasks.isEmpty() && !closing && runs == inlineRuns) {
                    if (at == Time.NEVER) LockSupport.park(this);
                    else LockSupport.parkNanos(this, at - now);
                }
                parked = false;
                Thread.interrupted(); // nobody should interrupt the loop; never let it spin
            }
        } finally {
            closed = true;
            Runnable t;
            while ((t = tasks.poll()) != null) {
                if (t instanceof FutureTask<?> f) f.cancel(false);
            }
            for (Signal s : waiting) s.wake();
            terminated.countDown();
        }
    }

    /** Polls the task queue until {@code until} (loop clock); true if a task arrived or the loop is closing. */
    private boolean spinForTask(long until) {
        while (true) {
            for (int i = 0; i < 64; i++) {
                if (!tasks.isEmpty() || closing) return true;
                Thread.onSpinWait();
            }
            if (now() >= until) return false;
        }
    }

    /** Runs queued tasks (at most {@link #TASK_BATCH}); returns how many ran. */
    private int runTasks() {
        int i = 0;
        while (i < TASK_BATCH) {
            Runnable t = tasks.poll();
            if (t == null) break;
            i++;
            try {
                t.run();
            } catch (Throwable e) {
                reportFailure(e);
            }
            if (closing) break;
        }
        return i;
    }

    private long pollAt() {
        try {
            return stack.pollAt();
        } catch (Throwable e) {
            reportFailure(e);
            return now() + Time.ms(10); // do not spin on a broken stack
        }
    }

    private void poll(long now) {
        polls.incrementAndGet();
        try {
            stack.poll(now);
        } catch (Throwable e) {
            reportFailure(e);
        }
    }

    /** True once the loop thread has finished. */
    public boolean isTerminated() { return closed; }

    @Override public String toString() {
        return "EventLoop[" + thread.getName() + (closing ? ", closed" : "") + ", polls=" + polls + "]";
    }
}
