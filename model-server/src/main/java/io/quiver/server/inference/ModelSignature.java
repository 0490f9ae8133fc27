package io.quiver.server.inference;

import java.util.List;
import java.util.Optional;

/** The declared inputs and outputs of a model, read from the model file itself. */
public record ModelSignature(List<TensorSpec> inputs, List<TensorSpec> outputs) {

    public Optional<TensorSpec> input(String name) {
        return inputs.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public Optional<TensorSpec> output(String name) {
        return outputs.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
