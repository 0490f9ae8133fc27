package io.quiver.bench;

import io.quiver.examples.ExampleModels;
import io.quiver.examples.OnnxModelWriter;
import io.quiver.examples.OnnxModelWriter.ElementType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Random;

/**
 * The repository the benchmarks serve: the example models, and {@value #MLP}, a model whose run
 * costs more than the HTTP around it, as most real models do. Its two dense layers read 5 MB of
 * weights per run whatever the number of rows, which is what batching saves.
 */
public final class BenchModels {
    public static final String MLP = "mlp";
    public static final int MLP_FEATURES = 256;
    static final int MLP_HIDDEN = 1024;

    private BenchModels() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: BenchModels <repository directory>");
            System.exit(2);
        }
        Path root = Paths.get(args[0]);
        ExampleModels.writeRepository(root);
        Path mlp = root.resolve(MLP).resolve("1");
        Files.createDirectories(mlp);
        Files.write(mlp.resolve("model.onnx"), mlp());
    }

    /** {@code score = relu(relu(x W1 + b1) W2 + b2) W3}, x of [batch, 256], weights fixed by a seed. */
    static byte[] mlp() {
        Random random = new Random(42);
        return OnnxModelWriter.graph(MLP)
                .input("features", ElementType.FLOAT, "batch", MLP_FEATURES)
                .output("score", ElementType.FLOAT, "batch", 1)
                .initializer("W1", new long[] {MLP_FEATURES, MLP_HIDDEN}, weights(random, MLP_FEATURES * MLP_HIDDEN))
                .initializer("b1", new long[] {MLP_HIDDEN}, weights(random, MLP_HIDDEN))
                .initializer("W2", new long[] {MLP_HIDDEN, MLP_HIDDEN}, weights(random, MLP_HIDDEN * MLP_HIDDEN))
                .initializer("b2", new long[] {MLP_HIDDEN}, weights(random, MLP_HIDDEN))
                .initializer("W3", new long[] {MLP_HIDDEN, 1}, weights(random, MLP_HIDDEN))
                .node("MatMul", List.of("features", "W1"), List.of("h1_linear"))
                .node("Add", List.of("h1_linear", "b1"), List.of("h1_biased"))
                .node("Relu", List.of("h1_biased"), List.of("h1"))
                .node("MatMul", List.of("h1", "W2"), List.of("h2_linear"))
                .node("Add", List.of("h2_linear", "b2"), List.of("h2_biased"))
                .node("Relu", List.of("h2_biased"), List.of("h2"))
                .node("MatMul", List.of("h2", "W3"), List.of("score"))
                .toByteArray();
    }

    private static float[] weights(Random random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (random.nextGaussian() * 0.05);
        }
        return values;
    }
}
