package io.quiver.server.batching;

import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.Tensor;
import io.quiver.server.statistics.RequestTimes;
import io.quiver.server.tracing.BatchTrace;
import io.quiver.server.tracing.RequestTrace;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Runs a batch taken from the queue and answers every request in it, whatever becomes of the run:
 * a merged run that fails, or whose outputs cannot be cut back into rows, is run again request by
 * request, so that only a request at fault fails. An {@link Error} fails the whole batch and
 * nothing more: the thread that met it goes on serving.
 */
final class BatchRunner {
    private static final Logger LOG = Logger.getLogger(BatchRunner.class);

    private final String label;
    private final int maxRows;
    private final BatchEngine engine;
    private final RunObserver observer;
    private final RunObserver timings;
    private final Runnable answered;

    /**
     * @param observer  told of every run of clients' requests
     * @param timings   told of every run, the server's own warm-up requests' too
     * @param answered  called once per request answered, after its result is complete
     */
    BatchRunner(String label, int maxRows, BatchEngine engine, RunObserver observer, RunObserver timings,
                Runnable answered) {
        this.label = label;
        this.maxRows = maxRows;
        this.engine = engine;
        this.observer = observer;
        this.timings = timings;
        this.answered = answered;
    }

    /**
     * Runs the batch in a {@code batch} span when any of its requests is traced (see {@link BatchTrace}),
     * calls {@code runsOver} once the model's runs for it have ended, and then answers its requests.
     * Answering runs the answers' dependents (encoding each response) on this thread, so the runs
     * count as over first: a request arriving meanwhile finds the model idle, not busy with answers.
     */
    void run(List<QueuedRequest> batch, Runnable runsOver) {
        long started = System.nanoTime();
        int total = 0;
        for (QueuedRequest pending : batch) {
            pending.times().queued(started - pending.arrivedNanos());
            RequestTrace.dequeued(pending.trace(), batch.size());
            total += pending.rows();
        }
        BatchTrace trace = BatchTrace.of(batch, QueuedRequest::trace, label, total);
        Answers answers = new Answers(batch.size());
        Throwable failed = null;
        try {
            try {
                failed = run(batch, trace, answers);
            } catch (RuntimeException | Error e) {
                failed = e;
                throw e;
            } finally {
                runsOver.run();
            }
        } finally {
            answers.deliver(batch, failed);
            BatchTrace.end(trace, failed);
        }
    }

    /** Runs the batch and settles its answers; what failed the whole of it, or null. */
    private Throwable run(List<QueuedRequest> batch, BatchTrace trace, Answers answers) {
        if (batch.size() == 1) {
            runAlone(batch.get(0), trace, answers);
            return null;
        }
        int[] rows = new int[batch.size()];
        List<InferenceRequest> requests = new ArrayList<>(batch.size());
        // A merged run is the server's own warm-up only when every request in it is.
        boolean warmup = true;
        for (int i = 0; i < rows.length; i++) {
            rows[i] = batch.get(i).rows();
            requests.add(batch.get(i).request());
            warmup &= batch.get(i).times().warmup();
        }
        List<List<Tensor>> shares = null;
        RequestTimes shared = new RequestTimes(warmup);
        try {
            long runStarted = System.nanoTime();
            List<Tensor> outputs = BatchTrace.run(trace, label, sum(rows), () -> engine.run(RowBatches.merge(requests), shared));
            long took = System.nanoTime() - runStarted;
            timings.ran(sum(rows), took);
            shares = RowBatches.split(outputs, rows);
            if (shares != null) {
                if (!shared.warmup()) {
                    observer.ran(sum(rows), took);
                }
            } else {
                LOG.debugf("model %s answered a merged run with outputs whose rows cannot be told apart", label);
            }
        } catch (RuntimeException e) {
            // One request's values may be what the model refused: alone, only that one fails.
            LOG.debugf(e, "a merged run of %d requests for %s failed; running them one by one", batch.size(), label);
        } catch (Error e) {
            // Not a property of one request's values, so running them again alone would only meet it
            // again; each request is answered (a 500) and gives back its place, and the thread serves on.
            LOG.errorf(e, "a merged run of %d requests for %s failed", batch.size(), label);
            batch.forEach(pending -> answers.add(pending, null, e));
            return e;
        }
        if (shares == null) {
            batch.forEach(pending -> runAlone(pending, trace, answers));
            return null;
        }
        for (int i = 0; i < rows.length; i++) {
            batch.get(i).times().add(shared);
            answers.add(batch.get(i), shares.get(i), null);
        }
        return null;
    }

    private List<Tensor> timedRun(InferenceRequest request, int rows, RequestTimes times, BatchTrace trace) {
        long started = System.nanoTime();
        List<Tensor> outputs = BatchTrace.run(trace, label, rows, () -> engine.run(request, times));
        long took = System.nanoTime() - started;
        timings.ran(rows, took);
        if (!times.warmup()) {
            observer.ran(rows, took);
        }
        return outputs;
    }

    /** Runs one request by itself; one with more rows than a batch may hold runs in slices of at most that many. */
    private void runAlone(QueuedRequest pending, BatchTrace trace, Answers answers) {
        try {
            if (!pending.mergeable() || pending.rows() <= maxRows) {
                answers.add(pending, timedRun(pending.request(), pending.rows(), pending.times(), trace), null);
                return;
            }
            List<List<Tensor>> slices = new ArrayList<>();
            for (int from = 0; from < pending.rows(); from += maxRows) {
                int to = Math.min(pending.rows(), from + maxRows);
                slices.add(timedRun(RowBatches.slice(pending.request(), from, to), to - from, pending.times(), trace));
            }
            answers.add(pending, RowBatches.join(slices), null);
        } catch (Throwable e) {
            answers.add(pending, null, e);
        }
    }

    void answer(QueuedRequest pending, List<Tensor> outputs, Throwable failure) {
        try {
            if (failure == null) {
                pending.result().complete(outputs);
            } else {
                pending.result().completeExceptionally(failure);
            }
        } finally {
            answered.run();
        }
    }

    /** A batch's answers, settled as its runs end and handed out together once they all have. */
    private final class Answers {
        private record Settled(QueuedRequest pending, List<Tensor> outputs, Throwable failure) {
        }

        private final List<Settled> settled;

        Answers(int size) {
            settled = new ArrayList<>(size);
        }

        void add(QueuedRequest pending, List<Tensor> outputs, Throwable failure) {
            settled.add(new Settled(pending, outputs, failure));
        }

        /** Answers every request settled, then fails any of the batch left unsettled by {@code escaped}. */
        void deliver(List<QueuedRequest> batch, Throwable escaped) {
            settled.forEach(answer -> answer(answer.pending(), answer.outputs(), answer.failure()));
            if (settled.size() < batch.size()) {
                Throwable cause = escaped != null ? escaped : new IllegalStateException("the run gave no answer");
                batch.stream().filter(pending -> !pending.result().isDone()).forEach(pending -> answer(pending, null, cause));
            }
        }
    }

    private static int sum(int[] values) {
        int total = 0;
        for (int v : values) {
            total += v;
        }
        return total;
    }
}
