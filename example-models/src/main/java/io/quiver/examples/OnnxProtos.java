package io.quiver.examples;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Small factories over ONNX's generated protobuf messages, filled in the way skl2onnx and
 * torch.onnx fill them: IR version 8, node domains set, initializers as {@code raw_data}.
 * Dimensions are {@code Integer}/{@code Long} for fixed sizes and {@code String} for symbolic ones.
 */
final class OnnxProtos {
    /** The IR version of ONNX 1.10 to 1.14, which skl2onnx and torch.onnx write for opsets 13 to 18. */
    static final long IR_VERSION = 8;
    static final String ML_DOMAIN = "ai.onnx.ml";

    private OnnxProtos() {
    }

    /** A model with the given producer and {@code domain -> version} opset imports, in that order. */
    static ModelProto model(String producer, String producerVersion, GraphProto graph, Map<String, Integer> opsets) {
        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName(producer)
                .setProducerVersion(producerVersion)
                .setDomain("ai.onnx")
                .setModelVersion(0)
                .setGraph(graph);
        opsets.forEach((domain, version) ->
                model.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version)));
        return model.build();
    }

    static ValueInfoProto tensor(String name, DataType type, Object... dims) {
        return ValueInfoProto.newBuilder().setName(name).setType(tensorType(type, dims)).build();
    }

    /** {@code seq(map(key, value))}: what ZipMap writes, one map from class label to probability per row. */
    static ValueInfoProto sequenceOfMaps(String name, DataType key, DataType value) {
        TypeProto valueType = TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(value.getNumber()))
                .build();
        TypeProto map = TypeProto.newBuilder()
                .setMapType(TypeProto.Map.newBuilder().setKeyType(key.getNumber()).setValueType(valueType))
                .build();
        TypeProto sequence = TypeProto.newBuilder()
                .setSequenceType(TypeProto.Sequence.newBuilder().setElemType(map))
                .build();
        return ValueInfoProto.newBuilder().setName(name).setType(sequence).build();
    }

    private static TypeProto tensorType(DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object dim : dims) {
            if (dim instanceof String symbol) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(symbol));
            } else if (dim instanceof Integer || dim instanceof Long) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) dim).longValue()));
            } else {
                throw new IllegalArgumentException("a dimension is a String or a size, not " + dim);
            }
        }
        return TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))
                .build();
    }

    /** A node; {@code domain} is {@code ""} for the default opset, as exporters write it. */
    static NodeProto node(String domain, String opType, String name, List<String> inputs, List<String> outputs,
            AttributeProto... attributes) {
        return NodeProto.newBuilder()
                .setDomain(domain)
                .setOpType(opType)
                .setName(name)
                .addAllInput(inputs)
                .addAllOutput(outputs)
                .addAllAttribute(Arrays.asList(attributes))
                .build();
    }

    static AttributeProto integer(String name, long value) {
        return attribute(name, AttributeType.INT).setI(value).build();
    }

    static AttributeProto string(String name, String value) {
        return attribute(name, AttributeType.STRING).setS(ByteString.copyFromUtf8(value)).build();
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder attribute = attribute(name, AttributeType.INTS);
        for (long value : values) {
            attribute.addInts(value);
        }
        return attribute.build();
    }

    static AttributeProto floats(String name, float... values) {
        AttributeProto.Builder attribute = attribute(name, AttributeType.FLOATS);
        for (float value : values) {
            attribute.addFloats(value);
        }
        return attribute.build();
    }

    static AttributeProto strings(String name, String... values) {
        AttributeProto.Builder attribute = attribute(name, AttributeType.STRINGS);
        for (String value : values) {
            attribute.addStrings(ByteString.copyFromUtf8(value));
        }
        return attribute.build();
    }

    static AttributeProto tensorValue(String name, TensorProto value) {
        return attribute(name, AttributeType.TENSOR).setT(value).build();
    }

    private static AttributeProto.Builder attribute(String name, AttributeType type) {
        return AttributeProto.newBuilder().setName(name).setType(type);
    }

    static TensorProto floats(String name, long[] dims, float... values) {
        ByteBuffer raw = raw(name, dims, values.length, Float.BYTES);
        for (float value : values) {
            raw.putFloat(value);
        }
        return tensorProto(name, DataType.FLOAT, dims, raw);
    }

    /** FLOAT16 from the IEEE half bit patterns, stored little-endian in {@code raw_data} as torch writes them. */
    static TensorProto halves(String name, long[] dims, short... bits) {
        ByteBuffer raw = raw(name, dims, bits.length, Short.BYTES);
        for (short value : bits) {
            raw.putShort(value);
        }
        return tensorProto(name, DataType.FLOAT16, dims, raw);
    }

    static TensorProto longs(String name, long[] dims, long... values) {
        ByteBuffer raw = raw(name, dims, values.length, Long.BYTES);
        for (long value : values) {
            raw.putLong(value);
        }
        return tensorProto(name, DataType.INT64, dims, raw);
    }

    private static ByteBuffer raw(String name, long[] dims, int count, int width) {
        long size = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        if (size != count) {
            throw new IllegalArgumentException("tensor " + name + " has " + count + " values for " + size + " elements");
        }
        return ByteBuffer.allocate(count * width).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static TensorProto tensorProto(String name, DataType type, long[] dims, ByteBuffer raw) {
        TensorProto.Builder tensor = TensorProto.newBuilder().setName(name).setDataType(type.getNumber());
        for (long dim : dims) {
            tensor.addDims(dim);
        }
        return tensor.setRawData(ByteString.copyFrom(raw.array())).build();
    }
}
