package io.quiver.server.serving;

import io.quiver.common.concurrent.AdmissionLimit;
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
 */
final class Workers {
    private final AdmissionLimit admission;
    private final OnDemandThreads threads;
    private final ReentrantLock lock;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    Workers(String label, int threads, int maxQueue, int retryAfterSeconds, Duration idleTimeout, Runnable onTerminated) {
        this.admission = new AdmissionLimit("model " + label, threads + maxQueue, retryAfterSeconds);
        this.threads = new OnDemandThreads("infer-" + label, threads, idleTimeout, this::work, () -> !tasks.isEmpty(),
                onTerminated);
        this.lock = this.threads.lock();
    }

    /** Queues the task; empty when these workers are draining and take no new work. */
    <T> Optional<CompletableFuture<T>> submit(Callable<T> task) {
        admission.enter();
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable queued = () -> {
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            } finally {
                admission.leave();
            }
        };
        lock.lock();
        try {
            if (threads.stopping()) {
                admission.leave();
                return Optional.empty();
            }
            tasks.addLast(queued);
            threads.arrived(tasks.size());
        } finally {
            lock.unlock();
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
