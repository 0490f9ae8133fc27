package io.quiver.server.protocol;

import io.quiver.common.json.JsonBodies;
import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.error.BadRequestException;
import io.quiver.server.inference.DataType;
import io.quiver.server.inference.Tensor;
import io.quiver.common.numbers.HalfFloats;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads JSON values, flat or nested arrays or a scalar, into the flat typed arrays of a tensor. */
public final class TensorJson {
    private TensorJson() {
    }

    /** The shape of a nested array (a scalar has rank 0); ragged arrays are refused. */
    public static long[] shapeOf(JsonNode value, String what) {
        List<Long> dims = new ArrayList<>();
        JsonNode probe = value;
        while (probe.isArray()) {
            dims.add((long) probe.size());
            if (probe.isEmpty()) {
                break;
            }
            probe = probe.get(0);
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        checkRectangular(value, shape, 0, what);
        return shape;
    }

    private static void checkRectangular(JsonNode node, long[] shape, int depth, String what) {
        if (depth == shape.length) {
            if (node.isArray()) {
                throw new BadRequestException(what + " is nested unevenly: expected a value at depth " + depth
                        + ", got an array");
            }
            return;
        }
        if (!node.isArray() || node.size() != shape[depth]) {
            throw new BadRequestException(what + " is not rectangular: expected " + shape[depth]
                    + " elements at depth " + depth + ", got " + (node.isArray() ? node.size() : JsonBodies.kind(node)));
        }
        for (JsonNode child : node) {
            checkRectangular(child, shape, depth + 1, what);
        }
    }

    /** Flattens {@code value} (nested or flat) into {@code count} elements of {@code type}. */
    public static Object flatten(JsonNode value, DataType type, int count, String what) {
        // The count comes from the client's shape: the elements are counted before an array of that
        // size is made, so a large shape over a short list is refused rather than allocated.
        long given = leaves(value, count + 1L);
        if (given > count) {
            throw new BadRequestException(what + " has more than the " + count + " elements its shape allows");
        }
        if (given < count) {
            throw new BadRequestException(what + " has " + given + " elements, expected " + count);
        }
        Object out = type.newArray(count);
        int[] next = {0};
        fill(value, type, out, next, count, what);
        return out;
    }

    /** The values in {@code value} (itself, or nested in its arrays), counted up to {@code limit}. */
    private static long leaves(JsonNode value, long limit) {
        if (!value.isArray()) {
            return 1;
        }
        long count = 0;
        for (JsonNode child : value) {
            count += child.isArray() ? leaves(child, limit - count) : 1;
            if (count >= limit) {
                return count;
            }
        }
        return count;
    }

    /** Writes the leaves of {@code value} into {@code out} from position {@code next[0]} on. */
    public static void fill(JsonNode value, DataType type, Object out, int[] next, int limit, String what) {
        if (value.isArray()) {
            for (JsonNode child : value) {
                fill(child, type, out, next, limit, what);
            }
            return;
        }
        int i = next[0]++;
        if (i >= limit) {
            throw new BadRequestException(what + " has more than the " + limit + " elements its shape allows");
        }
        set(value, type, out, i, what);
    }

    private static void set(JsonNode v, DataType type, Object out, int i, String what) {
        switch (type) {
            case BOOL -> {
                if (!v.isBoolean()) {
                    throw element(what, i, "true or false", v);
                }
                ((boolean[]) out)[i] = v.booleanValue();
            }
            case UINT8 -> ((byte[]) out)[i] = (byte) integer(v, 0, 0xff, "an unsigned 8-bit integer (0 to 255)", what, i);
            case INT8 -> ((byte[]) out)[i] = (byte) integer(v, Byte.MIN_VALUE, Byte.MAX_VALUE,
                    "an 8-bit integer (-128 to 127)", what, i);
            case UINT16 -> ((short[]) out)[i] = (short) integer(v, 0, 0xffff,
                    "an unsigned 16-bit integer (0 to 65535)", what, i);
            case INT16 -> ((short[]) out)[i] = (short) integer(v, Short.MIN_VALUE, Short.MAX_VALUE,
                    "a 16-bit integer (-32768 to 32767)", what, i);
            case UINT32 -> ((int[]) out)[i] = (int) integer(v, 0, 0xffffffffL,
                    "an unsigned 32-bit integer (0 to 4294967295)", what, i);
            case INT32 -> ((int[]) out)[i] = (int) integer(v, Integer.MIN_VALUE, Integer.MAX_VALUE,
                    "a 32-bit integer", what, i);
            case UINT64 -> ((long[]) out)[i] = unsigned64(v, what, i);
            case INT64 -> ((long[]) out)[i] = integer(v, Long.MIN_VALUE, Long.MAX_VALUE, "a 64-bit integer", what, i);
            case FP16 -> {
                double value = number(v, what, i);
                if (!HalfFloats.fitsFp16(value)) {
                    throw element(what, i, "within the FP16 range (about ±65504)", v);
                }
                ((short[]) out)[i] = HalfFloats.toFp16(value);
            }
            case BF16 -> {
                double value = number(v, what, i);
                if (!HalfFloats.fitsBf16(value)) {
                    throw element(what, i, "within the BF16 range (about ±3.39e38)", v);
                }
                ((short[]) out)[i] = HalfFloats.toBf16(value);
            }
            case FP32 -> {
                double value = number(v, what, i);
                if (Math.abs(value) > Float.MAX_VALUE) {
                    throw element(what, i, "within the FP32 range (about ±3.4e38)", v);
                }
                ((float[]) out)[i] = (float) value;
            }
            case FP64 -> ((double[]) out)[i] = number(v, what, i);
            case BYTES -> {
                if (!v.isTextual()) {
                    throw element(what, i, "a string", v);
                }
                ((String[]) out)[i] = v.textValue();
            }
        }
    }

    /**
     * An integer in [min, max]. A number written with a fraction or an exponent is accepted when its
     * value is a whole number (3.0, 1e3), as the row APIs' JSON often comes from floating-point code.
     */
    private static long integer(JsonNode v, long min, long max, String expected, String what, int i) {
        if (v.isIntegralNumber()) {
            if (v.canConvertToLong() && v.longValue() >= min && v.longValue() <= max) {
                return v.longValue();
            }
        } else if (v.isFloatingPointNumber()) {
            double d = v.doubleValue();
            if (d == Math.rint(d) && d >= min && d <= max && Math.abs(d) < 0x1p63) {
                return (long) d;
            }
        }
        throw element(what, i, expected, v);
    }

    private static long unsigned64(JsonNode v, String what, int i) {
        BigInteger value = null;
        if (v.isIntegralNumber()) {
            value = v.bigIntegerValue();
        } else if (v.isFloatingPointNumber() && v.doubleValue() == Math.rint(v.doubleValue())
                && !Double.isInfinite(v.doubleValue())) {
            value = new BigDecimal(v.doubleValue()).toBigInteger();
        }
        if (value == null || value.signum() < 0 || value.bitLength() > 64) {
            throw element(what, i, "an unsigned 64-bit integer (0 to 18446744073709551615)", v);
        }
        return value.longValue();
    }

    private static double number(JsonNode v, String what, int i) {
        if (!v.isNumber()) {
            throw element(what, i, "a number", v);
        }
        double value = v.doubleValue();
        if (Double.isInfinite(value)) {
            throw element(what, i, "within the FP64 range (about ±1.8e308)", v);
        }
        return value;
    }

    private static BadRequestException element(String what, int index, String expected, JsonNode got) {
        String shown = got.isValueNode() ? got.toString() : JsonBodies.kind(got);
        if (shown.length() > 40) {
            shown = shown.substring(0, 40) + "...";
        }
        return new BadRequestException(what + " element " + index + " must be " + expected + ", got " + shown);
    }

    /** The elements a tensor of {@code shape} holds, refused when no array could hold them. */
    public static int elementCount(long[] shape, String what) {
        long count;
        try {
            count = Tensor.elementCount(shape);
        } catch (ArithmeticException e) {
            count = Long.MAX_VALUE;
        }
        if (count > Integer.MAX_VALUE) {
            throw new BadRequestException(what + ": shape " + shapeText(shape) + " is too large");
        }
        return (int) count;
    }

    public static String shapeText(long[] shape) {
        return Arrays.toString(shape);
    }
}
