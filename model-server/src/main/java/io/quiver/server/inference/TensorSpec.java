package io.quiver.server.inference;

import java.util.Arrays;
import java.util.List;

/**
 * A model's declared input or output; -1 in {@code shape} accepts any size along that dimension.
 * {@code dimensionNames} holds the symbolic names of dynamic dimensions ("batch"), empty where none.
 * {@code labels} names the columns of an output that a model writes as one map per row (a
 * scikit-learn classifier's probabilities by class, ZipMap), in the order of the columns; empty for
 * plain tensors.
 */
public record TensorSpec(String name, DataType type, long[] shape, String[] dimensionNames, List<String> labels) {

    public TensorSpec(String name, DataType type, long[] shape, String[] dimensionNames) {
        this(name, type, shape, dimensionNames, List.of());
    }

    public String shapeText() {
        return Arrays.toString(shape).replace("-1", "?");
    }

    public boolean dynamic(int dimension) {
        return shape[dimension] < 0;
    }

    public boolean labelled() {
        return !labels.isEmpty();
    }
}
