package io.quiver.server.protocol.grpc;

import com.google.protobuf.ByteString;
import io.quiver.common.error.BadRequestException;
import io.quiver.grpc.inference.InferTensorContents;
import io.quiver.grpc.inference.ModelInferRequest;
import io.quiver.grpc.inference.ModelInferRequest.InferInputTensor;
import io.quiver.server.inference.DataType;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.Tensor;
import io.quiver.server.protocol.TensorBytes;
import io.quiver.server.protocol.TensorJson;
import java.nio.charset.CharsetDecoder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code ModelInferRequest} to {@link InferenceRequest}: the same tensors the REST decoders make,
 * so both go through one validation and one engine. Inputs come either all as typed
 * {@code contents} or all as {@code raw_input_contents}, as the protocol says.
 */
final class GrpcInputs {
    static final String RAW_INPUTS = "raw_input_contents";

    private GrpcInputs() {
    }

    static InferenceRequest decode(ModelInferRequest request) {
        if (request.getInputsCount() == 0) {
            throw new BadRequestException("'inputs' must be a non-empty list of tensors");
        }
        boolean raw = request.getRawInputContentsCount() > 0;
        if (raw && request.getRawInputContentsCount() != request.getInputsCount()) {
            throw new BadRequestException(RAW_INPUTS + " has " + request.getRawInputContentsCount()
                    + " entries but the request has " + request.getInputsCount() + " inputs; give one for each input");
        }
        List<Tensor> tensors = new ArrayList<>(request.getInputsCount());
        for (int i = 0; i < request.getInputsCount(); i++) {
            tensors.add(tensor(request.getInputs(i), raw ? request.getRawInputContents(i) : null, i));
        }
        Set<String> outputs = new LinkedHashSet<>();
        request.getOutputsList().forEach(output -> outputs.add(output.getName()));
        return new InferenceRequest(tensors, outputs);
    }

    private static Tensor tensor(InferInputTensor input, ByteString raw, int index) {
        String what = "input '" + input.getName() + "'";
        if (input.getName().isEmpty()) {
            throw new BadRequestException("inputs[" + index + "] has no name");
        }
        DataType type = DataType.named(input.getDatatype()).orElseThrow(() -> new BadRequestException(
                what + " has datatype '" + input.getDatatype() + "'; supported: " + DataType.NAMES));
        long[] shape = new long[input.getShapeCount()];
        for (int d = 0; d < shape.length; d++) {
            shape[d] = input.getShape(d);
            if (shape[d] < 0) {
                throw new BadRequestException(what + ": shape[" + d + "] must be a non-negative integer, got "
                        + shape[d]);
            }
        }
        int count = TensorJson.elementCount(shape, what);
        if (raw != null) {
            if (input.hasContents()) {
                throw new BadRequestException(what + " has contents although the request carries "
                        + RAW_INPUTS + "; give every input one way");
            }
            return TensorBytes.read(raw.asReadOnlyByteBuffer(), input.getName(), type, count, shape, what,
                    RAW_INPUTS + "[" + index + "]");
        }
        return new Tensor(input.getName(), type, shape, typed(input.getContents(), type, count, shape, what));
    }

    /** The elements from the contents field of {@code type}; every other field must be empty. */
    private static Object typed(InferTensorContents contents, DataType type, int count, long[] shape, String what) {
        String field = field(type);
        if (field == null) {
            throw new BadRequestException(what + " has datatype " + type + ", which has no typed contents field; "
                    + "send it in " + RAW_INPUTS);
        }
        String other = filledFields(contents).stream().filter(f -> !f.equals(field)).findFirst().orElse(null);
        if (other != null) {
            throw new BadRequestException(what + " has datatype " + type + ", whose elements go in contents."
                    + field + ", but contents." + other + " is given");
        }
        int given = length(contents, type);
        if (given != count) {
            throw new BadRequestException(what + ": contents." + field + " has " + given + " elements but shape "
                    + TensorJson.shapeText(shape) + " takes " + count);
        }
        Object out = type.newArray(count);
        for (int i = 0; i < count; i++) {
            set(contents, type, out, i, what);
        }
        return out;
    }

