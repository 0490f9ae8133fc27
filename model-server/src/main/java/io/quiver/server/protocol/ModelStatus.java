package io.quiver.server.protocol;

import io.quarkus.runtime.annotations.RegisterForReflection;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quiver.server.inference.TensorSpec;
import io.quiver.server.serving.ModelInfo;
import io.quiver.server.serving.ModelSlot;
import java.util.List;

/** One loaded model version as the listings show it, residency included. */
@RegisterForReflection(ignoreNested = false)
public record ModelStatus(
        String name,
        String version,
        @JsonProperty("model_type") String modelType,
        boolean resident,
        @JsonProperty("size_bytes") long sizeBytes,
        int workers,
        @JsonProperty("live_workers") int liveWorkers,
        @JsonProperty("queue_capacity") int queueCapacity,
        @JsonProperty("in_flight") int inFlight,
        @JsonProperty("loaded_at") String loadedAt,
        List<TensorView> inputs,
        List<TensorView> outputs) {

    public record TensorView(String name, String datatype, long[] shape) {
        static List<TensorView> of(List<TensorSpec> specs) {
            return specs.stream().map(s -> new TensorView(s.name(), s.type().name(), s.shape())).toList();
        }
    }

    public static ModelStatus of(ModelSlot slot) {
        ModelInfo info = slot.info();
        return new ModelStatus(info.name(), info.version(), info.modelType(), slot.resident(), info.sizeBytes(),
                slot.workerThreads(), slot.liveThreads(), slot.queueCapacity(), slot.inFlight(), info.loadedAt().toString(),
                TensorView.of(info.signature().inputs()), TensorView.of(info.signature().outputs()));
    }

    public static List<ModelStatus> of(List<ModelSlot> slots) {
        return slots.stream().map(ModelStatus::of).toList();
    }
}
