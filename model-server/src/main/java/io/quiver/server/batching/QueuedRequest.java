package io.quiver.server.batching;

import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.Tensor;
import io.quiver.server.statistics.RequestTimes;
import io.quiver.server.tracing.RequestTrace;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A validated request waiting in a batcher's queue. {@code mergeable} says whether it may share a
 * run at all, with the requests {@link RowBatches#sameRun} accepts (see {@link RowBatches#mergeable}); {@code times}
 * learns how long it waited and ran; {@code trace} carries its trace to the run (null when not traced).
 */
record QueuedRequest(InferenceRequest request, boolean mergeable, int rows, long arrivedNanos,
                     CompletableFuture<List<Tensor>> result, RequestTimes times, RequestTrace trace) {

    /** Whether {@code other} may share this request's run. */
    boolean sharesRunWith(QueuedRequest other) {
        return mergeable && other.mergeable && RowBatches.sameRun(request, other.request);
    }
}
