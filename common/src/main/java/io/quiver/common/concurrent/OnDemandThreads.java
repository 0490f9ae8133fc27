package io.quiver.common.concurrent;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The threads of one work queue, which exist only while there is work: a thread is started when
 * more work is queued than threads wait for it (up to {@code max}), and a thread ends once it has
 * waited {@code idleTimeout} for work, or as soon as it finds none after {@link #retireIdle()}.
 *
 * <p>The owner keeps its queue under {@link #lock()}, calls {@link #arrived(int)} after queueing,
 * and runs {@code loop} on each thread: the loop takes work while there is some, waiting with
 * {@link #awaitWork(long)}, and returns when that says to end.
 *
 * <p>A caller may run a piece of work itself instead ({@link #callerRuns()}): until it is done
 * it counts as one of these threads for {@link #stop()}, which waits for it before terminating.
 */
public final class OnDemandThreads {
    private final String name;
    private final int max;
    private final long idleNanos;
    private final Runnable loop;
    private final BooleanSupplier workQueued;
    private final Runnable onTerminated;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Threads started and not yet ended. */
    private int live;
    /** Live threads waiting in {@link #awaitWork(long)}. */
    private int idle;
    /** Callers running a piece of work themselves ({@link #callerRuns()}). */
    private int callers;
    /** Set by {@link #retireIdle()} until work arrives: a thread that finds no work meanwhile ends. */
    private boolean retiring;
    private boolean stopping;
    private long named;

    /**
     * @param name          threads are called {@code name-1}, {@code name-2}, ...
     * @param workQueued    whether the owner's queue holds work; read under the lock
     * @param onTerminated  called once, after {@link #stop()}, when the last thread has ended
     */
    public OnDemandThreads(String name, int max, Duration idleTimeout, Runnable loop, BooleanSupplier workQueued,
                           Runnable onTerminated) {
        this.name = name;
        this.max = max;
        this.idleNanos = idleTimeout.toNanos();
        this.loop = loop;
        this.workQueued = workQueued;
        this.onTerminated = onTerminated;
    }

    /** The lock that guards the owner's queue and this bookkeeping. */
    public ReentrantLock lock() {
        return lock;
    }

    /** Signalled when work arrives; the owner may signal it for its own reasons too. Use under the lock. */
    public Condition changed() {
        return changed;
    }

    /** Whether {@link #stop()} was called: the owner takes no new work. Call under the lock. */
    public boolean stopping() {
        return stopping;
    }

    /**
     * Work was queued and the queue now holds {@code queued}: a thread waiting for work takes each
     * one, and work beyond those gets a thread of its own while fewer than {@code max} run. Call
     * under the lock.
     */
    public void arrived(int queued) {
        retiring = false;
        if (queued > idle && live < max) {
            start();
        }
        changed.signal();
    }

    /**
     * The calling thread runs a piece of work itself rather than queueing it; false when stopping,
     * and then it must not. Call under the lock, and {@link #callerDone()} when the work is done.
     */
    public boolean callerRuns() {
        if (stopping) {
            return false;
        }
        callers++;
        return true;
    }

    /** The work of {@link #callerRuns()} is done; the last of the threads and callers to finish after {@link #stop()} terminates. */
    public void callerDone() {
        boolean last;
        lock.lock();
        try {
            callers--;
            last = stopping && allDone();
        } finally {
            lock.unlock();
        }
        if (last) {
            onTerminated.run();
        }
    }

    /** No thread is left and no caller runs work: once stopping, the moment to terminate. Under the lock. */
    private boolean allDone() {
        return live == 0 && callers == 0;
    }

    private void start() {
        Thread thread = new Thread(this::run, name + "-" + ++named);
        thread.setDaemon(true);
        live++;
        thread.start();
    }

    private void run() {
        try {
            loop.run();
        } finally {
            ended();
        }
    }

    /** When a thread that finds no work should stop waiting for it: now plus the idle time. */
    public long idleDeadline() {
        return System.nanoTime() + idleNanos;
    }

    /**
     * Waits for work until {@code deadline}. Call under the lock with the queue empty; false when
     * the thread should end instead: stopping, retired, or idle past its deadline.
     */
    public boolean awaitWork(long deadline) throws InterruptedException {
        long wait = deadline - System.nanoTime();
        if (stopping || retiring || wait <= 0) {
            return false;
        }
        idle++;
        try {
            changed.awaitNanos(wait);
        } finally {
            idle--;
        }
        return true;
    }

    private void ended() {
        boolean last;
        lock.lock();
        try {
            live--;
            last = stopping && allDone();
            if (!stopping && workQueued.getAsBoolean()) {
                // Only an interrupted thread ends with work queued; that work must still run.
                arrived(Integer.MAX_VALUE);
            }
        } finally {
            lock.unlock();
        }
        if (last) {
            onTerminated.run();
        }
    }

    /**
     * Ends the threads that are waiting for work, and those that finish their work before more
     * arrives; the next work starts threads again.
     */
    public void retireIdle() {
        lock.lock();
        try {
            retiring = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Takes no new work; the threads finish what is queued and end, then {@code onTerminated} is called. */
    public void stop() {
        boolean last;
        lock.lock();
        try {
            if (stopping) {
                return;
            }
            stopping = true;
            changed.signalAll();
            last = allDone();
        } finally {
            lock.unlock();
        }
        if (last) {
            onTerminated.run();
        }
    }

    /** The most threads that run at once. */
    public int max() {
        return max;
    }

    /** Threads running now: none while there has been no work for the idle time. */
    public int live() {
        lock.lock();
        try {
            return live;
        } finally {
            lock.unlock();
        }
    }
}
