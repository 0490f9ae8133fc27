package io.quiver.server.protocol.v2;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quiver.server.batching.BatchingPolicy;
import io.quiver.server.inference.DataType;
import io.quiver.server.inference.TensorSpec;
import io.quiver.server.serving.ModelInfo;
import io.quiver.server.serving.ModelSlot;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A model version's configuration as Triton's model configuration extension shows it (the JSON
 * form of Triton's {@code ModelConfig}), derived from the model file and how this server runs it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ModelConfiguration(String name, String platform, String backend, int max_batch_size,
                          Map<String, Object> version_policy, List<TensorConfig> input, List<TensorConfig> output,
                          DynamicBatching dynamic_batching, List<InstanceGroup> instance_group) {

    static final String PLATFORM = "onnxruntime_onnx";
    static final String BACKEND = "onnxruntime";

    /** One input or output; {@code dims} leave the batch dimension out when the model batches, -1 is any size. */
    record TensorConfig(String name, String data_type, long[] dims) {
    }

    /** Triton's dynamic batcher settings; this server's batcher has no preferred sizes, so that list is empty. */
    record DynamicBatching(long max_queue_delay_microseconds, List<Integer> preferred_batch_size) {
    }

    /** The version's inference threads, all on the CPU. */
    record InstanceGroup(String name, int count, String kind) {
    }

    /**
     * @param maxBatchRows the most rows a request may carry ({@code quiver.limits.max-batch-rows}),
     *                     the largest batch of a model whose first dimension is the batch but that
     *                     does not merge requests
     */
    static ModelConfiguration of(ModelSlot slot, int maxBatchRows) {
        ModelInfo info = slot.info();
        BatchingPolicy batching = slot.batching();
        // Triton's convention: a model that takes a batch says how large, and its dims leave that dimension out.
        boolean batches = BatchingPolicy.batchable(info.signature());
        int maxBatchSize = !batches ? 0 : batching.enabled() ? batching.maxBatchSize() : maxBatchRows;
        DynamicBatching dynamic = batching.enabled()
                ? new DynamicBatching(batching.maxQueueDelay().toNanos() / 1_000, List.of())
                : null;
        return new ModelConfiguration(info.name(), PLATFORM, BACKEND, maxBatchSize, Map.of("all", Map.of()),
                tensors(info.signature().inputs(), batches), tensors(info.signature().outputs(), batches), dynamic,
                List.of(new InstanceGroup(info.name(), slot.workerThreads(), "KIND_CPU")));
    }

    /** {@code TYPE_} and the V2 datatype's name, but BYTES is Triton's TYPE_STRING. */
    static String tritonType(DataType type) {
        return "TYPE_" + (type == DataType.BYTES ? "STRING" : type.name());
    }

    private static List<TensorConfig> tensors(List<TensorSpec> specs, boolean batches) {
        return specs.stream().map(spec -> new TensorConfig(spec.name(), tritonType(spec.type()),
                batches ? Arrays.copyOfRange(spec.shape(), 1, spec.shape().length) : spec.shape().clone())).toList();
    }
}
