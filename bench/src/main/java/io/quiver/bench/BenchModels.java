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
 * The repository the benchmarks serve: the example models and two multi-layer perceptrons whose
 * runs cost more than the HTTP around them, as most real models' do. {@value #MLP} reads 5 MB of
 * weights per run, which stay in the processor's cache; {@value #WIDE_MLP} reads 72 MB (the size
 * of a ResNet-50), which do not, so a one-row run waits on memory. Either reads its weights once
 * per run whatever the number of rows, which is what batching saves.
 */
public final class BenchModels {
    public static final String MLP = "mlp";
    public static final String WIDE_MLP = "wide_mlp";

    /** A perceptron: {@code features} inputs, two hidden layers of {@code hidden}, one output. */
    record Perceptron(String name, int features, int hidden, long seed) {
    }

    static final List<Perceptron> PERCEPTRONS = List.of(
            new Perceptron(MLP, 256, 1024, 42),
            new Perceptron(WIDE_MLP, 512, 4096, 43));

    private BenchModels() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: BenchModels <repository directory>");
            System.exit(2);
        }
        Path root = Paths.get(args[0]);
        ExampleModels.writeRepository(root);
        for (Perceptron perceptron : PERCEPTRONS) {
            Path version = root.resolve(perceptron.name()).resolve("1");
            Files.createDirectories(version);
            Files.write(version.resolve("model.onnx"), model(perceptron));
        }
    }

    /** The number of input features of a benchmark model. */
    public static int features(String model) {
        return PERCEPTRONS.stream().filter(p -> p.name().equals(model)).mapToInt(Perceptron::features).findFirst()
                .orElse(3);
    }

    /** {@code score = relu(relu(x W1 + b1) W2 + b2) W3}, x of [batch, features], weights fixed by a seed. */
    static byte[] model(Perceptron p) {
        Random random = new Random(p.seed());
        int f = p.features();
        int h = p.hidden();
        return OnnxModelWriter.graph(p.name())
                .input("features", ElementType.FLOAT, "batch", f)
                .output("score", ElementType.FLOAT, "batch", 1)
                .initializer("W1", new long[] {f, h}, weights(random, f * h))
                .initializer("b1", new long[] {h}, weights(random, h))
                .initializer("W2", new long[] {h, h}, weights(random, h * h))
                .initializer("b2", new long[] {h}, weights(random, h))
                .initializer("W3", new long[] {h, 1}, weights(random, h))
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
