package io.quiver.server.serving;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quiver.server.config.ServerConfig;
import io.quiver.common.error.ApiException;
import io.quiver.common.error.UnavailableException;
import io.quiver.common.tracing.Tracing;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.InputValidator;
import io.quiver.server.inference.Tensor;
import io.quiver.server.payloadlog.Exchange;
import io.quiver.server.payloadlog.PayloadLog;
import io.quiver.server.statistics.ModelStatistics;
import io.quiver.server.statistics.RequestTimes;
import io.quiver.server.tracing.RequestTrace;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one inference path behind every wire format: resolve the model version, decode the payload
 * against its signature, validate, run on the version's workers (merged with other requests when
 * the version batches), count the outcome in the metrics and the version's statistics, and hand a
 * sample of calls to the payload log. A request
 * is validated before it is queued, so one client's bad input never fails the others it would have
 * shared a run with.
 */
@ApplicationScoped
public class InferenceService {
    /** A swap or unload may retire the slot between resolving and queueing; resolve again this often. */
    private static final int RESOLVE_ATTEMPTS = 3;
    /** Where the warm-up requests' statistics go: nowhere anyone reads. */
    private static final ModelStatistics WARMUP_STATISTICS = new ModelStatistics();

    private final ModelRegistry registry;
    private final InputValidator validator;
    private final MeterRegistry meters;
    private final PayloadLog payloads;
    private final Tracing tracing;

    InferenceService(ModelRegistry registry, ServerConfig config, MeterRegistry meters, PayloadLog payloads,
                     Tracing tracing) {
        this.registry = registry;
        this.tracing = tracing;
        this.validator = new InputValidator(config.limits().maxBatchRows());
        this.meters = meters;
        this.payloads = payloads;
    }

    /** Runs the model {@code name} at {@code version} ("latest" or null for the highest). */
    public CompletionStage<InferenceResult> infer(Exchange exchange, String name, String version,
                                                  Function<ModelInfo, InferenceRequest> decode) {
        return run(exchange, () -> registry.resolve(name, version), decode);
    }

    /** Runs the model that {@code /predict}'s {@code model_type} names. */
    public CompletionStage<InferenceResult> inferByType(Exchange exchange, String modelType, String version,
                                                        Function<ModelInfo, InferenceRequest> decode) {
        return run(exchange, () -> registry.resolveByType(modelType, version), decode);
    }

    private CompletionStage<InferenceResult> run(Exchange exchange, Supplier<ModelSlot> resolve,
                                                 Function<ModelInfo, InferenceRequest> decode) {
        for (int attempt = 1; ; attempt++) {
            ModelSlot slot = resolve.get();
            ModelInfo info = slot.info();
            Timer.Sample sample = Timer.start(meters);
            long started = System.nanoTime();
            RequestTimes times = new RequestTimes(exchange.warmup());
            // The server's own warm-up requests take the whole path but leave no trace a client or an
            // operator would count: their statistics go to a scratch record, their meters nowhere.
            boolean warmup = exchange.warmup();
            ModelStatistics statistics = warmup ? WARMUP_STATISTICS : slot.statistics();
            PayloadLog.Capture capture = warmup ? null : payloads.sample(exchange, info.name(), info.version(),
                    info.descriptor().payloadLog().sampleRate());
            Optional<CompletableFuture<List<Tensor>>> queued;
            InferenceRequest request = null;
            int inferences;
            RequestTrace trace = null;
            try {
                request = RequestTrace.step(tracing, "decode", slot.label(), () -> {
                    InferenceRequest decoded = decode.apply(info);
                    validator.validate(decoded, info.signature());
                    return decoded;
                });
                inferences = slot.inferences(request);
                trace = RequestTrace.queued(tracing, slot.label());
                queued = slot.submit(request, times, trace);
            } catch (ApiException e) {
                RequestTrace.notQueued(trace, e.getMessage());
                long took = System.nanoTime() - started;
                String outcome = count(slot, sample, e, warmup);
                statistics.failed(took);
                if (capture != null) {
                    capture.finished(request, null, e, outcome, took, null);
                }
                throw e;
            }
            if (queued.isPresent()) {
                InferenceRequest decoded = request;
                return queued.get().thenApply(outputs -> new InferenceResult(info, outputs))
                        .whenComplete((result, failure) -> {
                            String outcome = count(slot, sample, failure, warmup);
                            long took = record(statistics, inferences, started, times, failure);
                            if (capture != null) {
                                capture.finished(decoded, result == null ? null : result.outputs(), failure, outcome,
                                        took, times);
                            }
                        });
            }
            RequestTrace.notQueued(trace, "model " + info + " is being replaced or unloaded");
            if (attempt == RESOLVE_ATTEMPTS) {
                throw new UnavailableException("model " + info + " is being replaced or unloaded; retry", 1);
            }
        }
    }

    /**
     * Adds the request to its version's statistics. As in Triton, a request that named a loaded
     * version and then failed counts as a failure whatever the cause: its input refused by
     * validation, its run refused by the model, or no room in the queue.
     */
    private static long record(ModelStatistics statistics, int inferences, long started, RequestTimes times,
                               Throwable failure) {
        long took = System.nanoTime() - started;
        if (failure == null) {
            statistics.succeeded(inferences, took, times);
        } else {
            statistics.failed(took);
        }
        return took;
    }

    /** Counts the call in the version's meters by outcome, and answers the outcome. */
    private static String count(ModelSlot slot, Timer.Sample sample, Throwable failure, boolean warmup) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        String outcome;
        if (cause == null) {
            outcome = VersionMeters.OK;
        } else if (cause instanceof ApiException api) {
            outcome = api.status() == 503 ? "rejected" : api.status() < 500 ? "invalid" : "error";
        } else {
            outcome = "error";
        }
        if (!warmup) {
            slot.meters().inference(sample, outcome);
        }
        return outcome;
    }
}
