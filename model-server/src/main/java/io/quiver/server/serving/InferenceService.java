package io.quiver.server.serving;

import ai.onnxruntime.OrtException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quiver.server.config.ServerConfig;
import io.quiver.common.error.ApiException;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.UnavailableException;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.InputValidator;
import io.quiver.server.inference.Tensor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The one inference path behind every wire format: resolve the model version, decode the payload
 * against its signature, validate, run on the version's workers, count the outcome.
 */
@ApplicationScoped
public class InferenceService {
    private static final Logger LOG = Logger.getLogger(InferenceService.class);
    /** A swap or unload may retire the slot between resolving and queueing; resolve again this often. */
    private static final int RESOLVE_ATTEMPTS = 3;

    private final ModelRegistry registry;
    private final InputValidator validator;
    private final MeterRegistry meters;

    InferenceService(ModelRegistry registry, ServerConfig config, MeterRegistry meters) {
        this.registry = registry;
        this.validator = new InputValidator(config.limits().maxBatchRows());
        this.meters = meters;
    }

    /** Runs the model {@code name} at {@code version} ("latest" or null for the highest). */
    public CompletionStage<InferenceResult> infer(String name, String version,
                                                  Function<ModelInfo, InferenceRequest> decode) {
        return run(() -> registry.resolve(name, version), decode);
    }

    /** Runs the model that {@code /predict}'s {@code model_type} names. */
    public CompletionStage<InferenceResult> inferByType(String modelType, String version,
                                                        Function<ModelInfo, InferenceRequest> decode) {
        return run(() -> registry.resolveByType(modelType, version), decode);
    }

    private CompletionStage<InferenceResult> run(Supplier<ModelSlot> resolve, Function<ModelInfo, InferenceRequest> decode) {
        for (int attempt = 1; ; attempt++) {
            ModelSlot slot = resolve.get();
            ModelInfo info = slot.info();
            Timer.Sample sample = Timer.start(meters);
            Optional<CompletableFuture<InferenceResult>> queued;
            try {
                InferenceRequest request = decode.apply(info);
                validator.validate(request, info.signature());
                queued = slot.submit(() -> execute(slot, request));
            } catch (ApiException e) {
                count(info, sample, e);
                throw e;
            }
            if (queued.isPresent()) {
                return queued.get().whenComplete((result, failure) -> count(info, sample, failure));
            }
            if (attempt == RESOLVE_ATTEMPTS) {
                throw new UnavailableException("model " + info + " is being replaced or unloaded; retry", 1);
            }
        }
    }

    private static InferenceResult execute(ModelSlot slot, InferenceRequest request) {
        try (ModelLease lease = slot.acquire()) {
            List<Tensor> outputs = lease.model().run(request);
            return new InferenceResult(slot.info(), outputs);
        } catch (OrtException e) {
            // Validation passed, so what ONNX Runtime still refuses is a property of these inputs
            // that the signature cannot express (a reshape, a value range).
            LOG.debugf(e, "model %s refused a request", slot);
            throw new BadRequestException("model " + slot.info() + " could not run on these inputs: "
                    + firstLine(e.getMessage()));
        }
    }

    private void count(ModelInfo info, Timer.Sample sample, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        String outcome;
        if (cause == null) {
            outcome = "ok";
        } else if (cause instanceof ApiException api) {
            outcome = api.status() == 503 ? "rejected" : api.status() < 500 ? "invalid" : "error";
        } else {
            outcome = "error";
        }
        sample.stop(meters.timer("quiver.inference", "model", info.name(), "version", info.version(),
                "outcome", outcome));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
