package io.quiver.server.inference;

import ai.onnxruntime.TensorInfo.OnnxTensorType;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The tensor element types Quiver feeds to and reads from models, named as the V2 protocol names
 * them. Each is held in memory as the flat primitive array of its width: BOOL {@code boolean[]};
 * UINT8 and INT8 {@code byte[]}; UINT16, INT16, FP16 and BF16 {@code short[]} (halves as their IEEE
 * or bfloat16 bits); UINT32 and INT32 {@code int[]}; UINT64 and INT64 {@code long[]}; FP32
 * {@code float[]}; FP64 {@code double[]}; BYTES {@code String[]}. Unsigned values keep their bits,
 * so UINT8 255 is the byte -1; {@link TensorValues} reads them as the numbers they stand for.
 */
public enum DataType {
    BOOL(OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL, 1),
    UINT8(OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8, 1),
    UINT16(OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16, 2),
    UINT32(OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32, 4),
    UINT64(OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64, 8),
    INT8(OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8, 1),
    INT16(OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16, 2),
    INT32(OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32, 4),
    INT64(OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64, 8),
    FP16(OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16, 2),
    BF16(OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16, 2),
    FP32(OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, 4),
    FP64(OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE, 8),
    /** ONNX string tensors: each element is text, UTF-8 on the wire. */
    BYTES(OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING, 0);

    private static final DataType[] ALL = values();

    /** Every name, for messages that say what is accepted. */
    public static final String NAMES = Arrays.stream(ALL).map(Enum::name).collect(Collectors.joining(", "));

    private final OnnxTensorType onnxType;
    private final int byteSize;

    DataType(OnnxTensorType onnxType, int byteSize) {
        this.onnxType = onnxType;
        this.byteSize = byteSize;
    }

    /** The ONNX element type this stands for. */
    public OnnxTensorType onnxType() {
        return onnxType;
    }

    /** Bytes per element in the binary tensor format; 0 for BYTES, whose elements carry their own length. */
    public int byteSize() {
        return byteSize;
    }

    public static Optional<DataType> of(OnnxTensorType onnxType) {
        for (DataType type : ALL) {
            if (type.onnxType == onnxType) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    public static Optional<DataType> named(String name) {
        // Read for every input of every request: no copy of values(), no stream.
        for (DataType type : ALL) {
            if (type.name().equalsIgnoreCase(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    /** A zeroed flat array of this type's storage (see the class comment). */
    public Object newArray(int length) {
        return switch (this) {
            case BOOL -> new boolean[length];
            case UINT8, INT8 -> new byte[length];
            case UINT16, INT16, FP16, BF16 -> new short[length];
            case UINT32, INT32 -> new int[length];
            case UINT64, INT64 -> new long[length];
            case FP32 -> new float[length];
            case FP64 -> new double[length];
            case BYTES -> new String[length];
        };
    }

    public boolean numeric() {
        return this != BOOL && this != BYTES;
    }

    public boolean integral() {
        return switch (this) {
            case UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64 -> true;
            default -> false;
        };
    }
}
