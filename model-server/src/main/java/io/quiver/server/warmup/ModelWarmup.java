package io.quiver.server.warmup;

import ai.onnxruntime.OrtException;
import io.quiver.common.error.BadRequestException;
import io.quiver.server.config.ServerConfig;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.InputValidator;
import io.quiver.server.inference.OnnxModel;
import io.quiver.server.repository.ModelDescriptor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Runs a freshly opened model version on sample inputs before it is served: ONNX Runtime's first
 * run of a session plans its memory and initialises its kernels, which would otherwise land on the
 * first client's request (Triton's {@code model_warmup}). The runs go to the session directly, not
 * through the workers, so they count in no request metric or statistic.
 *
 * <p>Inputs a descriptor declares are the user's word that the model takes them: if it refuses
 * them, the load fails, as in Triton. Generated inputs are a guess (zeros may be outside what a
 * model accepts, a dynamic dimension of 1 below what it needs): if the model refuses them, it is
 * served unwarmed, with a warning naming the reason and a {@code failed} warm-up in the metrics.
 */
@ApplicationScoped
public class ModelWarmup {
    private static final Logger LOG = Logger.getLogger(ModelWarmup.class);

    private final ServerConfig.Warmup config;
    private final InputValidator validator;

    ModelWarmup(ServerConfig config) {
        this.config = config.warmup();
        this.validator = new InputValidator(config.limits().maxBatchRows());
    }

    /**
     * Warms {@code model} as {@code settings} (the descriptor's, or null) and the server's defaults say.
     *
     * @param version the model version's name for messages, {@code name:version}
     * @throws BadRequestException when the descriptor's sample inputs do not fit the model or it refuses them
     */
    public WarmupOutcome warm(String version, OnnxModel model, ModelDescriptor.Warmup settings) {
        ModelDescriptor.Warmup declared = settings == null ? ModelDescriptor.Warmup.DEFAULTS : settings;
        boolean enabled = declared.enabled() != null ? declared.enabled() : config.enabled();
        int runs = declared.runs() != null ? declared.runs() : config.runs();
        if (!enabled || runs < 1) {
            return WarmupOutcome.OFF;
        }
        boolean fromSamples = !declared.inputs().isEmpty();
        InferenceRequest request;
        try {
            request = WarmupInputs.of(declared, model.signature());
            if (fromSamples) {
                validator.validate(request, model.signature());
            }
        } catch (BadRequestException e) {
            throw new BadRequestException("model " + version + ": the warm-up sample inputs in its descriptor "
                    + "do not fit it: " + e.getMessage());
        }
        List<Long> times = new ArrayList<>(runs);
        for (int run = 0; run < runs; run++) {
            long started = System.nanoTime();
            try {
                model.run(request);
            } catch (OrtException | RuntimeException e) {
                String reason = firstLine(e.getMessage());
                if (fromSamples) {
                    throw new BadRequestException("model " + version + " refused the warm-up sample inputs in its "
                            + "descriptor (" + WarmupInputs.describe(request) + "): " + reason);
                }
                LOG.warnf("model %s did not warm up: it refused the inputs generated from its signature (%s): %s. "
                        + "It is served unwarmed, so its first request pays ONNX Runtime's first run; give it "
                        + "sample inputs under \"warmup\" in its descriptor to warm it", version,
                        WarmupInputs.describe(request), reason);
                return new WarmupOutcome(times, false, Optional.of(reason));
            }
            times.add(System.nanoTime() - started);
        }
        LOG.infof("model %s warmed up on %s inputs (%s): %d run%s, first %.1f ms, last %.1f ms", version,
                fromSamples ? "its sample" : "generated", WarmupInputs.describe(request), runs, runs == 1 ? "" : "s",
                times.get(0) / 1e6, times.get(times.size() - 1) / 1e6);
        return new WarmupOutcome(times, fromSamples, Optional.empty());
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
