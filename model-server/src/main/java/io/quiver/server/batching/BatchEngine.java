package io.quiver.server.batching;

import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.RunTimes;
import io.quiver.server.inference.Tensor;
import java.util.List;

/** Runs one request, merged or not, on the model; the outputs come in the model's declared order. */
@FunctionalInterface
public interface BatchEngine {
    List<Tensor> run(InferenceRequest request);

    /** Runs and tells {@code times} where a successful run's time went; an engine that cannot tell leaves it untold. */
    default List<Tensor> run(InferenceRequest request, RunTimes times) {
        return run(request);
    }
}
