package io.quiver.bench;

import io.quiver.examples.ExampleModels;
import io.quiver.examples.OnnxModelWriter;
import io.quiver.examples.OnnxModelWriter.Attribute;
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
 * per run whatever the number of rows, which is what batching saves. {@value #IMAGE} and
 * {@value #CONVNET} take an image-sized input, {@code [batch, 3, 224, 224]} FP32 as vision models
 * do. {@value #IMAGE} does little with it (the mean of each channel into a linear layer of ten
 * classes): its requests cost what carrying 150,528 numbers costs. {@value #CONVNET} puts two
 * strided 3x3 convolutions before that (68 million multiply-adds, a fifth of SqueezeNet's), so a
 * run takes milliseconds, as a small vision model's does.
 */
public final class BenchModels {
    public static final String MLP = "mlp";
    public static final String WIDE_MLP = "wide_mlp";
    public static final String IMAGE = "image";
    public static final String CONVNET = "convnet";
    /** The image model's input shape after the batch dimension: channels, height, width. */
    public static final long[] IMAGE_SHAPE = {3, 224, 224};
    private static final int IMAGE_CLASSES = 10;

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
        Path image = root.resolve(IMAGE).resolve("1");
        Files.createDirectories(image);
        Files.write(image.resolve("model.onnx"), imageModel());
        Path convnet = root.resolve(CONVNET).resolve("1");
        Files.createDirectories(convnet);
        Files.write(convnet.resolve("model.onnx"), convnetModel());
    }

    /** The shape of a call to a benchmark model with that many rows. */
    public static long[] shape(String model, int rows) {
        if (IMAGE.equals(model) || CONVNET.equals(model)) {
            return new long[] {rows, IMAGE_SHAPE[0], IMAGE_SHAPE[1], IMAGE_SHAPE[2]};
        }
        return new long[] {rows, features(model)};
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

    /** {@code logits = mean over height and width (pixels) W + b}, pixels of [batch, 3, 224, 224]. */
    static byte[] imageModel() {
        Random random = new Random(44);
        int channels = (int) IMAGE_SHAPE[0];
        return OnnxModelWriter.graph(IMAGE)
                .input("pixels", ElementType.FLOAT, "batch", IMAGE_SHAPE[0], IMAGE_SHAPE[1], IMAGE_SHAPE[2])
                .output("logits", ElementType.FLOAT, "batch", IMAGE_CLASSES)
                .initializer("W", new long[] {channels, IMAGE_CLASSES}, weights(random, channels * IMAGE_CLASSES))
                .initializer("b", new long[] {IMAGE_CLASSES}, weights(random, IMAGE_CLASSES))
                .node("GlobalAveragePool", List.of("pixels"), List.of("pooled"))
                .node("Flatten", List.of("pooled"), List.of("means"))
                .node("MatMul", List.of("means", "W"), List.of("projected"))
                .node("Add", List.of("projected", "b"), List.of("logits"))
                .toByteArray();
    }

    /**
     * {@code logits = mean(relu(conv(relu(conv(pixels, 32 filters)), 64 filters))) W + b}, each
     * convolution 3x3 with stride 2 and padding 1: 224 to 112 to 56 pixels a side.
     */
    static byte[] convnetModel() {
        Random random = new Random(45);
        int channels = (int) IMAGE_SHAPE[0];
        int first = 32;
        int second = 64;
        Attribute kernel = Attribute.ints("kernel_shape", 3, 3);
        Attribute strides = Attribute.ints("strides", 2, 2);
        Attribute pads = Attribute.ints("pads", 1, 1, 1, 1);
        return OnnxModelWriter.graph(CONVNET)
                .input("pixels", ElementType.FLOAT, "batch", IMAGE_SHAPE[0], IMAGE_SHAPE[1], IMAGE_SHAPE[2])
                .output("logits", ElementType.FLOAT, "batch", IMAGE_CLASSES)
                .initializer("K1", new long[] {first, channels, 3, 3}, weights(random, first * channels * 9))
                .initializer("c1", new long[] {first}, weights(random, first))
                .initializer("K2", new long[] {second, first, 3, 3}, weights(random, second * first * 9))
                .initializer("c2", new long[] {second}, weights(random, second))
                .initializer("W", new long[] {second, IMAGE_CLASSES}, weights(random, second * IMAGE_CLASSES))
                .initializer("b", new long[] {IMAGE_CLASSES}, weights(random, IMAGE_CLASSES))
                .node("Conv", List.of("pixels", "K1", "c1"), List.of("conv1"), kernel, strides, pads)
                .node("Relu", List.of("conv1"), List.of("act1"))
                .node("Conv", List.of("act1", "K2", "c2"), List.of("conv2"), kernel, strides, pads)
                .node("Relu", List.of("conv2"), List.of("act2"))
                .node("GlobalAveragePool", List.of("act2"), List.of("pooled"))
                .node("Flatten", List.of("pooled"), List.of("means"))
                .node("MatMul", List.of("means", "W"), List.of("projected"))
                .node("Add", List.of("projected", "b"), List.of("logits"))
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
