package io.quiver.server.inference;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxMap;
import ai.onnxruntime.OnnxSequence;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.quiver.common.error.UnprocessableException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Converts {@link Tensor}s to ONNX Runtime values and back, for every {@link DataType}. */
final class OnnxValues {
    private OnnxValues() {
    }

    /**
     * An ONNX Runtime tensor holding {@code tensor}: over its raw bytes where they lie when they are
     * in direct memory at an address of their element's width (a binary request's body, see
     * {@code RequestBodies}), else its bytes copied into {@code staging}'s direct memory, which the
     * tensor then uses in place. UINT16, UINT32 and UINT64 go in as the signed type of their width,
     * which the model takes in their place ({@link ModelGraph}).
     */
    static OnnxTensor toOnnx(OrtEnvironment env, Tensor tensor, InputStaging staging) throws OrtException {
        long[] shape = tensor.shape();
        Object data = tensor.data();
        if (tensor.type() == DataType.BYTES) {
            return OnnxTensor.createTensor(env, (String[]) data, shape);
        }
        if (inPlace(tensor)) {
            // Little-endian as they arrived, and so is this machine (see below).
            return OnnxTensor.createTensor(env, ((ByteBuffer) data).duplicate().order(ByteOrder.nativeOrder()), shape,
                    javaType(tensor.type()));
        }
        ByteBuffer bytes = staging.take(stagedBytes(tensor));
        if (data instanceof ByteBuffer raw) {
            // Little-endian bytes as they arrived; this machine's order is little-endian too
            // (ONNX Runtime's Java builds are for x86-64 and AArch64, both little-endian).
            bytes.put(raw.duplicate()).flip();
            return OnnxTensor.createTensor(env, bytes, shape, javaType(tensor.type()));
        }
        return switch (tensor.type()) {
            case FP32 -> OnnxTensor.createTensor(env, bytes.asFloatBuffer().put((float[]) data).flip(), shape);
            case FP64 -> OnnxTensor.createTensor(env, bytes.asDoubleBuffer().put((double[]) data).flip(), shape);
            case INT32, UINT32 -> OnnxTensor.createTensor(env, bytes.asIntBuffer().put((int[]) data).flip(), shape);
            case INT64, UINT64 -> OnnxTensor.createTensor(env, bytes.asLongBuffer().put((long[]) data).flip(), shape);
            case INT16, UINT16 -> OnnxTensor.createTensor(env, bytes.asShortBuffer().put((short[]) data).flip(),
                    shape, OnnxJavaType.INT16);
            case FP16 -> OnnxTensor.createTensor(env, bytes.asShortBuffer().put((short[]) data).flip(),
                    shape, OnnxJavaType.FLOAT16);
            case BF16 -> OnnxTensor.createTensor(env, bytes.asShortBuffer().put((short[]) data).flip(),
                    shape, OnnxJavaType.BFLOAT16);
            case INT8 -> OnnxTensor.createTensor(env, bytes.put((byte[]) data).flip(), shape, OnnxJavaType.INT8);
            case UINT8 -> OnnxTensor.createTensor(env, bytes.put((byte[]) data).flip(), shape, OnnxJavaType.UINT8);
            case BOOL -> {
                for (boolean value : (boolean[]) data) {
                    bytes.put((byte) (value ? 1 : 0));
                }
                yield OnnxTensor.createTensor(env, bytes.flip(), shape, OnnxJavaType.BOOL);
            }
            case BYTES -> throw new IllegalStateException("string tensors are not staged");
        };
    }

    private static OnnxJavaType javaType(DataType type) {
        return switch (type) {
            case FP32 -> OnnxJavaType.FLOAT;
            case FP64 -> OnnxJavaType.DOUBLE;
            case INT32, UINT32 -> OnnxJavaType.INT32;
            case INT64, UINT64 -> OnnxJavaType.INT64;
            case INT16, UINT16 -> OnnxJavaType.INT16;
            case FP16 -> OnnxJavaType.FLOAT16;
            case BF16 -> OnnxJavaType.BFLOAT16;
            case INT8 -> OnnxJavaType.INT8;
            case UINT8 -> OnnxJavaType.UINT8;
            case BOOL -> OnnxJavaType.BOOL;
            case BYTES -> OnnxJavaType.STRING;
        };
    }

    /**
     * The direct memory {@code tensor} takes as an ONNX Runtime input; none for strings, which it
     * copies itself, and none for raw bytes it reads in place.
     */
    static int stagedBytes(Tensor tensor) {
        return tensor.type() == DataType.BYTES || inPlace(tensor) ? 0 : tensor.size() * tensor.type().byteSize();
    }

    /** Raw bytes in direct memory, each element at an address of its width: ONNX Runtime reads them where they lie. */
    private static boolean inPlace(Tensor tensor) {
        return tensor.data() instanceof ByteBuffer raw && raw.isDirect()
                && raw.alignmentOffset(0, tensor.type().byteSize()) == 0;
    }

