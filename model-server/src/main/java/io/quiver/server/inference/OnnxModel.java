package io.quiver.server.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import io.quiver.common.error.BadRequestException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** One ONNX Runtime session. {@link #run} is thread-safe: ONNX Runtime allows concurrent runs. */
public final class OnnxModel implements AutoCloseable {
    private static final OrtEnvironment ENV = environment();
    /** Unsigned input types the Java API cannot create a tensor of; such inputs are carried ({@link ModelGraph}). */
    private static final Set<DataType> CARRIED = EnumSet.of(DataType.UINT16, DataType.UINT32, DataType.UINT64);

    /** Sessions opened and not yet closed: native memory that only {@link #close} gives back. */
    private static final AtomicInteger OPEN = new AtomicInteger();

    private final OrtSession session;
    private final ModelSignature signature;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Every output by name, in the model's order: what a request that names none is given. */
    private final Map<String, TensorSpec> allOutputs;

    private OnnxModel(OrtSession session, ModelSignature signature) {
        this.session = session;
        this.signature = signature;
        Map<String, TensorSpec> outputs = new LinkedHashMap<>();
        signature.outputs().forEach(output -> outputs.put(output.name(), output));
        this.allOutputs = Collections.unmodifiableMap(outputs);
        OPEN.incrementAndGet();
    }

    /** ONNX Runtime sessions this process holds open, whatever holds them. */
    public static int openSessions() {
        return OPEN.get();
    }

    /**
     * ONNX Runtime's one environment, with its telemetry events off from here on. What it sends as
     * it loads only ORT_DISABLE_TELEMETRY in the process environment stops (OnnxRuntimeSetup warns).
     */
    private static OrtEnvironment environment() {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try {
            env.setTelemetry(false);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot turn ONNX Runtime's telemetry off", e);
        }
        return env;
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
                List<TensorSpec> inputs = inputSpecs(session.getInputInfo());
                ModelGraph[] graph = {null};
                List<TensorSpec> outputs = outputSpecs(session.getOutputInfo(), () -> {
                    if (graph[0] == null) {
                        graph[0] = ModelGraph.read(file);
                    }
                    return graph[0];
                });
                Map<String, DataType> carriers = new HashMap<>();
                inputs.stream().filter(s -> CARRIED.contains(s.type())).forEach(s -> carriers.put(s.name(), s.type()));
                if (!carriers.isEmpty()) {
                    byte[] carried = (graph[0] != null ? graph[0] : ModelGraph.read(file)).withSignedCarriers(carriers);
                    session.close();
                    session = ENV.createSession(carried, options);
                }
                return new OnnxModel(session, new ModelSignature(inputs, outputs));
            } catch (RuntimeException e) {
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
        Map<String, OnnxTensor> inputs = new HashMap<>(request.inputs().size() * 2);
        try {
            long staged = 0;
            for (Tensor tensor : request.inputs()) {
                staged += OnnxValues.stagedBytes(tensor);
            }
            InputStaging staging = InputStaging.forRun(staged);
            for (Tensor tensor : request.inputs()) {
                inputs.put(tensor.name(), OnnxValues.toOnnx(ENV, tensor, staging));
            }
            Map<String, TensorSpec> wanted = allOutputs;
            if (!request.outputs().isEmpty()) {
                wanted = new LinkedHashMap<>();
                for (TensorSpec output : signature.outputs()) {
                    if (request.outputs().contains(output.name())) {
                        wanted.put(output.name(), output);
                    }
                }
            }
            long inputsBuilt = System.nanoTime();
            try (OrtSession.Result result = session.run(inputs, wanted.keySet())) {
                long ran = System.nanoTime();
                List<Tensor> outputs = new ArrayList<>(wanted.size());
                for (Map.Entry<String, OnnxValue> entry : result) {
                    outputs.add(OnnxValues.fromOnnx(wanted.get(entry.getKey()), entry.getValue()));
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
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        OPEN.decrementAndGet();
        try {
            session.close();
        } catch (OrtException e) {
            // The session's native memory is freed either way; nothing a caller could do.
        }
    }

    private static List<TensorSpec> inputSpecs(Map<String, NodeInfo> infos) {
        List<TensorSpec> specs = new ArrayList<>(infos.size());
        for (NodeInfo node : infos.values()) {
            if (!(node.getInfo() instanceof TensorInfo info)) {
                throw new BadRequestException("input '" + node.getName() + "' is not a tensor (" + node.getInfo()
                        + "); only tensor inputs are served");
            }
            specs.add(new TensorSpec(node.getName(), type(info, "input", node.getName()), info.getShape(),
                    info.getDimensionNames()));
        }
        return List.copyOf(specs);
    }

    /**
     * Tensors as they are; a sequence of maps from class label to score (scikit-learn's ZipMap) as a
     * [rows, classes] tensor labelled by class; a sequence of tensors as the tensors stacked.
     */
    private static List<TensorSpec> outputSpecs(Map<String, NodeInfo> infos, Supplier<ModelGraph> graph) {
        List<TensorSpec> specs = new ArrayList<>(infos.size());
        for (NodeInfo node : infos.values()) {
            String name = node.getName();
            if (node.getInfo() instanceof TensorInfo info) {
                specs.add(new TensorSpec(name, type(info, "output", name), info.getShape(), info.getDimensionNames()));
            } else if (node.getInfo() instanceof SequenceInfo sequence && sequence.isSequenceOfMaps()) {
                DataType scores = switch (sequence.mapInfo.valueType) {
                    case FLOAT -> DataType.FP32;
                    case DOUBLE -> DataType.FP64;
                    default -> throw unservable(name, sequence);
                };
                if (sequence.mapInfo.keyType != OnnxJavaType.INT64 && sequence.mapInfo.keyType != OnnxJavaType.STRING) {
                    throw unservable(name, sequence);
                }
                List<String> labels = graph.get().zipMapLabels(name).orElseThrow(() -> new BadRequestException(
                        "output '" + name + "' is a sequence of maps (" + sequence + ") that no ZipMap node writes, "
                        + "so its class labels are unknown; only ZipMap's sequences of maps are served"));
                specs.add(new TensorSpec(name, scores, new long[] {-1, labels.size()}, new String[] {"", ""}, labels));
            } else if (node.getInfo() instanceof SequenceInfo sequence) {
                DataType element = DataType.of(TensorInfo.OnnxTensorType.mapFromJavaType(sequence.sequenceType))
                        .orElseThrow(() -> unservable(name, sequence));
                specs.add(new TensorSpec(name, element, new long[] {-1}, new String[] {""}));
            } else {
                throw unservable(name, node.getInfo());
            }
        }
        return List.copyOf(specs);
    }

    private static DataType type(TensorInfo info, String kind, String name) {
        return DataType.of(info.onnxType).orElseThrow(() -> new BadRequestException(kind + " '" + name
                + "' has element type " + info.onnxType + ", which cannot be served; served types: " + DataType.NAMES));
    }

    private static BadRequestException unservable(String name, Object info) {
        return new BadRequestException("output '" + name + "' is " + info + ", which cannot be served; served are "
                + "tensors, sequences of tensors and ZipMap's sequences of maps");
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
