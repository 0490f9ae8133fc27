package io.quiver.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.quiver.examples.ExampleModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * In-process ONNX Runtime calls, as the model-server makes them (one intra-op thread, the input
 * copied from a Java array into direct memory kept from call to call, the output copied back out):
 * the ceiling for any HTTP figure.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx768m", "--enable-native-access=ALL-UNNAMED"})
public class OnnxRunBenchmark {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    /** {@code house_price}, {@code mlp}, {@code wide_mlp} or {@code image}. */
    @Param({ExampleModels.HOUSE_PRICE})
    public String model;

    /** Rows per call. */
    @Param({"1"})
    public int rows;

    private Path repository;
    private OrtSession session;
    private String input;
    private long[] shape;
    private float[] data;
    private FloatBuffer direct;

    @Setup(Level.Trial)
    public void open() throws IOException, OrtException {
        repository = Files.createTempDirectory("quiver-bench-");
        BenchModels.main(new String[] {repository.toString()});
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            session = ENV.createSession(repository.resolve(model).resolve("1").resolve("model.onnx").toString(), options);
        }
        input = session.getInputNames().iterator().next();
        shape = BenchModels.shape(model, rows);
        long elements = 1;
        for (long dimension : shape) {
            elements *= dimension;
        }
        data = new float[Math.toIntExact(elements)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (i % 7) * 0.5f;
        }
        direct = ByteBuffer.allocateDirect(data.length * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    @Benchmark
    public float run() throws OrtException {
        direct.clear().put(data).flip();
        try (OnnxTensor tensor = OnnxTensor.createTensor(ENV, direct, shape);
             OrtSession.Result result = session.run(Map.of(input, tensor))) {
            float[] out = new float[((OnnxTensor) result.get(0)).getFloatBuffer().remaining()];
            ((OnnxTensor) result.get(0)).getFloatBuffer().get(out);
            return out[0];
        }
    }

    @TearDown(Level.Trial)
    public void close() throws OrtException, IOException {
        session.close();
        try (var files = Files.walk(repository)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
