package io.quiver.server.inference;

import java.util.List;
import java.util.Set;

/**
 * What every wire format decodes into: the inputs and, optionally, which outputs to return
 * (empty means all).
 */
public record InferenceRequest(List<Tensor> inputs, Set<String> outputs) {

    public static InferenceRequest of(List<Tensor> inputs) {
        return new InferenceRequest(inputs, Set.of());
    }
}
