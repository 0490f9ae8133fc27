package io.quiver.server.serving;

import io.quiver.server.inference.Tensor;
import java.util.List;

/** Outputs of one run, in the model's declared order, with the model version that produced them. */
public record InferenceResult(ModelInfo model, List<Tensor> outputs) {

    public Tensor first() {
        return outputs.get(0);
    }
}
