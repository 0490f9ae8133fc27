package io.quiver.server.serving;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quiver.server.batching.RunObserver;
import io.quiver.server.warmup.WarmupOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one served model version. They leave the registry when the version stops being
 * served, so that a server that trains and retires versions for months does not export a series
 * for every version it ever had. A version replaced by a new load of the same version keeps them.
 *
 * <p>Requests still draining on a version that was unloaded count only into meters that already
 * exist, and are no longer exported: a meter created for them would never be removed.
 */
final class VersionMeters implements RunObserver {
    /** The outcome of an answered request. */
    static final String OK = "ok";
    private final MeterRegistry meters;
    private final ModelInfo info;
    private final List<Meter> registered = new ArrayList<>();
    private final Map<String, Timer> inferences = new ConcurrentHashMap<>();
    private final DistributionSummary batchRows;
    private final Timer batchRuns;
    private boolean closed;

    /**
     * Registers a batching version's run meters at once, so that they are exported from the load
     * on: {@code quiver_batch_rows}, rows per ONNX Runtime run, and {@code quiver_batch_run_seconds},
     * how long each run took; together they tell whether a latency is the model's run or the wait
     * for one.
     */
    VersionMeters(MeterRegistry meters, ModelInfo info, boolean batches) {
        this.meters = meters;
        this.info = info;
        // The series of answered requests is exported at zero from the load on, as Prometheus asks of
        // a series that is expected (a rate over it starts at the first request, not at the second
        // scrape after it), and so that the first client request does not pay for registering it.
        inference(OK);
        if (!batches) {
            batchRows = null;
            batchRuns = null;
            return;
        }
        batchRows = DistributionSummary.builder("quiver.batch.rows")
                .description("Rows in one run of a model that batches requests")
                .baseUnit("rows")
                .tags("model", info.name(), "version", info.version())
                .register(meters);
        registered.add(batchRows);
        try {
            batchRuns = Timer.builder("quiver.batch.run")
                    .description("Time of one ONNX Runtime run of a model that batches requests")
                    .tags("model", info.name(), "version", info.version())
                    .register(meters);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        registered.add(batchRuns);
    }

    @Override
    public void ran(int rows, long nanos) {
        if (batchRows != null) {
            batchRows.record(rows);
            batchRuns.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Counts one request, {@code quiver_inference_seconds} by outcome; nothing once closed. */
    void inference(Timer.Sample sample, String outcome) {
        Timer timer = inferences.get(outcome);
        if (timer == null) {
            // Rare (once per outcome), so a lock here keeps the request path free of one.
            timer = inference(outcome);
            if (timer == null) {
                return;
            }
        }
        sample.stop(timer);
    }

    /** The timer of {@code outcome}, registered now if it was not; null once closed. */
    private synchronized Timer inference(String outcome) {
        if (closed) {
            return null;
        }
        return inferences.computeIfAbsent(outcome, o -> {
            Timer created = meters.timer("quiver.inference", "model", info.name(), "version",
                    info.version(), "outcome", o);
            registered.add(created);
            return created;
        });
    }

    /**
     * Counts a warm-up, {@code quiver_warmup_seconds} by outcome and inputs ({@code sample}, the
     * descriptor's, or {@code generated}): one event per run that succeeded ({@code ok}), or one for
     * generated inputs the model refused ({@code failed}). Apart from
     * {@code quiver_inference_seconds}, which counts clients' requests only.
     */
    synchronized void warmedUp(WarmupOutcome outcome) {
        if (closed || !outcome.ran()) {
            return;
        }
        Timer timer = Timer.builder("quiver.warmup")
                .description("Warm-up runs of a model version as it loaded, before it was served")
                .tags("model", info.name(), "version", info.version(),
                        "outcome", outcome.failure().isPresent() ? "failed" : "ok",
                        "inputs", outcome.declared() ? "sample" : "generated")
                .register(meters);
        if (!registered.contains(timer)) {
            registered.add(timer);
        }
        if (outcome.failure().isPresent()) {
            timer.record(0, TimeUnit.NANOSECONDS);
        }
        outcome.runNanos().forEach(nanos -> timer.record(nanos, TimeUnit.NANOSECONDS));
    }

    /** Removes every meter of this version from the registry. */
    synchronized void close() {
        closed = true;
        registered.forEach(meters::remove);
        registered.clear();
        inferences.clear();
    }
}
