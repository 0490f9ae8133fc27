package io.quiver.server.serving;

import io.quiver.common.concurrent.AdmissionLimit;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model version's inference threads and its bounded queue. A request that finds every worker
 * busy and the queue full is refused at once with 503 and Retry-After instead of waiting without
 * bound.
 */
final class Workers {
    private final ThreadPoolExecutor executor;
    private final AdmissionLimit admission;

    Workers(String label, int threads, int maxQueue, int retryAfterSeconds, Runnable onTerminated) {
        this.admission = new AdmissionLimit("model " + label, threads + maxQueue, retryAfterSeconds);
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
        admission.enter();
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    result.complete(task.call());
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                } finally {
                    admission.leave();
                }
            });
        } catch (RejectedExecutionException e) {
            admission.leave();
            return Optional.empty();
        }
        return Optional.of(result);
    }

    int threads() {
        return executor.getMaximumPoolSize();
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
        executor.shutdown();
    }
}
