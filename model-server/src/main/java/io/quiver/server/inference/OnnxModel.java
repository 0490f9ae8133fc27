package io.quiver.server.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.quiver.common.error.BadRequestException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One ONNX Runtime session. {@link #run} is thread-safe: ONNX Runtime allows concurrent runs. */
public final class OnnxModel implements AutoCloseable {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    private final OrtSession session;
    private final ModelSignature signature;

    private OnnxModel(OrtSession session, ModelSignature signature) {
        this.session = session;
        this.signature = signature;
    }

    /** Opens a model file; a file ONNX Runtime cannot read is the caller's error, so 400. */
    public static OnnxModel open(Path file, int intraOpThreads) {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            // A small service's models are small: the CPU arena would keep its high-water mark
            // resident for good, and per-shape memory patterns cost more than they save here.
            options.setCPUArenaAllocator(false);
            options.setMemoryPatternOptimization(false);
            OrtSession session = ENV.createSession(file.toString(), options);
            try {
                return new OnnxModel(session, new ModelSignature(
                        specs(session.getInputInfo(), "input"), specs(session.getOutputInfo(), "output")));
            } catch (BadRequestException e) {
                session.close();
                throw e;
            }
        } catch (OrtException e) {
            throw new BadRequestException("cannot load " + file.getFileName() + " as an ONNX model: "
                    + firstLine(e.getMessage()));
        }
    }

    public ModelSignature signature() {
        return signature;
    }

    public List<Tensor> run(InferenceRequest request) throws OrtException {
        return run(request, RunTimes.NONE);
    }

    /** Runs the model and tells {@code times} how long each part took, when the run succeeds. */
    public List<Tensor> run(InferenceRequest request, RunTimes times) throws OrtException {
        long started = System.nanoTime();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            for (Tensor tensor : request.inputs()) {
                inputs.put(tensor.name(), toOnnx(tensor));
            }
            Set<String> wanted = new LinkedHashSet<>();
            for (TensorSpec output : signature.outputs()) {
                if (request.outputs().isEmpty() || request.outputs().contains(output.name())) {
                    wanted.add(output.name());
                }
            }
            long inputsBuilt = System.nanoTime();
            try (OrtSession.Result result = session.run(inputs, wanted)) {
                long ran = System.nanoTime();
                List<Tensor> outputs = new ArrayList<>(wanted.size());
                for (Map.Entry<String, OnnxValue> entry : result) {
                    outputs.add(fromOnnx(entry.getKey(), (OnnxTensor) entry.getValue()));
                }
                times.ran(inputsBuilt - started, ran - inputsBuilt, System.nanoTime() - ran);
                return outputs;
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // The session's native memory is freed either way; nothing a caller could do.
        }
    }

    private static OnnxTensor toOnnx(Tensor tensor) throws OrtException {
        long[] shape = tensor.shape();
        return switch (tensor.type()) {
            case FP32 -> OnnxTensor.createTensor(ENV, FloatBuffer.wrap((float[]) tensor.data()), shape);
            case FP64 -> OnnxTensor.createTensor(ENV, DoubleBuffer.wrap((double[]) tensor.data()), shape);
            case INT32 -> OnnxTensor.createTensor(ENV, IntBuffer.wrap((int[]) tensor.data()), shape);
            case INT64 -> OnnxTensor.createTensor(ENV, LongBuffer.wrap((long[]) tensor.data()), shape);
            case BOOL -> {
                boolean[] values = (boolean[]) tensor.data();
                ByteBuffer bytes = ByteBuffer.allocateDirect(values.length).order(ByteOrder.nativeOrder());
                for (boolean v : values) {
                    bytes.put((byte) (v ? 1 : 0));
                }
                bytes.rewind();
                yield OnnxTensor.createTensor(ENV, bytes, shape, ai.onnxruntime.OnnxJavaType.BOOL);
            }
            case BYTES -> OnnxTensor.createTensor(ENV, (String[]) tensor.data(), shape);
        };
    }

    private static Tensor fromOnnx(String name, OnnxTensor value) throws OrtException {
        TensorInfo info = value.getInfo();
        long[] shape = info.getShape();
        DataType type = DataType.of(info.type).orElseThrow(
                () -> new IllegalStateException("output " + name + " has unsupported type " + info.type));
        int n = (int) Tensor.elementCount(shape);
        Object data = type.newArray(n);
        switch (type) {
            case FP32 -> value.getFloatBuffer().get((float[]) data);
            case FP64 -> value.getDoubleBuffer().get((double[]) data);
            case INT32 -> value.getIntBuffer().get((int[]) data);
            case INT64 -> value.getLongBuffer().get((long[]) data);
            case BOOL -> {
                ByteBuffer bytes = value.getByteBuffer();
                boolean[] out = (boolean[]) data;
                for (int i = 0; i < n; i++) {
                    out[i] = bytes.get(i) != 0;
                }
            }
            case BYTES -> flattenStrings(value.getValue(), (String[]) data, new int[] {0});
        }
        return new Tensor(name, type, shape, data);
    }

    private static void flattenStrings(Object nested, String[] out, int[] next) {
        if (nested instanceof String s) {
            out[next[0]++] = s;
        } else {
            for (Object item : (Object[]) nested) {
                flattenStrings(item, out, next);
            }
        }
    }

    private static List<TensorSpec> specs(Map<String, NodeInfo> infos, String kind) {
        List<TensorSpec> specs = new ArrayList<>(infos.size());
        for (NodeInfo node : infos.values()) {
            if (!(node.getInfo() instanceof TensorInfo info)) {
                throw new BadRequestException(kind + " '" + node.getName() + "' is not a tensor ("
                        + node.getInfo() + "); only tensor inputs and outputs are served");
            }
            DataType type = DataType.of(info.type).orElseThrow(() -> new BadRequestException(
                    kind + " '" + node.getName() + "' has element type " + info.type + ", which cannot be served"));
            specs.add(new TensorSpec(node.getName(), type, info.getShape(), info.getDimensionNames()));
        }
        return List.copyOf(specs);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