    /** An output as a tensor of the type its spec declares. */
    static Tensor fromOnnx(TensorSpec spec, OnnxValue value) throws OrtException {
        if (value instanceof OnnxTensor tensor) {
            return fromTensor(spec.name(), spec.type(), tensor);
        }
        if (value instanceof OnnxSequence sequence) {
            List<? extends OnnxValue> items = sequence.getValue();
            try {
                return spec.labelled() ? fromMaps(spec, items) : stack(spec, items);
            } finally {
                items.forEach(OnnxValue::close);
            }
        }
        throw new IllegalStateException("output " + spec.name() + " is a " + value.getType() + " value");
    }

    private static Tensor fromTensor(String name, DataType type, OnnxTensor value) throws OrtException {
        long[] shape = value.getInfo().getShape();
        int n = (int) Tensor.elementCount(shape);
        Object data = type.newArray(n);
        switch (type) {
            case FP32 -> value.getFloatBuffer().get((float[]) data);
            case FP64 -> value.getDoubleBuffer().get((double[]) data);
            case BYTES -> flattenStrings(value.getValue(), (String[]) data, new int[] {0});
            default -> {
                // The raw bytes, in the machine's order, read into the array of the type's width; the
                // Java API's typed views would convert halves and refuse unsigned types.
                ByteBuffer bytes = value.getByteBuffer().order(ByteOrder.nativeOrder());
                switch (type) {
                    case BOOL -> {
                        boolean[] out = (boolean[]) data;
                        for (int i = 0; i < n; i++) {
                            out[i] = bytes.get(i) != 0;
                        }
                    }
                    case UINT8, INT8 -> bytes.get((byte[]) data);
                    case UINT16, INT16, FP16, BF16 -> bytes.asShortBuffer().get((short[]) data);
                    case UINT32, INT32 -> bytes.asIntBuffer().get((int[]) data);
                    case UINT64, INT64 -> bytes.asLongBuffer().get((long[]) data);
                    default -> throw new IllegalStateException("unhandled type " + type);
                }
            }
        }
        return new Tensor(name, type, shape, data);
    }

    private static void flattenStrings(Object nested, String[] out, int[] next) {
        if (nested instanceof String s) {
            out[next[0]++] = s;
        } else {
            for (Object item : (Object[]) nested) {
                flattenStrings(item, out, next);
            }
        }
    }

    /** One map per row, keyed by class label, as a [rows, classes] tensor in the order of the labels. */
    private static Tensor fromMaps(TensorSpec spec, List<? extends OnnxValue> maps) throws OrtException {
        List<String> labels = spec.labels();
        Map<String, Integer> column = new HashMap<>(labels.size() * 2);
        for (int c = 0; c < labels.size(); c++) {
            column.put(labels.get(c), c);
        }
        int classes = labels.size();
        Object data = spec.type().newArray(maps.size() * classes);
        for (int r = 0; r < maps.size(); r++) {
            for (Map.Entry<?, ?> entry : ((OnnxMap) maps.get(r)).getValue().entrySet()) {
                Integer c = column.get(String.valueOf(entry.getKey()));
                if (c == null) {
                    throw new UnprocessableException("output '" + spec.name() + "' has class '" + entry.getKey()
                            + "', which is not among the labels the model declares " + labels);
                }
                int at = r * classes + c;
                if (data instanceof float[] floats) {
                    floats[at] = ((Number) entry.getValue()).floatValue();
                } else {
                    ((double[]) data)[at] = ((Number) entry.getValue()).doubleValue();
                }
            }
        }
        return new Tensor(spec.name(), spec.type(), new long[] {maps.size(), classes}, data);
    }

    /** A sequence of tensors of one shape, stacked along a new first dimension. */
    private static Tensor stack(TensorSpec spec, List<? extends OnnxValue> items) throws OrtException {
        if (items.isEmpty()) {
            return new Tensor(spec.name(), spec.type(), new long[] {0}, spec.type().newArray(0));
        }
        Tensor first = fromTensor(spec.name(), spec.type(), (OnnxTensor) items.get(0));
        int each = first.size();
        Object data = spec.type().newArray(each * items.size());
        for (int i = 0; i < items.size(); i++) {
            Tensor item = i == 0 ? first : fromTensor(spec.name(), spec.type(), (OnnxTensor) items.get(i));
            if (!Arrays.equals(item.shape(), first.shape())) {
                throw new UnprocessableException("output '" + spec.name() + "' is a sequence of tensors of different "
                        + "shapes (" + Arrays.toString(first.shape()) + " and " + Arrays.toString(item.shape())
                        + "), which cannot be sent as one tensor");
            }
            System.arraycopy(item.array(), 0, data, i * each, each);
        }
        long[] shape = new long[first.shape().length + 1];
        shape[0] = items.size();
        System.arraycopy(first.shape(), 0, shape, 1, first.shape().length);
        return new Tensor(spec.name(), spec.type(), shape, data);
    }
}
