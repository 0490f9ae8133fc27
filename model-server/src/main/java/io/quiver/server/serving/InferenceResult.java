package io.quiver.server.serving;

import io.quiver.server.inference.Tensor;
import io.quiver.server.inference.TensorSpec;
import java.util.List;

/** Outputs of one run, in the model's declared order, with the model version that produced them. */
public record InferenceResult(ModelInfo model, List<Tensor> outputs) {

    public Tensor first() {
        return outputs.get(0);
    }

    /** The class labels of an output's columns (see {@link TensorSpec#labels}); empty for most outputs. */
    public List<String> labels(Tensor output) {
        return model.signature().output(output.name()).map(TensorSpec::labels).orElse(List.of());
    }
}
