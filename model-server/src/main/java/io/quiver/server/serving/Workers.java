package io.quiver.server.serving;

import io.quiver.common.concurrent.AdmissionLimit;
import io.quiver.common.concurrent.InlineRuns;
import io.quiver.common.concurrent.OnDemandThreads;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A model version's inference threads and its bounded queue. A request that finds every worker
 * busy and the queue full is refused at once with 503 and Retry-After instead of waiting without
 * bound.
 *
 * <p>Threads exist only while there is work ({@link OnDemandThreads}): requests start them, up to
 * the version's thread count, and they end after {@code idleTimeout} without work, or as soon as
 * they have none after {@link #retireIdle()} (the version's session was evicted). A server holding
 * many versions, most of them idle or evicted, so keeps threads for the ones in use.
 *
 * <p>When its runs are short and requests have not been overlapping, a request that finds the
 * version idle runs on the thread that submitted it, without a hand-off ({@link InlineRuns}).
 */
final class Workers {
    private final AdmissionLimit admission;
    private final OnDemandThreads threads;
    private final ReentrantLock lock;
    private final InlineRuns inline;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    /** Tasks running, on these threads or their callers'; under the lock. */
    private int running;

    Workers(String label, int threads, int maxQueue, int retryAfterSeconds, Duration idleTimeout, InlineRuns inline,
            Runnable onTerminated) {
        this.inline = inline;
        this.admission = new AdmissionLimit("model " + label, threads + maxQueue, retryAfterSeconds);
        this.threads = new OnDemandThreads("infer-" + label, threads, idleTimeout, this::work, () -> !tasks.isEmpty(),
                onTerminated);
        this.lock = this.threads.lock();
    }

    /**
     * Queues the task, or runs it at once on this thread (see {@link InlineRuns}) and completes its
     * result before returning; empty when these workers are draining and take no new work.
     */
    <T> Optional<CompletableFuture<T>> submit(Callable<T> task) {
        admission.enter();
        CompletableFuture<T> result = new CompletableFuture<>();
        // The task counts as finished before its result completes: completing runs the result's
        // dependents (encoding the response) on this thread, and a request arriving meanwhile should
        // find the version idle rather than busy with an answer.
        Runnable queued = () -> {
            T value = null;
            Throwable failure = null;
            long started = System.nanoTime();
            try {
                value = task.call();
                inline.ran(1, System.nanoTime() - started);
            } catch (Throwable e) {
                failure = e;
            } finally {
                finished();
            }
            try {
                if (failure == null) {
                    result.complete(value);
                } else {
                    result.completeExceptionally(failure);
                }
            } finally {
                admission.leave();
            }
        };
        boolean here;
        lock.lock();
        try {
            if (threads.stopping()) {
                admission.leave();
                return Optional.empty();
            }
            here = inline.arrived(running > 0 || !tasks.isEmpty(), 1) && threads.callerRuns();
            if (here) {
                running++;
            } else {
                tasks.addLast(queued);
                threads.arrived(tasks.size());
            }
        } finally {
            lock.unlock();
        }
        if (here) {
            try {
                queued.run();
            } finally {
                threads.callerDone();
            }
        }
        return Optional.of(result);
    }

    private void work() {
        try {
            Runnable task;
            while ((task = next()) != null) {
                task.run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether no task is running or waiting: a task now may run inline. */
    boolean idle() {
        lock.lock();
        try {
            return running == 0 && tasks.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    private void finished() {
        lock.lock();
        try {
            running--;
        } finally {
            lock.unlock();
        }
    }

    /** The next task; null when this thread should end. */
    private Runnable next() throws InterruptedException {
        lock.lock();
        try {
            long deadline = threads.idleDeadline();
            while (tasks.isEmpty()) {
                if (!threads.awaitWork(deadline)) {
                    return null;
                }
            }
            running++;
            return tasks.pollFirst();
        } finally {
            lock.unlock();
        }
    }

    /** Ends the threads waiting for work; see {@link OnDemandThreads#retireIdle()}. */
    void retireIdle() {
        threads.retireIdle();
    }

    int threads() {
        return threads.max();
    }

    /** Threads running now: at most {@link #threads()}, none while the version is idle. */
    int liveThreads() {
        return threads.live();
    }

    int capacity() {
        return admission.capacity();
    }

    /** Requests running or waiting. */
    int inFlight() {
        return admission.inUse();
    }

    /** Lets queued requests finish, takes no new ones, then calls the termination hook. */
    void drainAndStop() {
        threads.stop();
    }
}
