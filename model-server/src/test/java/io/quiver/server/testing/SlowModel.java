package io.quiver.server.testing;

import io.quiver.examples.OnnxModelWriter;
import io.quiver.examples.OnnxModelWriter.ElementType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A model that takes tens of milliseconds per run, for tests that need requests to overlap: one
 * {@code N x N} matrix product whose operand depends on the input, so it cannot be folded at load.
 * {@code y = sum((x * W) . W)} with every weight {@link #WEIGHT}, which is {@code x * N^3 * WEIGHT^2}.
 */
public final class SlowModel {
    public static final int N = 1024;
    /** A power of two, so every product and sum is exact in float. */
    public static final float WEIGHT = 1f / 1024;

    private SlowModel() {
    }

    public static Path write(Path dir) throws IOException {
        float[] weights = new float[N * N];
        Arrays.fill(weights, WEIGHT);
        byte[] model = OnnxModelWriter.graph("slow")
                .input("x", ElementType.FLOAT, 1, 1)
                .output("y", ElementType.FLOAT, 1, 1)
                .initializer("W", new long[] {N, N}, weights)
                .node("Mul", List.of("W", "x"), List.of("scaled"))
                .node("MatMul", List.of("scaled", "W"), List.of("product"))
                .node("ReduceSum", List.of("product"), List.of("y"), OnnxModelWriter.Attribute.integer("keepdims", 1))
                .toByteArray();
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.onnx"), model);
        return dir;
    }

    public static double expected(double x) {
        return x * Math.pow(N, 3) * WEIGHT * WEIGHT;
    }
}
