package io.quiver.server.inference;

import java.lang.reflect.Array;
import java.util.Arrays;

/**
 * A named tensor in row-major order. {@code data} is the flat primitive array of its type
 * (see {@link DataType#newArray}); every wire format decodes into this and encodes from it.
 */
public record Tensor(String name, DataType type, long[] shape, Object data) {

    public Tensor {
        int length = Array.getLength(data);
        if (elementCount(shape) != length) {
            throw new IllegalArgumentException("tensor " + name + " has shape " + Arrays.toString(shape)
                    + " but " + length + " elements");
        }
    }

    public int size() {
        return Array.getLength(data);
    }

    /** Rows along the first dimension; a scalar counts as one. */
    public int rows() {
        return shape.length == 0 ? 1 : (int) shape[0];
    }

    /** The element at a flat index as a JSON-friendly boxed value (see {@link TensorValues#element}). */
    public Object element(int index) {
        return TensorValues.element(type, data, index);
    }

    public static long elementCount(long[] shape) {
        long count = 1;
        for (long d : shape) {
            count = Math.multiplyExact(count, d);
        }
        return count;
    }
}
