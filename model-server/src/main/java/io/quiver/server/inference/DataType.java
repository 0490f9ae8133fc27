package io.quiver.server.inference;

import ai.onnxruntime.OnnxJavaType;
import java.util.Arrays;
import java.util.Optional;

/** The tensor element types Quiver feeds to and reads from models, named as the V2 protocol names them. */
public enum DataType {
    FP32(OnnxJavaType.FLOAT),
    FP64(OnnxJavaType.DOUBLE),
    INT32(OnnxJavaType.INT32),
    INT64(OnnxJavaType.INT64),
    BOOL(OnnxJavaType.BOOL),
    BYTES(OnnxJavaType.STRING);

    private final OnnxJavaType onnxType;

    DataType(OnnxJavaType onnxType) {
        this.onnxType = onnxType;
    }

    public OnnxJavaType onnxType() {
        return onnxType;
    }

    public static Optional<DataType> of(OnnxJavaType onnxType) {
        return Arrays.stream(values()).filter(t -> t.onnxType == onnxType).findFirst();
    }

    public static Optional<DataType> named(String name) {
        return Arrays.stream(values()).filter(t -> t.name().equalsIgnoreCase(name)).findFirst();
    }

    /** A zeroed flat array of this type: float[], double[], int[], long[], boolean[] or String[]. */
    public Object newArray(int length) {
        return switch (this) {
            case FP32 -> new float[length];
            case FP64 -> new double[length];
            case INT32 -> new int[length];
            case INT64 -> new long[length];
            case BOOL -> new boolean[length];
            case BYTES -> new String[length];
        };
    }

    public boolean numeric() {
        return this != BOOL && this != BYTES;
    }
}
