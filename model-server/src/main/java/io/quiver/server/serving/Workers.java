package io.quiver.server.serving;

import io.quiver.common.error.UnavailableException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model version's inference threads and its bounded queue. A request that finds every worker
 * busy and the queue full is refused at once with 503 and Retry-After instead of waiting without
 * bound.
 */
final class Workers {
    private final String label;
    private final ThreadPoolExecutor executor;
    private final Semaphore admission;
    private final int capacity;
    private final int retryAfterSeconds;

    Workers(String label, int threads, int maxQueue, int retryAfterSeconds, Runnable onTerminated) {
        this.label = label;
        this.capacity = threads + maxQueue;
        this.admission = new Semaphore(capacity);
        this.retryAfterSeconds = retryAfterSeconds;
        AtomicInteger counter = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                task -> {
                    Thread thread = new Thread(task, "infer-" + label + "-" + counter.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }) {
            @Override
            protected void terminated() {
                onTerminated.run();
            }
        };
    }

    /** Queues the task; empty when these workers are draining and take no new work. */
    <T> Optional<CompletableFuture<T>> submit(Callable<T> task) {
        if (!admission.tryAcquire()) {
            throw new UnavailableException("model " + label + " is busy: " + capacity
                    + " requests are running or queued; retry later", retryAfterSeconds);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    result.complete(task.call());
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                } finally {
                    admission.release();
                }
            });
        } catch (RejectedExecutionException e) {
            admission.release();
            return Optional.empty();
        }
        return Optional.of(result);
    }

    int threads() {
        return executor.getMaximumPoolSize();
    }

    int capacity() {
        return capacity;
    }

    /** Requests running or waiting. */
    int inFlight() {
        return capacity - admission.availablePermits();
    }

    /** Lets queued requests finish, takes no new ones, then calls the termination hook. */
    void drainAndStop() {
        executor.shutdown();
    }
}
