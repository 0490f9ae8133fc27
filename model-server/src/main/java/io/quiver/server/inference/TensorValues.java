package io.quiver.server.inference;

import io.quiver.common.numbers.HalfFloats;
import java.math.BigInteger;

/**
 * A tensor's elements as the numbers they stand for, for encoders that write text: unsigned
 * integers widened so they read as non-negative, halves as the floats they hold.
 */
public final class TensorValues {
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    private TensorValues() {
    }

    /** Element {@code i} boxed as JSON writes it: a number, a boolean or a string. */
    public static Object element(DataType type, Object data, int i) {
        return switch (type) {
            case BOOL -> ((boolean[]) data)[i];
            case UINT8 -> ((byte[]) data)[i] & 0xff;
            case INT8 -> (int) ((byte[]) data)[i];
            case UINT16 -> ((short[]) data)[i] & 0xffff;
            case INT16 -> (int) ((short[]) data)[i];
            case FP16 -> (double) HalfFloats.fp16ToFloat(((short[]) data)[i]);
            case BF16 -> (double) HalfFloats.bf16ToFloat(((short[]) data)[i]);
            case UINT32 -> Integer.toUnsignedLong(((int[]) data)[i]);
            case INT32 -> ((int[]) data)[i];
            case UINT64 -> unsigned(((long[]) data)[i]);
            case INT64 -> ((long[]) data)[i];
            case FP32 -> ((float[]) data)[i];
            case FP64 -> ((double[]) data)[i];
            case BYTES -> ((String[]) data)[i];
        };
    }

    /**
     * The flat data in a form Jackson writes as a JSON array of the right numbers: the array itself
     * where its Java type already reads right, a widened copy otherwise (a {@code byte[]} would be
     * written as base64, a UINT32 above 2^31 as a negative number).
     */
    public static Object forJson(Tensor tensor) {
        Object data = tensor.array();
        int n = tensor.size();
        return switch (tensor.type()) {
            case BOOL, INT16, INT32, INT64, FP32, FP64, BYTES -> data;
            case UINT8, INT8, UINT16 -> {
                int[] out = new int[n];
                for (int i = 0; i < n; i++) {
                    out[i] = (int) element(tensor.type(), data, i);
                }
                yield out;
            }
            case UINT32 -> {
                long[] out = new long[n];
                int[] in = (int[]) data;
                for (int i = 0; i < n; i++) {
                    out[i] = Integer.toUnsignedLong(in[i]);
                }
                yield out;
            }
            case FP16, BF16 -> {
                // As doubles, whose shortest decimal form is the half's exact value; a float's
                // shortest form (0.099975586) reads back as a different double.
                double[] out = new double[n];
                for (int i = 0; i < n; i++) {
                    out[i] = (double) element(tensor.type(), data, i);
                }
                yield out;
            }
            case UINT64 -> {
                long[] in = (long[]) data;
                boolean small = true;
                for (long v : in) {
                    small &= v >= 0;
                }
                if (small) {
                    yield in;
                }
                Object[] out = new Object[n];
                for (int i = 0; i < n; i++) {
                    out[i] = unsigned(in[i]);
                }
                yield out;
            }
        };
    }

    private static Object unsigned(long bits) {
        return bits >= 0 ? (Object) bits : BigInteger.valueOf(bits).add(TWO_TO_64);
    }
}
