package io.quiver.server.batching;

import io.quiver.common.concurrent.AdmissionLimit;
import io.quiver.common.error.UnavailableException;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import org.jboss.logging.Logger;

/**
 * A model version's inference threads, fed from one queue whose compatible requests are merged:
 * a thread takes the oldest request and every queued request that can share its run, up to
 * {@link BatchingPolicy#maxBatchSize()} rows.
 *
 * <p>While another batch of this model runs, the gathering thread waits for more requests to
 * join, until that run ends, the batch is full or {@link BatchingPolicy#maxQueueDelay()} has
 * passed since the oldest arrived. A request that finds the model idle runs at once: with no run
 * in progress there is no sign of concurrent clients, and a lone client should not pay the delay.
 * Under load the queue fills while runs are in progress, so batches grow with the load.
 *
 * <p>Admission is bounded as for unbatched models: at most {@code threads + maxQueue} requests
 * running or queued, beyond which a request is refused at once with 503 and Retry-After.
 */
public final class DynamicBatcher {
    private static final Logger LOG = Logger.getLogger(DynamicBatcher.class);

    private final String label;
    private final int maxRows;
    private final long delayNanos;
    private final int threads;
    private final BatchEngine engine;
    private final IntConsumer runRows;
    private final AdmissionLimit admission;
    private final Runnable onTerminated;
    private final AtomicInteger alive;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a request arrives or a run ends: either may end a gathering thread's wait. */
    private final Condition changed = lock.newCondition();
    /** Held by the one thread forming the next batch; the others wait here for their turn. */
    private final ReentrantLock gathering = new ReentrantLock();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private int queuedRows;
    private int running;
    private boolean stopping;

    /** A queued request; {@code key} is null when it cannot share a run (see {@link RowBatches#mergeKey}). */
    private record Pending(InferenceRequest request, String key, int rows, long arrivedNanos,
                           CompletableFuture<List<Tensor>> result) {
    }

