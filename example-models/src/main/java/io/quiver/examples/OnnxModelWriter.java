package io.quiver.examples;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.util.Arrays;
import java.util.List;

/**
 * Builds a serialized ONNX {@code ModelProto} (IR version 7, default-domain opset 13) from a
 * small fluent description of one graph, with ONNX's generated protobuf classes.
 *
 * <p>Dimensions are given as {@code Integer}/{@code Long} for fixed sizes and {@code String}
 * for symbolic ones (such as {@code "batch"}).
 */
public final class OnnxModelWriter {
    private static final long IR_VERSION = 7;
    private static final long OPSET_VERSION = 13;
    private static final String PRODUCER = "quiver-example-models";

    /** Tensor element types, with their {@code TensorProto.DataType} codes. */
    public enum ElementType {
        FLOAT(DataType.FLOAT), INT32(DataType.INT32), INT64(DataType.INT64), STRING(DataType.STRING),
        BOOL(DataType.BOOL), DOUBLE(DataType.DOUBLE);

        public final int code;
        private final DataType type;

        ElementType(DataType type) {
            this.type = type;
            this.code = type.getNumber();
        }
    }

    /** A node attribute. */
    public static final class Attribute {
        private final AttributeProto proto;

        private Attribute(AttributeProto proto) {
            this.proto = proto;
        }

        public static Attribute integer(String name, long value) {
            return new Attribute(OnnxProtos.integer(name, value));
        }

        public static Attribute real(String name, float value) {
            return new Attribute(AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF(value)
                    .build());
        }

        public static Attribute string(String name, String value) {
            return new Attribute(OnnxProtos.string(name, value));
        }

        public static Attribute ints(String name, long... values) {
            return new Attribute(OnnxProtos.ints(name, values));
        }

        public static Attribute floats(String name, float... values) {
            return new Attribute(OnnxProtos.floats(name, values));
        }
    }

    private final GraphProto.Builder graph;

    private OnnxModelWriter(String graphName) {
        this.graph = GraphProto.newBuilder().setName(graphName);
    }

    public static OnnxModelWriter graph(String name) {
        return new OnnxModelWriter(name);
    }

    public OnnxModelWriter input(String name, ElementType type, Object... dims) {
        graph.addInput(OnnxProtos.tensor(name, type.type, dims));
        return this;
    }

    public OnnxModelWriter output(String name, ElementType type, Object... dims) {
        graph.addOutput(OnnxProtos.tensor(name, type.type, dims));
        return this;
    }

    public OnnxModelWriter initializer(String name, long[] dims, float[] values) {
        checkFilled(name, dims, values.length);
        graph.addInitializer(tensor(name, ElementType.FLOAT, dims).addAllFloatData(boxed(values)));
        return this;
    }

    public OnnxModelWriter initializer(String name, long[] dims, long[] values) {
        checkFilled(name, dims, values.length);
        graph.addInitializer(tensor(name, ElementType.INT64, dims).addAllInt64Data(Arrays.stream(values).boxed().toList()));
        return this;
    }

    public OnnxModelWriter initializer(String name, long[] dims, double[] values) {
        checkFilled(name, dims, values.length);
        graph.addInitializer(tensor(name, ElementType.DOUBLE, dims).addAllDoubleData(Arrays.stream(values).boxed().toList()));
        return this;
    }

    /** Adds a node; an empty string in {@code inputs} skips an optional input. */
    public OnnxModelWriter node(String opType, List<String> inputs, List<String> outputs, Attribute... attributes) {
        graph.addNode(NodeProto.newBuilder()
                .addAllInput(inputs)
                .addAllOutput(outputs)
                .setName(opType + "_" + graph.getNodeCount())
                .setOpType(opType)
                .addAllAttribute(Arrays.stream(attributes).map(a -> a.proto).toList()));
        return this;
    }

    public byte[] toByteArray() {
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName(PRODUCER)
                .setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET_VERSION))
                .build()
                .toByteArray();
    }

    private static TensorProto.Builder tensor(String name, ElementType type, long[] dims) {
        return TensorProto.newBuilder().setName(name).setDataType(type.code)
                .addAllDims(Arrays.stream(dims).boxed().toList());
    }

    private static void checkFilled(String name, long[] dims, int valueCount) {
        long size = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        if (size != valueCount) {
            throw new IllegalArgumentException(
                    "initializer " + name + " has " + valueCount + " values for " + size + " elements");
        }
    }

    private static List<Float> boxed(float[] values) {
        Float[] boxed = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return Arrays.asList(boxed);
    }
}
