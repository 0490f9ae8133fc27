package io.quiver.examples;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds a serialized ONNX {@code ModelProto} (IR version 7, default-domain opset 13) from a
 * small fluent description of one graph.
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
        FLOAT(1), INT32(6), INT64(7), STRING(8), BOOL(9), DOUBLE(11);

        public final int code;

        ElementType(int code) {
            this.code = code;
        }
    }

    /** A node attribute, encoded as an {@code AttributeProto}. */
    public static final class Attribute {
        private static final int FLOAT = 1, INT = 2, STRING = 3, FLOATS = 6, INTS = 7;

        private final ProtoWriter proto;

        private Attribute(String name, int type) {
            this.proto = new ProtoWriter().string(1, name).varint(20, type);
        }

        public static Attribute integer(String name, long value) {
            Attribute attribute = new Attribute(name, INT);
            attribute.proto.varint(3, value);
            return attribute;
        }

        public static Attribute real(String name, float value) {
            Attribute attribute = new Attribute(name, FLOAT);
            attribute.proto.float32(2, value);
            return attribute;
        }

        public static Attribute string(String name, String value) {
            Attribute attribute = new Attribute(name, STRING);
            attribute.proto.string(4, value);
            return attribute;
        }

        public static Attribute ints(String name, long... values) {
            Attribute attribute = new Attribute(name, INTS);
            attribute.proto.packedVarints(8, values);
            return attribute;
        }

        public static Attribute floats(String name, float... values) {
            Attribute attribute = new Attribute(name, FLOATS);
            attribute.proto.packedFloats(7, values);
            return attribute;
        }
    }

    private final String graphName;
    private final List<ProtoWriter> nodes = new ArrayList<>();
    private final List<ProtoWriter> initializers = new ArrayList<>();
    private final List<ProtoWriter> inputs = new ArrayList<>();
    private final List<ProtoWriter> outputs = new ArrayList<>();

    private OnnxModelWriter(String graphName) {
        this.graphName = graphName;
    }

    public static OnnxModelWriter graph(String name) {
        return new OnnxModelWriter(name);
    }

    public OnnxModelWriter input(String name, ElementType type, Object... dims) {
        inputs.add(valueInfo(name, type, dims));
        return this;
    }

    public OnnxModelWriter output(String name, ElementType type, Object... dims) {
        outputs.add(valueInfo(name, type, dims));
        return this;
    }

    public OnnxModelWriter initializer(String name, long[] dims, float[] values) {
        initializers.add(tensor(name, ElementType.FLOAT, dims, values.length).packedFloats(4, values));
        return this;
    }

    public OnnxModelWriter initializer(String name, long[] dims, long[] values) {
        initializers.add(tensor(name, ElementType.INT64, dims, values.length).packedVarints(7, values));
        return this;
    }

    public OnnxModelWriter initializer(String name, long[] dims, double[] values) {
        initializers.add(tensor(name, ElementType.DOUBLE, dims, values.length).packedDoubles(10, values));
        return this;
    }

    /** Adds a node; an empty string in {@code inputs} skips an optional input. */
    public OnnxModelWriter node(String opType, List<String> inputs, List<String> outputs, Attribute... attributes) {
        ProtoWriter node = new ProtoWriter();
        inputs.forEach(input -> node.string(1, input));
        outputs.forEach(output -> node.string(2, output));
        node.string(3, opType + "_" + nodes.size()).string(4, opType);
        for (Attribute attribute : attributes) {
            node.message(5, attribute.proto);
        }
        nodes.add(node);
        return this;
    }

    public byte[] toByteArray() {
        ProtoWriter graph = new ProtoWriter();
        nodes.forEach(node -> graph.message(1, node));
        graph.string(2, graphName);
        initializers.forEach(initializer -> graph.message(5, initializer));
        inputs.forEach(input -> graph.message(11, input));
        outputs.forEach(output -> graph.message(12, output));
        ProtoWriter opset = new ProtoWriter().string(1, "").varint(2, OPSET_VERSION);
        return new ProtoWriter()
                .varint(1, IR_VERSION)
                .string(2, PRODUCER)
                .message(7, graph)
                .message(8, opset)
                .toByteArray();
    }

    private static ProtoWriter tensor(String name, ElementType type, long[] dims, int valueCount) {
        long size = 1;
        for (long dim : dims) {
            size *= dim;
        }
        if (size != valueCount) {
            throw new IllegalArgumentException(
                    "initializer " + name + " has " + valueCount + " values for " + size + " elements");
        }
        return new ProtoWriter().packedVarints(1, dims).varint(2, type.code).string(8, name);
    }

    private static ProtoWriter valueInfo(String name, ElementType type, Object... dims) {
        ProtoWriter shape = new ProtoWriter();
        for (Object dim : dims) {
            ProtoWriter dimension;
            if (dim instanceof String symbol) {
                dimension = new ProtoWriter().string(2, symbol);
            } else if (dim instanceof Integer || dim instanceof Long) {
                dimension = new ProtoWriter().varint(1, ((Number) dim).longValue());
            } else {
                throw new IllegalArgumentException("dimension of " + name + " must be a String or a size: " + dim);
            }
            shape.message(1, dimension);
        }
        ProtoWriter tensorType = new ProtoWriter().varint(1, type.code).message(2, shape);
        ProtoWriter typeProto = new ProtoWriter().message(1, tensorType);
        return new ProtoWriter().string(1, name).message(2, typeProto);
    }
}
