package io.quiver.bench;

import io.quiver.examples.OnnxModelWriter;
import io.quiver.examples.OnnxModelWriter.ElementType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Random;

/**
 * A repository of many small distinct models, for the model-density part: {@code count} linear
 * regressions shaped like {@code house_price} ({@code price = features W + b}, features of
 * {@code [batch, 3]}), each with weights of its own drawn from its index. Every file has the same
 * size (the graph name is shared and the weights are fixed-width floats), so the memory budget
 * holds a whole number of them and every load on demand evicts exactly one.
 */
public final class DensityModels {
    /** The prefix of each model's name; model {@code i} is {@code m0000} + i. */
    public static final String PREFIX = "m";
    static final int FEATURES = 3;

    private DensityModels() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: DensityModels <repository directory> <count>");
            System.exit(2);
        }
        Path root = Paths.get(args[0]);
        int count = Integer.parseInt(args[1]);
        for (int i = 0; i < count; i++) {
            Path version = root.resolve(name(i)).resolve("1");
            Files.createDirectories(version);
            // Descriptor first: the model-server takes a version whose model.onnx it finds.
            Files.writeString(version.resolve("model.json"), """
                    {"model_type": "regression", "description": "Linear regression %d of %d (model density)."}
                    """.formatted(i, count), StandardCharsets.UTF_8);
            Files.write(version.resolve("model.onnx"), model(i));
        }
    }

    /** The name of model {@code index}. */
    public static String name(int index) {
        return PREFIX + String.format("%04d", index);
    }

    static byte[] model(int index) {
        Random random = new Random(1000L + index);
        float[] weights = new float[FEATURES];
        for (int i = 0; i < FEATURES; i++) {
            weights[i] = (float) (random.nextGaussian() * 100);
        }
        return OnnxModelWriter.graph("density")
                .input("features", ElementType.FLOAT, "batch", FEATURES)
                .output("price", ElementType.FLOAT, "batch", 1)
                .initializer("W", new long[] {FEATURES, 1}, weights)
                .initializer("b", new long[] {1}, new float[] {(float) (random.nextGaussian() * 1000)})
                .node("MatMul", List.of("features", "W"), List.of("weighted"))
                .node("Add", List.of("weighted", "b"), List.of("price"))
                .toByteArray();
    }
}
