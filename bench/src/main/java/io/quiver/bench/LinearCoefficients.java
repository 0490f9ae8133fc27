package io.quiver.bench;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The coefficients of a linear regression served as ONNX ({@code MatMul(features, W)} then
 * {@code Add(b)}, as {@code house_price} is), read from the model file itself and written as JSON,
 * so that the peer benchmark's scikit-learn estimator (bench/peer/mlserver_standin.py) is the same
 * fitted model that the model-server serves, not a copy of constants that could drift from it.
 * Any other graph is refused: the peer can only stand in for a model it can rebuild exactly.
 */
public final class LinearCoefficients {

    /**
     * {@code price = features coef + intercept}, one coefficient per input feature. Written as
     * doubles, which hold each float exactly, so the estimator's float64 weights are the model's.
     */
    record Linear(float[] coef, float intercept) {
        String toJson() {
            String values = IntStream.range(0, coef.length)
                    .mapToObj(i -> Double.toString(coef[i]))
                    .collect(Collectors.joining(", "));
            return String.format(Locale.ROOT, "{\"coef\": [%s], \"intercept\": %s}%n", values, Double.toString(intercept));
        }
    }

    private LinearCoefficients() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: LinearCoefficients <model.onnx> <coefficients.json>");
            System.exit(2);
        }
        Linear linear = read(Files.readAllBytes(Paths.get(args[0])));
        Files.writeString(Path.of(args[1]), linear.toJson());
    }

    /** The coefficients of a MatMul-then-Add graph with a {@code [n, 1]} weight and a one-value bias. */
    static Linear read(byte[] model) throws IOException {
        GraphProto graph = ModelProto.parseFrom(model).getGraph();
        List<NodeProto> nodes = graph.getNodeList();
        if (nodes.size() != 2 || !nodes.get(0).getOpType().equals("MatMul") || !nodes.get(1).getOpType().equals("Add")) {
            throw new IllegalArgumentException("not a linear regression (MatMul then Add): "
                    + nodes.stream().map(NodeProto::getOpType).toList());
        }
        TensorProto weights = initializer(graph, nodes.get(0).getInput(1));
        TensorProto bias = initializer(graph, nodes.get(1).getInput(1));
        if (weights.getDimsCount() != 2 || weights.getDims(1) != 1) {
            throw new IllegalArgumentException("weights " + weights.getName() + " are not [n, 1]: " + weights.getDimsList());
        }
        float[] intercept = floats(bias);
        if (intercept.length != 1) {
            throw new IllegalArgumentException("bias " + bias.getName() + " has " + intercept.length + " values, not 1");
        }
        return new Linear(floats(weights), intercept[0]);
    }

    private static TensorProto initializer(GraphProto graph, String name) {
        return graph.getInitializerList().stream()
                .filter(t -> t.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no initializer named " + name));
    }

    /** A FLOAT tensor's values, whether the writer put them in float_data or raw_data (little-endian). */
    private static float[] floats(TensorProto tensor) {
        if (tensor.getDataType() != DataType.FLOAT.getNumber()) {
            throw new IllegalArgumentException(tensor.getName() + " is not FLOAT");
        }
        if (!tensor.getRawData().isEmpty()) {
            ByteBuffer raw = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[raw.remaining() / Float.BYTES];
            raw.asFloatBuffer().get(values);
            return values;
        }
        float[] values = new float[tensor.getFloatDataCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = tensor.getFloatData(i);
        }
        return values;
    }
}
