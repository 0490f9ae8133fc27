package io.quiver.server.inference;

import java.util.Arrays;

/**
 * A model's declared input or output; -1 in {@code shape} accepts any size along that dimension.
 * {@code dimensionNames} holds the symbolic names of dynamic dimensions ("batch"), empty where none.
 */
public record TensorSpec(String name, DataType type, long[] shape, String[] dimensionNames) {

    public String shapeText() {
        return Arrays.toString(shape).replace("-1", "?");
    }

    public boolean dynamic(int dimension) {
        return shape[dimension] < 0;
    }
}
