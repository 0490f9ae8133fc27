package io.quiver.examples;

import static io.quiver.examples.ExporterWeights.*;

import ai.onnx.proto.OnnxMl.GraphProto;
import io.quiver.common.numbers.HalfFloats;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.util.List;
import java.util.Map;

/**
 * Models as {@code torch.onnx.export} (TorchScript exporter, opset 17) writes small modules: inputs
 * and outputs named by {@code input_names}/{@code output_names}, {@code batch_size} as the dynamic
 * axis, nodes named by module path ({@code /fc1/MatMul}), Linear weights stored transposed for
 * MatMul under {@code onnx::MatMul_*} names, buffers and biases under their state-dict names.
 */
final class TorchExports {
    private static final String PRODUCER = "pytorch";
    private static final String PRODUCER_VERSION = "2.5.1";
    private static final int OPSET = 17;
    private static final String BATCH = "batch_size";

    private TorchExports() {
    }

    /** {@code Sequential(fc1=Linear(4, 3), act=ReLU(), fc2=Linear(3, 2)).half()}: FLOAT16 throughout. */
    static ModelProto halfPrecisionMlp() {
        GraphProto graph = GraphProto.newBuilder()
                .setName("main_graph")
                .addInput(OnnxProtos.tensor("input", DataType.FLOAT16, BATCH, HALF_IN))
                .addOutput(OnnxProtos.tensor("output", DataType.FLOAT16, BATCH, HALF_OUT))
                .addInitializer(OnnxProtos.halves("fc1.bias", new long[] {HALF_HIDDEN}, fp16Bits(HALF_B1)))
                .addInitializer(OnnxProtos.halves("fc2.bias", new long[] {HALF_OUT}, fp16Bits(HALF_B2)))
                .addInitializer(OnnxProtos.halves("onnx::MatMul_10", new long[] {HALF_IN, HALF_HIDDEN},
                        fp16Bits(HALF_W1)))
                .addInitializer(OnnxProtos.halves("onnx::MatMul_11", new long[] {HALF_HIDDEN, HALF_OUT},
                        fp16Bits(HALF_W2)))
                .addNode(node("MatMul", "/fc1/MatMul", List.of("input", "onnx::MatMul_10")))
                .addNode(node("Add", "/fc1/Add", List.of("fc1.bias", "/fc1/MatMul_output_0")))
                .addNode(node("Relu", "/act/Relu", List.of("/fc1/Add_output_0")))
                .addNode(node("MatMul", "/fc2/MatMul", List.of("/act/Relu_output_0", "onnx::MatMul_11")))
                .addNode(OnnxProtos.node("", "Add", "/fc2/Add", List.of("fc2.bias", "/fc2/MatMul_output_0"),
                        List.of("output")))
                .build();
        return OnnxProtos.model(PRODUCER, PRODUCER_VERSION, graph, Map.of("", OPSET));
    }

    /**
     * torchvision's {@code ToTensor} and {@code Normalize} baked into the graph in front of a
     * global average pool and a linear head: UINT8 pixels {@code [N, 3, 4, 4]} in, two FP32 logits out.
     */
    static ModelProto imagePreprocessing() {
        long[] perChannel = {1, IMAGE_CHANNELS, 1, 1};
        GraphProto graph = GraphProto.newBuilder()
                .setName("main_graph")
                .addInput(OnnxProtos.tensor("pixels", DataType.UINT8, BATCH, IMAGE_CHANNELS, IMAGE_SIZE, IMAGE_SIZE))
                .addOutput(OnnxProtos.tensor("logits", DataType.FLOAT, BATCH, IMAGE_CLASSES))
                .addInitializer(OnnxProtos.floats("mean", perChannel, IMAGE_MEAN))
                .addInitializer(OnnxProtos.floats("std", perChannel, IMAGE_STD))
                .addInitializer(OnnxProtos.floats("head.bias", new long[] {IMAGE_CLASSES}, IMAGE_HEAD_B))
                .addInitializer(OnnxProtos.floats("onnx::MatMul_20", new long[] {IMAGE_CHANNELS, IMAGE_CLASSES},
                        IMAGE_HEAD_W))
                .addNode(OnnxProtos.node("", "Cast", "/Cast", List.of("pixels"), List.of("/Cast_output_0"),
                        OnnxProtos.integer("to", DataType.FLOAT.getNumber())))
                .addNode(OnnxProtos.node("", "Constant", "/Constant", List.of(), List.of("/Constant_output_0"),
                        OnnxProtos.tensorValue("value", OnnxProtos.floats("", new long[0], 255f))))
                .addNode(OnnxProtos.node("", "Div", "/Div", List.of("/Cast_output_0", "/Constant_output_0"),
                        List.of("/Div_output_0")))
                .addNode(OnnxProtos.node("", "Sub", "/Sub", List.of("/Div_output_0", "mean"),
                        List.of("/Sub_output_0")))
                .addNode(OnnxProtos.node("", "Div", "/Div_1", List.of("/Sub_output_0", "std"),
                        List.of("/Div_1_output_0")))
                .addNode(OnnxProtos.node("", "ReduceMean", "/ReduceMean", List.of("/Div_1_output_0"),
                        List.of("/ReduceMean_output_0"), OnnxProtos.ints("axes", 2, 3), OnnxProtos.integer("keepdims", 0)))
                .addNode(node("MatMul", "/head/MatMul", List.of("/ReduceMean_output_0", "onnx::MatMul_20")))
                .addNode(OnnxProtos.node("", "Add", "/head/Add", List.of("head.bias", "/head/MatMul_output_0"),
                        List.of("logits")))
                .build();
        return OnnxProtos.model(PRODUCER, PRODUCER_VERSION, graph, Map.of("", OPSET));
    }

    /**
     * {@code forward(x, k): y = x * k; return y, y.sum()} with {@code k} a 0-d int64 tensor: a
     * rank-0 input beside a batched one, and a rank-0 output.
     */
    static ModelProto scalarInput() {
        GraphProto graph = GraphProto.newBuilder()
                .setName("main_graph")
                .addInput(OnnxProtos.tensor("x", DataType.FLOAT, BATCH, 3))
                .addInput(OnnxProtos.tensor("k", DataType.INT64))
                .addOutput(OnnxProtos.tensor("scaled", DataType.FLOAT, BATCH, 3))
                .addOutput(OnnxProtos.tensor("total", DataType.FLOAT))
                .addNode(OnnxProtos.node("", "Cast", "/Cast", List.of("k"), List.of("/Cast_output_0"),
                        OnnxProtos.integer("to", DataType.FLOAT.getNumber())))
                .addNode(OnnxProtos.node("", "Mul", "/Mul", List.of("x", "/Cast_output_0"), List.of("scaled")))
                .addNode(OnnxProtos.node("", "ReduceSum", "/ReduceSum", List.of("scaled"), List.of("total"),
                        OnnxProtos.integer("keepdims", 0)))
                .build();
        return OnnxProtos.model(PRODUCER, PRODUCER_VERSION, graph, Map.of("", OPSET));
    }

    /** A node whose one output torch names {@code <node name>_output_0}. */
    private static NodeProto node(String opType, String name, List<String> inputs) {
        return OnnxProtos.node("", opType, name, inputs, List.of(name + "_output_0"));
    }

    private static short[] fp16Bits(float[] values) {
        short[] bits = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = HalfFloats.toFp16(values[i]);
        }
        return bits;
    }
}
