package io.quiver.server.batching;

import io.quiver.common.concurrent.AdmissionLimit;
import io.quiver.common.concurrent.InlineRuns;
import io.quiver.common.concurrent.OnDemandThreads;
import io.quiver.common.error.UnavailableException;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.Tensor;
import io.quiver.server.statistics.RequestTimes;
import io.quiver.server.tracing.RequestTrace;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A model version's inference threads, fed from one queue whose compatible requests are merged:
 * a thread takes the oldest request and every queued request that can share its run, up to
 * {@link BatchingPolicy#maxBatchSize()} rows.
 *
 * <p>While another batch of this model runs, the gathering thread waits for more requests to
 * join, until that run ends, the batch is full or {@link BatchingPolicy#maxQueueDelay()} has
 * passed since the oldest arrived. A request that finds the model idle runs at once: with no run
 * in progress there is no sign of concurrent clients, and a lone client should not pay the delay.
 * Under load the queue fills while runs are in progress, so batches grow with the load. When its
 * runs are short and requests have not been overlapping, such a request runs on the thread that
 * submitted it, without a hand-off to the batcher's threads ({@link InlineRuns}).
 *
 * <p>Admission is bounded as for unbatched models: at most {@code threads + maxQueue} requests
 * running or queued, beyond which a request is refused at once with 503 and Retry-After.
 *
 * <p>Threads exist only while there is work ({@link OnDemandThreads}): requests start them, up to
 * {@code threads}, and they end after {@code idleTimeout} without work, or as soon as they have none
 * after {@link #retireIdle()} (the version's session was evicted).
 */
public final class DynamicBatcher {
    private final String label;
    private final int maxRows;
    private final long delayNanos;
    private final BatchRunner runner;
    private final AdmissionLimit admission;
    private final OnDemandThreads threads;
    private final InlineRuns inline;

    private final ReentrantLock lock;
    /** Signalled when a request arrives or a run ends: either may end a gathering thread's wait. */
    private final Condition changed;
    /** Held by the one thread forming the next batch; the others wait here for their turn. */
    private final ReentrantLock gathering = new ReentrantLock();
    private final ArrayDeque<QueuedRequest> queue = new ArrayDeque<>();
    private int queuedRows;
    private int running;

    /**
     * @param inline        when a request runs on the thread that submitted it; told of every run
     * @param observer      told the rows and duration of every client's run, for the metrics
     * @param onTerminated  called once the batcher has stopped and its last request is answered
     */
    public DynamicBatcher(String label, BatchingPolicy policy, int threads, int maxQueue, int retryAfterSeconds,
                          Duration idleTimeout, InlineRuns inline, BatchEngine engine, RunObserver observer,
                          Runnable onTerminated) {
        this.label = label;
        this.maxRows = policy.maxBatchSize();
        this.delayNanos = policy.maxQueueDelay().toNanos();
        this.inline = inline;
        this.admission = new AdmissionLimit("model " + label, threads + maxQueue, retryAfterSeconds);
        this.runner = new BatchRunner(label, maxRows, engine, observer, inline::ran, admission::leave);
        this.threads = new OnDemandThreads("batch-" + label, threads, idleTimeout, this::work, () -> !queue.isEmpty(),
                () -> {
                    failLeftovers();
                    onTerminated.run();
                });
        this.lock = this.threads.lock();
        this.changed = this.threads.changed();
    }

    /**
     * Queues a validated request, or runs it at once on this thread (see {@link InlineRuns}) and
     * answers it before returning; empty when the batcher is stopping and takes no new work.
     */
    public Optional<CompletableFuture<List<Tensor>>> submit(InferenceRequest request) {
        return submit(request, new RequestTimes());
    }

    /** As {@link #submit(InferenceRequest)}, telling {@code times} how long the request waited and ran. */
    public Optional<CompletableFuture<List<Tensor>>> submit(InferenceRequest request, RequestTimes times) {
        return submit(request, times, null);
    }

    /** As {@link #submit(InferenceRequest, RequestTimes)}, carrying the request's {@code trace} to its run (null when not traced). */
    public Optional<CompletableFuture<List<Tensor>>> submit(InferenceRequest request, RequestTimes times, RequestTrace trace) {
        admission.enter();
        boolean mergeable = RowBatches.mergeable(request);
        QueuedRequest pending = new QueuedRequest(request, mergeable, mergeable ? RowBatches.rows(request) : 1,
                System.nanoTime(), new CompletableFuture<>(), times, trace);
        boolean here;
        lock.lock();
        try {
            if (threads.stopping()) {
                admission.leave();
                return Optional.empty();
            }
            here = inline.arrived(running > 0 || !queue.isEmpty(), pending.rows()) && threads.callerRuns();
            if (here) {
                // Counted as running, so requests arriving meanwhile gather behind it as behind any run.
                running++;
            } else {
                queue.addLast(pending);
                queuedRows += pending.rows();
                // Also wakes the gathering thread, which waits for the queue to fill as well as for work.
                threads.arrived(queue.size());
            }
        } finally {
            lock.unlock();
        }
        if (here) {
            try {
                runner.run(List.of(pending), this::ended);
            } finally {
                threads.callerDone();
            }
        }
        return Optional.of(pending.result());
    }

    /** Takes no new requests, answers the queued ones, then calls the termination hook. */
    public void drainAndStop() {
        threads.stop();
    }

    /** Ends the threads waiting for work; see {@link OnDemandThreads#retireIdle()}. */
    public void retireIdle() {
        threads.retireIdle();
    }

    /** Threads running now: at most {@link #threads()}, none while the version is idle. */
    public int liveThreads() {
        return threads.live();
    }

    public int threads() {
        return threads.max();
    }

    public int capacity() {
        return admission.capacity();
    }

    /** Requests running or waiting. */
    public int inFlight() {
        return admission.inUse();
    }

    /** Whether no run is in progress and nothing waits: a request now may run inline. */
    boolean idle() {
        lock.lock();
        try {
            return running == 0 && queue.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    private void work() {
        try {
            List<QueuedRequest> batch;
            while ((batch = next()) != null) {
                runner.run(batch, this::ended);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The next batch, once it is full or its oldest request has waited long enough; null when this
     * thread should end: stopping with nothing queued, idle for the idle time, or retired.
     */
    private List<QueuedRequest> next() throws InterruptedException {
        long idleDeadline = threads.idleDeadline();
        // Another thread gathering for the idle time means this one has had nothing to do.
        if (!gathering.tryLock(idleDeadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
            return null;
        }
        try {
            lock.lockInterruptibly();
            try {
                while (queue.isEmpty()) {
                    if (!threads.awaitWork(idleDeadline)) {
                        return null;
                    }
                }
                long deadline = queue.peekFirst().arrivedNanos() + delayNanos;
                while (running > 0 && !threads.stopping() && !canFill()) {
                    long wait = deadline - System.nanoTime();
                    if (wait <= 0) {
                        break;
                    }
                    changed.awaitNanos(wait);
                }
                running++;
                return take();
            } finally {
                lock.unlock();
            }
        } finally {
            gathering.unlock();
        }
    }

    /** A run has ended: a thread gathering the next batch need not wait for it any longer. */
    private void ended() {
        lock.lock();
        try {
            running--;
            // Only the thread holding the gathering lock waits on the condition, and with nothing
            // queued it waits for work, which a run's end does not bring: waking it would cost a
            // context switch per request for nothing.
            if (!queue.isEmpty()) {
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether the queue already holds a full batch for the oldest request, so waiting gains nothing. */
    private boolean canFill() {
        if (queuedRows < maxRows) {
            return false;
        }
        QueuedRequest head = queue.peekFirst();
        if (!head.mergeable()) {
            return true;
        }
        int rows = 0;
        for (QueuedRequest pending : queue) {
            if (head.sharesRunWith(pending)) {
                rows += pending.rows();
                if (rows >= maxRows) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Removes the oldest request and the queued requests that fit in its run. */
    private List<QueuedRequest> take() {
        QueuedRequest head = queue.pollFirst();
        queuedRows -= head.rows();
        List<QueuedRequest> batch = new ArrayList<>();
        batch.add(head);
        int rows = head.rows();
        if (!head.mergeable()) {
            return batch;
        }
        for (Iterator<QueuedRequest> it = queue.iterator(); it.hasNext() && rows < maxRows; ) {
            QueuedRequest pending = it.next();
            if (head.sharesRunWith(pending) && rows + pending.rows() <= maxRows) {
                it.remove();
                queuedRows -= pending.rows();
                rows += pending.rows();
                batch.add(pending);
            }
        }
        return batch;
    }

    /** Answers what is still queued when no thread is left to run it. */
    private void failLeftovers() {
        List<QueuedRequest> left;
        lock.lock();
        try {
            left = new ArrayList<>(queue);
            queue.clear();
            queuedRows = 0;
        } finally {
            lock.unlock();
        }
        left.forEach(p -> {
            RequestTrace.notQueued(p.trace(), "model " + label + " stopped");
            runner.answer(p, null, new UnavailableException("model " + label + " stopped; retry", 1));
        });
    }
}
