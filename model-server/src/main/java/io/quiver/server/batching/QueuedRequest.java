package io.quiver.server.batching;

import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.Tensor;
import io.quiver.server.statistics.RequestTimes;
import io.quiver.server.tracing.RequestTrace;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A validated request waiting in a batcher's queue. {@code key} says which requests it may share
 * a run with and is null when it can share with none (see {@link RowBatches#mergeKey}); {@code times}
 * learns how long it waited and ran; {@code trace} carries its trace to the run (null when not traced).
 */
record QueuedRequest(InferenceRequest request, String key, int rows, long arrivedNanos,
                     CompletableFuture<List<Tensor>> result, RequestTimes times, RequestTrace trace) {
}
