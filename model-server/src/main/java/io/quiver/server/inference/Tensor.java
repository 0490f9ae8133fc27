package io.quiver.server.inference;

import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A named tensor in row-major order. {@code data} is the flat primitive array of its type (see
 * {@link DataType#newArray}), or, for an input that arrived as raw bytes (the binary tensor data
 * extension), a little-endian {@link ByteBuffer} of exactly its elements, which goes to ONNX
 * Runtime with one copy and no array in between. {@link #array()} gives the array either way.
 */
public record Tensor(String name, DataType type, long[] shape, Object data) {

    public Tensor {
        long count = elementCount(shape);
        long length;
        if (data instanceof ByteBuffer raw) {
            if (type == DataType.BYTES || type == DataType.BOOL) {
                throw new IllegalArgumentException(type + " tensor " + name + " cannot be held as raw bytes");
            }
            length = raw.remaining() / type.byteSize();
            if ((long) raw.remaining() != count * type.byteSize()) {
                throw new IllegalArgumentException("tensor " + name + " has shape " + Arrays.toString(shape)
                        + " of " + type + " but " + raw.remaining() + " bytes");
            }
        } else {
            length = Array.getLength(data);
        }
        if (count != length) {
            throw new IllegalArgumentException("tensor " + name + " has shape " + Arrays.toString(shape)
                    + " but " + length + " elements");
        }
    }

    /** A tensor over {@code bytes}, little-endian elements of {@code type}, used where they lie. */
    public static Tensor raw(String name, DataType type, long[] shape, ByteBuffer bytes) {
        return new Tensor(name, type, shape, bytes.slice().order(ByteOrder.LITTLE_ENDIAN));
    }

    public int size() {
        return data instanceof ByteBuffer raw ? raw.remaining() / type.byteSize() : Array.getLength(data);
    }

    /** The flat primitive array of the elements; a new one when they are held as raw bytes. */
    public Object array() {
        if (!(data instanceof ByteBuffer raw)) {
            return data;
        }
        ByteBuffer bytes = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Object out = type.newArray(size());
        switch (type) {
            case UINT8, INT8 -> bytes.get((byte[]) out);
            case UINT16, INT16, FP16, BF16 -> bytes.asShortBuffer().get((short[]) out);
            case UINT32, INT32 -> bytes.asIntBuffer().get((int[]) out);
            case UINT64, INT64 -> bytes.asLongBuffer().get((long[]) out);
            case FP32 -> bytes.asFloatBuffer().get((float[]) out);
            case FP64 -> bytes.asDoubleBuffer().get((double[]) out);
            default -> throw new IllegalStateException(type.name());
        }
        return out;
    }

    /** Rows along the first dimension; a scalar counts as one. */
    public int rows() {
        return shape.length == 0 ? 1 : (int) shape[0];
    }

    /** The element at a flat index as a JSON-friendly boxed value (see {@link TensorValues#element}). */
    public Object element(int index) {
        if (data instanceof ByteBuffer raw) {
            int width = type.byteSize();
            return new Tensor(name, type, new long[] {1}, raw.slice(index * width, width)).element(0);
        }
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
