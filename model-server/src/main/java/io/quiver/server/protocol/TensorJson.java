package io.quiver.server.protocol;

import io.quiver.common.json.JsonBodies;
import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.error.BadRequestException;
import io.quiver.server.inference.DataType;
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
        Object out = type.newArray(count);
        int[] next = {0};
        fill(value, type, out, next, count, what);
        if (next[0] != count) {
            throw new BadRequestException(what + " has " + next[0] + " elements, expected " + count);
        }
        return out;
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
            case FP32 -> {
                double value = number(v, what, i);
                if (Math.abs(value) > Float.MAX_VALUE) {
                    throw element(what, i, "within the FP32 range (about ±3.4e38)", v);
                }
                ((float[]) out)[i] = (float) value;
            }
            case FP64 -> ((double[]) out)[i] = number(v, what, i);
            case INT32 -> {
                if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                    throw element(what, i, "a 32-bit integer", v);
                }
                ((int[]) out)[i] = v.intValue();
            }
            case INT64 -> {
                if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                    throw element(what, i, "a 64-bit integer", v);
                }
                ((long[]) out)[i] = v.longValue();
            }
            case BOOL -> {
                if (!v.isBoolean()) {
                    throw element(what, i, "true or false", v);
                }
                ((boolean[]) out)[i] = v.booleanValue();
            }
            case BYTES -> {
                if (!v.isTextual()) {
                    throw element(what, i, "a string", v);
                }
                ((String[]) out)[i] = v.textValue();
            }
        }
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

    public static String shapeText(long[] shape) {
        return Arrays.toString(shape);
    }
}