    /**
     * @param runRows       told the rows of every run, for the batch-size metric
     * @param onTerminated  called once the batcher has stopped and its last request is answered
     */
    public DynamicBatcher(String label, BatchingPolicy policy, int threads, int maxQueue, int retryAfterSeconds,
                          BatchEngine engine, IntConsumer runRows, Runnable onTerminated) {
        this.label = label;
        this.maxRows = policy.maxBatchSize();
        this.delayNanos = policy.maxQueueDelay().toNanos();
        this.threads = threads;
        this.engine = engine;
        this.runRows = runRows;
        this.admission = new AdmissionLimit("model " + label, threads + maxQueue, retryAfterSeconds);
        this.onTerminated = onTerminated;
        this.alive = new AtomicInteger(threads);
        for (int i = 1; i <= threads; i++) {
            Thread thread = new Thread(this::work, "batch-" + label + "-" + i);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Queues a validated request; empty when the batcher is stopping and takes no new work. */
    public Optional<CompletableFuture<List<Tensor>>> submit(InferenceRequest request) {
        admission.enter();
        String key = RowBatches.mergeKey(request);
        Pending pending = new Pending(request, key, key == null ? 1 : RowBatches.rows(request), System.nanoTime(),
                new CompletableFuture<>());
        lock.lock();
        try {
            if (stopping) {
                admission.leave();
                return Optional.empty();
            }
            queue.addLast(pending);
            queuedRows += pending.rows();
            changed.signal();
        } finally {
            lock.unlock();
        }
        return Optional.of(pending.result());
    }

    /** Takes no new requests, answers the queued ones, then calls the termination hook. */
    public void drainAndStop() {
        lock.lock();
        try {
            stopping = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public int threads() {
        return threads;
    }

    public int capacity() {
        return admission.capacity();
    }

    /** Requests running or waiting. */
    public int inFlight() {
        return admission.inUse();
    }

    private void work() {
        try {
            List<Pending> batch;
            while ((batch = next()) != null) {
                try {
                    run(batch);
                } finally {
                    ended();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (alive.decrementAndGet() == 0) {
                failLeftovers();
                onTerminated.run();
            }
        }
    }

    /** The next batch, once it is full or its oldest request has waited long enough; null once stopped and empty. */
    private List<Pending> next() throws InterruptedException {
        gathering.lockInterruptibly();
        try {
            lock.lockInterruptibly();
            try {
                while (queue.isEmpty()) {
                    if (stopping) {
                        return null;
                    }
                    changed.await();
                }
                long deadline = queue.peekFirst().arrivedNanos() + delayNanos;
                while (running > 0 && !stopping && !canFill()) {
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
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the queue already holds a full batch for the oldest request, so waiting gains nothing. */
    private boolean canFill() {
        if (queuedRows < maxRows) {
            return false;
        }
        Pending head = queue.peekFirst();
        if (head.key() == null) {
            return true;
        }
        int rows = 0;
        for (Pending pending : queue) {
            if (head.key().equals(pending.key())) {
                rows += pending.rows();
                if (rows >= maxRows) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Removes the oldest request and the queued requests that fit in its run. */
    private List<Pending> take() {
        Pending head = queue.pollFirst();
        queuedRows -= head.rows();
        List<Pending> batch = new ArrayList<>();
        batch.add(head);
        int rows = head.rows();
        if (head.key() == null) {
            return batch;
        }
        for (Iterator<Pending> it = queue.iterator(); it.hasNext() && rows < maxRows; ) {
            Pending pending = it.next();
            if (head.key().equals(pending.key()) && rows + pending.rows() <= maxRows) {
                it.remove();
                queuedRows -= pending.rows();
                rows += pending.rows();
                batch.add(pending);
            }
        }
        return batch;
    }

    private void run(List<Pending> batch) {
        if (batch.size() == 1) {
            runAlone(batch.get(0));
            return;
        }
        int[] rows = new int[batch.size()];
        List<InferenceRequest> requests = new ArrayList<>(batch.size());
        for (int i = 0; i < rows.length; i++) {
            rows[i] = batch.get(i).rows();
            requests.add(batch.get(i).request());
        }
        List<List<Tensor>> shares = null;
        try {
            shares = RowBatches.split(engine.run(RowBatches.merge(requests)), rows);
            if (shares != null) {
                runRows.accept(sum(rows));
            } else {
                LOG.debugf("model %s answered a merged run with outputs whose rows cannot be told apart", label);
            }
        } catch (RuntimeException e) {
            // One request's values may be what the model refused: alone, only that one fails.
            LOG.debugf(e, "a merged run of %d requests for %s failed; running them one by one", batch.size(), label);
        }
        if (shares == null) {
            batch.forEach(this::runAlone);
            return;
        }
        for (int i = 0; i < rows.length; i++) {
            answer(batch.get(i), shares.get(i), null);
        }
    }

    /** Runs one request by itself; one with more rows than a batch may hold runs in slices of at most that many. */
    private void runAlone(Pending pending) {
        try {
            if (pending.key() == null || pending.rows() <= maxRows) {
                List<Tensor> outputs = engine.run(pending.request());
                runRows.accept(pending.rows());
                answer(pending, outputs, null);
                return;
            }
            List<List<Tensor>> slices = new ArrayList<>();
            for (int from = 0; from < pending.rows(); from += maxRows) {
                int to = Math.min(pending.rows(), from + maxRows);
                slices.add(engine.run(RowBatches.slice(pending.request(), from, to)));
                runRows.accept(to - from);
            }
            answer(pending, RowBatches.join(slices), null);
        } catch (Throwable e) {
            answer(pending, null, e);
        }
    }

    private void answer(Pending pending, List<Tensor> outputs, Throwable failure) {
        try {
            if (failure == null) {
                pending.result().complete(outputs);
            } else {
                pending.result().completeExceptionally(failure);
            }
        } finally {
            admission.leave();
        }
    }

    /** Answers what is still queued when no thread is left to run it. */
    private void failLeftovers() {
        List<Pending> left;
        lock.lock();
        try {
            stopping = true;
            left = new ArrayList<>(queue);
            queue.clear();
            queuedRows = 0;
        } finally {
            lock.unlock();
        }
        left.forEach(p -> answer(p, null, new UnavailableException("model " + label + " stopped; retry", 1)));
    }

    private static int sum(int[] values) {
        int total = 0;
        for (int v : values) {
            total += v;
        }
        return total;
    }
}
