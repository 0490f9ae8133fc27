package io.quiver.server.repository;

import io.quarkus.runtime.annotations.RegisterForReflection;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The optional {@code model.json} beside a {@code model.onnx}. Every field may be left out; see
 * docs/model-server/models.md for the format.
 *
 * @param modelType       what {@code /predict}'s {@code model_type} may call this model besides its name
 * @param features        names of the columns of a single 2-D input, in order
 * @param labels          class names for an integer class output
 * @param inputLayout     how a row payload maps onto the input
 * @param workers         inference workers for this model; the server default when absent
 * @param maxQueue        requests that may wait for a worker; the server default when absent
 * @param window          for {@link InputLayout#WINDOW}: how many of a series' last values the model takes
 * @param horizon         for a forecaster: how many values it predicts
 * @param algorithm       the learner that produced the model (set by {@code POST /train})
 * @param target          the column or series the model predicts (set by {@code POST /train})
 * @param hyperparameters the learner's settings (set by {@code POST /train})
 * @param metrics         held-out evaluation figures (set by {@code POST /train})
 * @param trainedAt       when training finished, ISO-8601 (set by {@code POST /train})
 * @param batching        this model's dynamic batching settings; the server defaults where absent
 * @param warmup          this model's warm-up at load: whether, how many runs, and its sample inputs
 * @param payloadLog      this model's payload logging settings; the server's where absent
 */
@RegisterForReflection(ignoreNested = false)
public record ModelDescriptor(
        @JsonProperty("model_type") String modelType,
        String description,
        List<String> features,
        List<String> labels,
        @JsonProperty("input_layout") InputLayout inputLayout,
        Integer workers,
        @JsonProperty("max_queue") Integer maxQueue,
        Integer window,
        Integer horizon,
        String algorithm,
        String target,
        Map<String, Object> hyperparameters,
        Map<String, Object> metrics,
        @JsonProperty("trained_at") String trainedAt,
        Batching batching,
        Warmup warmup,
        @JsonProperty("payload_log") PayloadLogging payloadLog) {

    public static final ModelDescriptor NONE = new ModelDescriptor(null, null, null, null, null, null, null);

    @JsonCreator
    public ModelDescriptor {
        features = features == null ? List.of() : List.copyOf(features);
        labels = labels == null ? List.of() : List.copyOf(labels);
        inputLayout = inputLayout == null ? InputLayout.ROWS : inputLayout;
        hyperparameters = hyperparameters == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(hyperparameters));
        metrics = metrics == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        payloadLog = payloadLog == null ? PayloadLogging.DEFAULTS : payloadLog;
    }

    /** A descriptor with only the serving fields, as hand-written descriptors usually are. */
    public ModelDescriptor(String modelType, String description, List<String> features, List<String> labels,
                           InputLayout inputLayout, Integer workers, Integer maxQueue) {
        this(modelType, description, features, labels, inputLayout, workers, maxQueue,
                null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * {@code "batching": {"enabled": true, "max_batch_size": 32, "max_queue_delay_ms": 2}}; each
     * field left out takes the server's {@code quiver.batching.*} default.
     */
    public record Batching(
            Boolean enabled,
            @JsonProperty("max_batch_size") Integer maxBatchSize,
            @JsonProperty("max_queue_delay_ms") Double maxQueueDelayMs) {

        public static final Batching DEFAULTS = new Batching(null, null, null);
    }

    /**
     * {@code "payload_log": {"sample_rate": 0.1}}: the share of this model's calls the payload log
     * records, 0 to 1, when the server's {@code quiver.payload-log.sample-rates} does not name the
     * model; {@code quiver.payload-log.sample-rate} when absent. The server's
     * {@code quiver.payload-log.enabled} still decides whether anything is logged at all.
     */
    public record PayloadLogging(@JsonProperty("sample_rate") Double sampleRate) {

        public static final PayloadLogging DEFAULTS = new PayloadLogging(null);
    }

    /**
     * {@code "warmup": {"enabled": true, "runs": 1, "inputs": [...]}}: each field left out takes the
     * server's {@code quiver.warmup.*} default; {@code inputs}, one request's input tensors in the
     * V2 JSON form, replace the inputs the server would generate from the signature.
     */
    public record Warmup(Boolean enabled, Integer runs, List<SampleInput> inputs) {

        public static final Warmup DEFAULTS = new Warmup(null, null, null);

        @JsonCreator
        public Warmup {
            inputs = inputs == null ? List.of() : List.copyOf(inputs);
        }
    }

    /** One sample input tensor, as a V2 request gives it: {@code data} flat or nested, row-major. */
    public record SampleInput(String name, String datatype, long[] shape, JsonNode data) {
    }
}
