package io.quiver.server.inference;

import java.util.List;
import java.util.Optional;

/** The declared inputs and outputs of a model, read from the model file itself. */
public record ModelSignature(List<TensorSpec> inputs, List<TensorSpec> outputs) {

    public Optional<TensorSpec> input(String name) {
        return Optional.ofNullable(named(inputs, name));
    }

    public Optional<TensorSpec> output(String name) {
        return Optional.ofNullable(named(outputs, name));
    }

    /** Looked up on every request: a loop over the few specs, which allocates nothing. */
    private static TensorSpec named(List<TensorSpec> specs, String name) {
        for (TensorSpec spec : specs) {
            if (spec.name().equals(name)) {
                return spec;
            }
        }
        return null;
    }
}