    private static void set(InferTensorContents c, DataType type, Object out, int i, String what) {
        switch (type) {
            case BOOL -> ((boolean[]) out)[i] = c.getBoolContents(i);
            case INT8 -> ((byte[]) out)[i] = (byte) signed(c.getIntContents(i), Byte.MIN_VALUE, Byte.MAX_VALUE,
                    "an 8-bit integer (-128 to 127)", what, i);
            case INT16 -> ((short[]) out)[i] = (short) signed(c.getIntContents(i), Short.MIN_VALUE, Short.MAX_VALUE,
                    "a 16-bit integer (-32768 to 32767)", what, i);
            case INT32 -> ((int[]) out)[i] = c.getIntContents(i);
            case INT64 -> ((long[]) out)[i] = c.getInt64Contents(i);
            case UINT8 -> ((byte[]) out)[i] = (byte) unsigned(c.getUintContents(i), 0xff,
                    "an unsigned 8-bit integer (0 to 255)", what, i);
            case UINT16 -> ((short[]) out)[i] = (short) unsigned(c.getUintContents(i), 0xffff,
                    "an unsigned 16-bit integer (0 to 65535)", what, i);
            case UINT32 -> ((int[]) out)[i] = c.getUintContents(i);
            case UINT64 -> ((long[]) out)[i] = c.getUint64Contents(i);
            case FP32 -> ((float[]) out)[i] = c.getFp32Contents(i);
            case FP64 -> ((double[]) out)[i] = c.getFp64Contents(i);
            case BYTES -> ((String[]) out)[i] = TensorBytes.utf8(UTF8.get(), c.getBytesContents(i).asReadOnlyByteBuffer(),
                    what, i);
            default -> throw new IllegalStateException(type.name());
        }
    }

    private static final ThreadLocal<CharsetDecoder> UTF8 = ThreadLocal.withInitial(TensorBytes::utf8Decoder);

    private static long signed(int value, long min, long max, String expected, String what, int i) {
        if (value < min || value > max) {
            throw element(what, i, expected, Integer.toString(value));
        }
        return value;
    }

    /** A uint32 field's value, which Java holds in an int's bits. */
    private static long unsigned(int bits, long max, String expected, String what, int i) {
        long value = Integer.toUnsignedLong(bits);
        if (value > max) {
            throw element(what, i, expected, Long.toString(value));
        }
        return value;
    }

    private static BadRequestException element(String what, int index, String expected, String got) {
        return new BadRequestException(what + " element " + index + " must be " + expected + ", got " + got);
    }

    /** The contents field that carries {@code type}; null for FP16 and BF16, which travel only raw. */
    static String field(DataType type) {
        return switch (type) {
            case BOOL -> "bool_contents";
            case INT8, INT16, INT32 -> "int_contents";
            case INT64 -> "int64_contents";
            case UINT8, UINT16, UINT32 -> "uint_contents";
            case UINT64 -> "uint64_contents";
            case FP32 -> "fp32_contents";
            case FP64 -> "fp64_contents";
            case BYTES -> "bytes_contents";
            case FP16, BF16 -> null;
        };
    }

    private static int length(InferTensorContents c, DataType type) {
        return switch (type) {
            case BOOL -> c.getBoolContentsCount();
            case INT8, INT16, INT32 -> c.getIntContentsCount();
            case INT64 -> c.getInt64ContentsCount();
            case UINT8, UINT16, UINT32 -> c.getUintContentsCount();
            case UINT64 -> c.getUint64ContentsCount();
            case FP32 -> c.getFp32ContentsCount();
            case FP64 -> c.getFp64ContentsCount();
            case BYTES -> c.getBytesContentsCount();
            case FP16, BF16 -> 0;
        };
    }

    private static List<String> filledFields(InferTensorContents c) {
        List<String> filled = new ArrayList<>();
        addIf(filled, c.getBoolContentsCount(), "bool_contents");
        addIf(filled, c.getIntContentsCount(), "int_contents");
        addIf(filled, c.getInt64ContentsCount(), "int64_contents");
        addIf(filled, c.getUintContentsCount(), "uint_contents");
        addIf(filled, c.getUint64ContentsCount(), "uint64_contents");
        addIf(filled, c.getFp32ContentsCount(), "fp32_contents");
        addIf(filled, c.getFp64ContentsCount(), "fp64_contents");
        addIf(filled, c.getBytesContentsCount(), "bytes_contents");
        return filled;
    }

    private static void addIf(List<String> filled, int count, String field) {
        if (count > 0) {
            filled.add(field);
        }
    }
}
