package io.quiver.server.batching;

import io.quiver.server.config.ServerConfig;
import io.quiver.server.inference.ModelSignature;
import io.quiver.server.inference.TensorSpec;
import io.quiver.server.repository.ModelDescriptor;
import java.time.Duration;

/**
 * How one model version batches: whether at all, the most rows in one run, and how long the first
 * request of a batch may wait for others. The server's defaults ({@code quiver.batching.*}) apply
 * unless the model's descriptor says otherwise.
 */
public record BatchingPolicy(boolean enabled, int maxBatchSize, Duration maxQueueDelay) {

    public static final BatchingPolicy OFF = new BatchingPolicy(false, 1, Duration.ZERO);

    public static BatchingPolicy of(ServerConfig.Batching defaults, ModelDescriptor.Batching descriptor) {
        ModelDescriptor.Batching own = descriptor == null ? ModelDescriptor.Batching.DEFAULTS : descriptor;
        boolean enabled = own.enabled() != null ? own.enabled() : defaults.enabled();
        int maxBatchSize = own.maxBatchSize() != null ? own.maxBatchSize() : defaults.maxBatchSize();
        Duration delay = own.maxQueueDelayMs() != null
                ? Duration.ofNanos(Math.round(own.maxQueueDelayMs() * 1_000_000))
                : defaults.maxQueueDelay();
        if (delay.isNegative()) {
            delay = Duration.ZERO;
        }
        return new BatchingPolicy(enabled && maxBatchSize > 1, maxBatchSize, delay);
    }

    /**
     * Whether requests for a model with this signature can be merged: every input and output must
     * have a leading dimension of any size, the batch, so that rows can be stacked into one run and
     * the outputs' rows handed back to the requests they came from.
     */
    public static boolean batchable(ModelSignature signature) {
        return !signature.inputs().isEmpty()
                && signature.inputs().stream().allMatch(BatchingPolicy::dynamicLeadingDimension)
                && signature.outputs().stream().allMatch(BatchingPolicy::dynamicLeadingDimension);
    }

    /** This policy where the model can batch, else {@link #OFF}. */
    public BatchingPolicy forSignature(ModelSignature signature) {
        return enabled && batchable(signature) ? this : OFF;
    }

    private static boolean dynamicLeadingDimension(TensorSpec spec) {
        return spec.shape().length > 0 && spec.dynamic(0);
    }
}
