package io.quiver.examples;

import static io.quiver.examples.ModelWeights.*;
import static io.quiver.examples.OnnxModelWriter.ElementType.BOOL;
import static io.quiver.examples.OnnxModelWriter.ElementType.DOUBLE;
import static io.quiver.examples.OnnxModelWriter.ElementType.FLOAT;
import static io.quiver.examples.OnnxModelWriter.ElementType.INT32;
import static io.quiver.examples.OnnxModelWriter.ElementType.INT64;

import io.quiver.examples.OnnxModelWriter.Attribute;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;

/**
 * Writes the example model repository: {@code <root>/<name>/<version>/model.onnx} next to its
 * descriptor {@code model.json}. {@link ReferenceModels} computes what each model should answer.
 */
public final class ExampleModels {
    public static final String HOUSE_PRICE = "house_price";
    public static final String MULTI_INPUT = "multi_input";
    public static final String FRAUD_CLASSIFIER = "fraud_classifier";
    public static final String LSTM_FORECASTER = "lstm_forecaster";

    private static final String BATCH = "batch";

    private ExampleModels() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ExampleModels <repository directory>");
            System.exit(2);
        }
        writeRepository(Paths.get(args[0]));
    }

    /** Writes every example model under {@code root}, replacing any files already there. */
    public static void writeRepository(Path root) throws IOException {
        for (int version = 1; version <= 2; version++) {
            write(root, HOUSE_PRICE, version, housePrice(version), """
                    {
                      "model_type": "regression",
                      "description": "Linear regression of a house price, version %d.",
                      "features": ["sqft", "rooms", "age"]
                    }
                    """.formatted(version));
        }
        write(root, MULTI_INPUT, 1, multiInput(), """
                {
                  "model_type": "multi_input",
                  "description": "Element-wise arithmetic over one input of each tensor type."
                }
                """);
        write(root, FRAUD_CLASSIFIER, 1, fraudClassifier(), """
                {
                  "model_type": "classifier",
                  "description": "Linear softmax classifier of transactions as legit or fraud.",
                  "features": ["amount", "age", "distance", "hour"],
                  "labels": ["legit", "fraud"]
                }
                """);
        write(root, LSTM_FORECASTER, 1, lstmForecaster(), """
                {
                  "model_type": "LSTM",
                  "description": "One-layer LSTM forecasting the next value of a univariate series.",
                  "input_layout": "sequence"
                }
                """);
    }

    static byte[] housePrice(int version) {
        return OnnxModelWriter.graph(HOUSE_PRICE)
                .input("features", FLOAT, BATCH, HOUSE_PRICE_FEATURES)
                .output("price", FLOAT, BATCH, 1)
                .initializer("W", new long[] {HOUSE_PRICE_FEATURES, 1}, HOUSE_PRICE_WEIGHTS)
                .initializer("b", new long[] {1}, new float[] {housePriceBias(version)})
                .node("MatMul", List.of("features", "W"), List.of("weighted"))
                .node("Add", List.of("weighted", "b"), List.of("price"))
                .toByteArray();
    }

    static byte[] multiInput() {
        return OnnxModelWriter.graph(MULTI_INPUT)
                .input("a", FLOAT, BATCH, 2)
                .input("b", INT64, BATCH, 2)
                .input("c", INT32, BATCH, 2)
                .input("d", DOUBLE, BATCH, 2)
                .input("mask", BOOL, BATCH, 2)
                .output("sum", FLOAT, BATCH, 2)
                .output("doubled", DOUBLE, BATCH, 2)
                .output("masked", FLOAT, BATCH, 2)
                .output("inverted", BOOL, BATCH, 2)
                .output("count", INT64, BATCH, 2)
                .initializer("factor", new long[0], new double[] {MULTI_INPUT_DOUBLE_FACTOR})
                .node("Cast", List.of("b"), List.of("b_float"), castTo(FLOAT))
                .node("Cast", List.of("c"), List.of("c_float"), castTo(FLOAT))
                .node("Add", List.of("a", "b_float"), List.of("a_plus_b"))
                .node("Add", List.of("a_plus_b", "c_float"), List.of("sum"))
                .node("Mul", List.of("d", "factor"), List.of("doubled"))
                .node("Cast", List.of("mask"), List.of("mask_float"), castTo(FLOAT))
                .node("Mul", List.of("sum", "mask_float"), List.of("masked"))
                .node("Not", List.of("mask"), List.of("inverted"))
                .node("Cast", List.of("c"), List.of("c_long"), castTo(INT64))
                .node("Add", List.of("b", "c_long"), List.of("count"))
                .toByteArray();
    }

    static byte[] fraudClassifier() {
        return OnnxModelWriter.graph(FRAUD_CLASSIFIER)
                .input("features", FLOAT, BATCH, FRAUD_FEATURES)
                .output("probabilities", FLOAT, BATCH, FRAUD_CLASSES)
                .output("label", INT64, BATCH)
                .initializer("W", new long[] {FRAUD_FEATURES, FRAUD_CLASSES}, FRAUD_WEIGHTS)
                .initializer("b", new long[] {FRAUD_CLASSES}, FRAUD_BIAS)
                .node("MatMul", List.of("features", "W"), List.of("weighted"))
                .node("Add", List.of("weighted", "b"), List.of("logits"))
                .node("Softmax", List.of("logits"), List.of("probabilities"), Attribute.integer("axis", 1))
                .node("ArgMax", List.of("logits"), List.of("label"),
                        Attribute.integer("axis", 1), Attribute.integer("keepdims", 0))
                .toByteArray();
    }

    static byte[] lstmForecaster() {
        int hidden = LSTM_HIDDEN;
        return OnnxModelWriter.graph(LSTM_FORECASTER)
                .input("series", FLOAT, BATCH, "time", 1)
                .output("forecast", FLOAT, BATCH, 1)
                .initializer("W", new long[] {1, 4 * hidden, 1}, LSTM_W)
                .initializer("R", new long[] {1, 4 * hidden, hidden}, LSTM_R)
                .initializer("B", new long[] {1, 8 * hidden}, LSTM_B)
                .initializer("squeeze_axes", new long[] {1}, new long[] {0})
                .initializer("dense_W", new long[] {hidden, 1}, LSTM_DENSE_WEIGHTS)
                .initializer("dense_b", new long[] {1}, new float[] {LSTM_DENSE_BIAS})
                // ONNX LSTM wants time-major input: [time, batch, features].
                .node("Transpose", List.of("series"), List.of("series_by_time"), Attribute.ints("perm", 1, 0, 2))
                .node("LSTM", List.of("series_by_time", "W", "R", "B"), List.of("all_hidden", "last_hidden"),
                        Attribute.integer("hidden_size", hidden), Attribute.string("direction", "forward"))
                .node("Squeeze", List.of("last_hidden", "squeeze_axes"), List.of("state"))
                .node("MatMul", List.of("state", "dense_W"), List.of("dense"))
                .node("Add", List.of("dense", "dense_b"), List.of("forecast"))
                .toByteArray();
    }

    private static Attribute castTo(OnnxModelWriter.ElementType type) {
        return Attribute.integer("to", type.code);
    }

    static void write(Path root, String name, int version, byte[] model, String descriptor)
            throws IOException {
        Path directory = root.resolve(name).resolve(Integer.toString(version));
        Files.createDirectories(directory);
        // Descriptor first: whoever sees model.onnx appear must also find its descriptor.
        writeAtomically(directory.resolve("model.json"), descriptor.getBytes(StandardCharsets.UTF_8));
        writeAtomically(directory.resolve("model.onnx"), model);
    }

    /** Readers watching the repository never see a half-written file. */
    private static void writeAtomically(Path target, byte[] content) throws IOException {
        // Not Files.createTempFile: its owner-only permissions would carry over to the target.
        Path temporary = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.write(temporary, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
