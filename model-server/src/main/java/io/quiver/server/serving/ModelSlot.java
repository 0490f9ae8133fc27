package io.quiver.server.serving;

import ai.onnxruntime.OrtException;
import io.quiver.common.concurrent.InlineRuns;
import io.quiver.common.error.ApiException;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.UnavailableException;
import io.quiver.server.batching.BatchEngine;
import io.quiver.server.batching.BatchingPolicy;
import io.quiver.server.batching.DynamicBatcher;
import io.quiver.server.cache.ModelResidency;
import io.quiver.server.cache.Resident;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.OnnxModel;
import io.quiver.server.inference.RunTimes;
import io.quiver.server.inference.Tensor;
import io.quiver.server.statistics.ModelStatistics;
import io.quiver.server.statistics.RequestTimes;
import io.quiver.server.tracing.RequestTrace;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * One loaded model version: what is known of it, its workers (batching or not), and its session
 * when resident. A slot is replaced, never changed, when the same version is loaded again; the old
 * one drains.
 */
public final class ModelSlot implements Resident {
    private static final Logger LOG = Logger.getLogger(ModelSlot.class);

    private final ModelInfo info;
    /** "name:version", named on every request's trace: made once. */
    private final String label;
    private final BatchingPolicy batching;
    /** Exactly one of these runs the requests: the batcher when this version batches. */
    private final Workers workers;
    private final DynamicBatcher batcher;
    private final ModelResidency residency;
    private final int intraOpThreads;
    private final Object loading = new Object();
    private final ModelStatistics statistics = new ModelStatistics();
    private final VersionMeters meters;
    /** Whether the first dimension of every input is the batch, so a run's batch size is its rows. */
    private final boolean rowsAreBatch;
    private volatile LoadedModel loaded;
    private volatile long lastUsedNanos = System.nanoTime();

    /**
     * @param inlineRunsUnder  the longest predicted run a request may make on the thread that received it
     * @param meters           told the rows and duration of every run when this version batches
     */
    ModelSlot(ModelInfo info, OnnxModel opened, ModelResidency residency, int threads, int maxQueue,
              int retryAfterSeconds, Duration idleTimeout, Duration inlineRunsUnder, int intraOpThreads,
              BatchingPolicy batching, VersionMeters meters) {
        this.info = info;
        this.label = info.toString();
        this.meters = meters;
        this.residency = residency;
        this.intraOpThreads = intraOpThreads;
        this.loaded = new LoadedModel(opened);
        this.batching = batching;
        this.rowsAreBatch = BatchingPolicy.batchable(info.signature());
        // Only a resident session runs inline: loading an evicted one again would hold the caller,
        // often an event loop, for as long as the load takes.
        InlineRuns inline = new InlineRuns(inlineRunsUnder, () -> loaded != null);
        if (batching.enabled()) {
            this.workers = null;
            this.batcher = new DynamicBatcher(info.toString(), batching, threads, maxQueue, retryAfterSeconds, idleTimeout,
                    inline, new BatchEngine() {
                        @Override
                        public List<Tensor> run(InferenceRequest request) {
                            return ModelSlot.this.run(request, RunTimes.NONE);
                        }

                        @Override
                        public List<Tensor> run(InferenceRequest request, RunTimes times) {
                            return ModelSlot.this.run(request, times);
                        }
                    }, meters, this::stopped);
        } else {
            this.workers = new Workers(info.toString(), threads, maxQueue, retryAfterSeconds, idleTimeout, inline,
                    this::stopped);
            this.batcher = null;
        }
    }

    public ModelInfo info() {
        return info;
    }

    /** "name:version", as traces and logs name this version. */
    public String label() {
        return label;
    }

    /** How this version batches; {@link BatchingPolicy#OFF} when it does not. */
    public BatchingPolicy batching() {
        return batching;
    }

    /** This version's meters, shared with the slot that replaces it by a load of the same version. */
    VersionMeters meters() {
        return meters;
    }

    /** What this version has done since it was loaded. */
    public ModelStatistics statistics() {
        return statistics;
    }

    /**
     * Inferences in a request, as the statistics count them: its rows when the model's first
     * dimension is the batch, else 1.
     */
    int inferences(InferenceRequest request) {
        if (!rowsAreBatch || request.inputs().isEmpty() || request.inputs().get(0).shape().length == 0) {
            return 1;
        }
        return (int) request.inputs().get(0).shape()[0];
    }

    /** Queues a validated request for this version, its {@code trace} along (null when not traced); empty when the slot is draining. */
    Optional<CompletableFuture<List<Tensor>>> submit(InferenceRequest request, RequestTimes times, RequestTrace trace) {
        if (batcher != null) {
            return batcher.submit(request, times, trace);
        }
        long queued = System.nanoTime();
        return workers.submit(() -> {
            times.queued(System.nanoTime() - queued);
            RequestTrace.dequeued(trace, 1);
            return RequestTrace.run(trace, label, inferences(request), () -> run(request, times));
        });
    }

    /**
     * One run on the session, which the run holds until it ends. Call from a worker thread, or inline
     * from the receiving thread while the session is resident.
     */
    private List<Tensor> run(InferenceRequest request, RunTimes times) {
        int batchSize = inferences(request);
        try (ModelLease lease = acquire()) {
            return lease.model().run(request, (input, infer, output) -> {
                times.ran(input, infer, output);
                if (!times.warmup()) {
                    statistics.executed(batchSize, input, infer, output);
                }
            });
        } catch (OrtException e) {
            // Validation passed, so what ONNX Runtime still refuses is a property of these inputs
            // that the signature cannot express (a reshape, a value range).
            LOG.debugf(e, "model %s refused a request", info);
            throw new BadRequestException("model " + info + " could not run on these inputs: "
                    + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** The session, loading it again if it was evicted. Call from a worker thread: loading blocks. */
    ModelLease acquire() {
        lastUsedNanos = System.nanoTime();
        LoadedModel current = loaded;
        if (current != null && current.retain()) {
            return new ModelLease(current);
        }
        synchronized (loading) {
            current = loaded;
            if (current != null && current.retain()) {
                return new ModelLease(current);
            }
            try {
                current = new LoadedModel(OnnxModel.open(info.file(), intraOpThreads));
            } catch (ApiException e) {
                throw new UnavailableException("model " + info + " was evicted and cannot be loaded again: "
                        + e.getMessage(), 5);
            }
            current.retain();
            loaded = current;
        }
        ModelLease lease = new ModelLease(current);
        try {
            residency.admit(this);
        } catch (RuntimeException | Error e) {
            // The request fails, and its reference must not keep the session open for good.
            lease.close();
            throw e;
        }
        return lease;
    }

    /** Stops taking requests; once queued ones finish, the session is freed. */
    void retire() {
        if (batcher != null) {
            batcher.drainAndStop();
        } else {
            workers.drainAndStop();
        }
    }

    private void stopped() {
        residency.forget(this);
        evict();
    }

    @Override
    public void evict() {
        LoadedModel current;
        synchronized (loading) {
            current = loaded;
            loaded = null;
        }
        if (current != null) {
            current.retire();
        }
        // An evicted version's threads would wait for requests that may not come for long.
        if (batcher != null) {
            batcher.retireIdle();
        } else {
            workers.retireIdle();
        }
    }

    @Override
    public boolean resident() {
        return loaded != null;
    }

    @Override
    public long residentBytes() {
        return info.sizeBytes();
    }

    @Override
    public long lastUsedNanos() {
        return lastUsedNanos;
    }

    public int workerThreads() {
        return batcher != null ? batcher.threads() : workers.threads();
    }

    public int queueCapacity() {
        return batcher != null ? batcher.capacity() - batcher.threads() : workers.capacity() - workers.threads();
    }

    /** Inference threads running now; none while the version is idle or evicted. */
    public int liveThreads() {
        return batcher != null ? batcher.liveThreads() : workers.liveThreads();
    }

    public int inFlight() {
        return batcher != null ? batcher.inFlight() : workers.inFlight();
    }

    @Override
    public String toString() {
        return label;
    }
}
