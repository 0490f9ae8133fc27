package io.quiver.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Runs every generated model in ONNX Runtime and compares it with {@link ReferenceModels}. */
class ExampleModelsTest {
    private static final double TOLERANCE = 1e-5;

    @TempDir
    static Path repository;

    private static OrtEnvironment environment;

    @BeforeAll
    static void writeRepository() throws IOException {
        ExampleModels.writeRepository(repository);
        environment = OrtEnvironment.getEnvironment();
    }

    @Test
    void writesEveryModelWithItsDescriptor() throws IOException {
        Map<String, String> modelTypes = Map.of(
                "house_price/1", "regression",
                "house_price/2", "regression",
                "multi_input/1", "multi_input",
                "fraud_classifier/1", "classifier",
                "lstm_forecaster/1", "LSTM");
        for (var entry : modelTypes.entrySet()) {
            Path version = repository.resolve(entry.getKey());
            assertTrue(Files.size(version.resolve("model.onnx")) > 0, entry.getKey());
            String descriptor = Files.readString(version.resolve("model.json"));
            assertTrue(descriptor.contains("\"model_type\": \"" + entry.getValue() + "\""), descriptor);
            assertTrue(descriptor.contains("\"description\": \""), descriptor);
        }
        assertTrue(Files.readString(repository.resolve("lstm_forecaster/1/model.json"))
                .contains("\"input_layout\": \"sequence\""));
        assertTrue(Files.readString(repository.resolve("fraud_classifier/1/model.json"))
                .contains("\"labels\": [\"legit\", \"fraud\"]"));
        assertTrue(Files.readString(repository.resolve("house_price/2/model.json"))
                .contains("\"features\": [\"sqft\", \"rooms\", \"age\"]"));
    }

    @Test
    void rewritingReplacesFilesAndLeavesNoTemporaries(@TempDir Path root) throws IOException {
        Path model = root.resolve("house_price/1/model.onnx");
        Files.createDirectories(model.getParent());
        Files.writeString(model, "stale");
        ExampleModels.main(new String[] {root.toString()});
        ExampleModels.writeRepository(root);
        assertArrayEquals(ExampleModels.housePrice(1), Files.readAllBytes(model));
        try (Stream<Path> files = Files.walk(root)) {
            List<String> names = files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList();
            assertEquals(10, names.size(), names::toString);
            assertTrue(names.stream().allMatch(n -> n.equals("model.onnx") || n.equals("model.json")), names::toString);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void housePriceMatchesReference(int version) throws OrtException {
        float[][] features = {{1.0f, 2.0f, 3.0f}, {-0.5f, 4.25f, 10.0f}, {1200.0f, 3.0f, 25.5f}};
        try (OrtSession session = open("house_price/" + version)) {
            assertSignature(session.getInputInfo(), "features", OnnxJavaType.FLOAT, -1, 3);
            assertSignature(session.getOutputInfo(), "price", OnnxJavaType.FLOAT, -1, 1);
            try (OnnxTensor input = OnnxTensor.createTensor(environment, features);
                 OrtSession.Result result = session.run(Map.of("features", input))) {
                float[][] price = (float[][]) result.get("price").orElseThrow().getValue();
                assertEquals(features.length, price.length);
                for (int row = 0; row < features.length; row++) {
                    assertClose(ReferenceModels.housePrice(version, toDoubles(features[row])), price[row]);
                }
            }
        }
    }

    @Test
    void housePriceVersionsDifferOnlyInIntercept() {
        double[] row = {3.0, 1.0, -2.0};
        assertEquals(1.0, ReferenceModels.housePrice(2, row)[0] - ReferenceModels.housePrice(1, row)[0], 1e-12);
    }

    @Test
    void multiInputMatchesReference() throws OrtException {
        float[][] a = {{0.5f, -1.5f}, {2.25f, 0.0f}, {-3.0f, 7.75f}};
        long[][] b = {{1, -2}, {3_000_000_000L, 4}, {-5, 6}};
        int[][] c = {{10, 20}, {-30, 40}, {50, -60}};
        double[][] d = {{0.1, -0.2}, {1e10, 3.5}, {-7.25, 1e-9}};
        boolean[][] mask = {{true, false}, {false, true}, {true, true}};
        try (OrtSession session = open("multi_input/1")) {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            assertEquals(List.of("a", "b", "c", "d", "mask"), List.copyOf(inputs.keySet()));
            assertSignature(inputs, "a", OnnxJavaType.FLOAT, -1, 2);
            assertSignature(inputs, "b", OnnxJavaType.INT64, -1, 2);
            assertSignature(inputs, "c", OnnxJavaType.INT32, -1, 2);
            assertSignature(inputs, "d", OnnxJavaType.DOUBLE, -1, 2);
            assertSignature(inputs, "mask", OnnxJavaType.BOOL, -1, 2);
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            assertEquals(List.of("sum", "doubled", "masked", "inverted", "count"), List.copyOf(outputs.keySet()));
            assertSignature(outputs, "sum", OnnxJavaType.FLOAT, -1, 2);
            assertSignature(outputs, "doubled", OnnxJavaType.DOUBLE, -1, 2);
            assertSignature(outputs, "masked", OnnxJavaType.FLOAT, -1, 2);
            assertSignature(outputs, "inverted", OnnxJavaType.BOOL, -1, 2);
            assertSignature(outputs, "count", OnnxJavaType.INT64, -1, 2);

            Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
            try {
                feeds.put("a", OnnxTensor.createTensor(environment, a));
                feeds.put("b", OnnxTensor.createTensor(environment, b));
                feeds.put("c", OnnxTensor.createTensor(environment, c));
                feeds.put("d", OnnxTensor.createTensor(environment, d));
                feeds.put("mask", OnnxTensor.createTensor(environment, mask));
                try (OrtSession.Result result = session.run(feeds)) {
                    float[][] sum = (float[][]) result.get("sum").orElseThrow().getValue();
                    double[][] doubled = (double[][]) result.get("doubled").orElseThrow().getValue();
                    float[][] masked = (float[][]) result.get("masked").orElseThrow().getValue();
                    boolean[][] inverted = (boolean[][]) result.get("inverted").orElseThrow().getValue();
                    long[][] count = (long[][]) result.get("count").orElseThrow().getValue();
                    for (int row = 0; row < a.length; row++) {
                        double[] aRow = toDoubles(a[row]);
                        assertClose(ReferenceModels.multiInputSum(aRow, b[row], c[row]), sum[row]);
                        assertClose(ReferenceModels.multiInputDoubled(d[row]), doubled[row]);
                        assertClose(ReferenceModels.multiInputMasked(aRow, b[row], c[row], mask[row]), masked[row]);
                        assertArrayEquals(ReferenceModels.multiInputInverted(mask[row]), inverted[row]);
                        assertArrayEquals(ReferenceModels.multiInputCount(b[row], c[row]), count[row]);
                    }
                }
            } finally {
                feeds.values().forEach(OnnxTensor::close);
            }
        }
    }

    @Test
    void fraudClassifierMatchesReference() throws OrtException {
        float[][] features = {
                {0.0f, 0.0f, 0.0f, 0.0f},
                {3.0f, 1.0f, 2.0f, 0.5f},
                {-1.0f, 4.0f, -0.5f, 2.0f},
                {0.2f, 0.3f, 0.1f, 23.0f},
        };
        try (OrtSession session = open("fraud_classifier/1")) {
            assertSignature(session.getInputInfo(), "features", OnnxJavaType.FLOAT, -1, 4);
            assertSignature(session.getOutputInfo(), "probabilities", OnnxJavaType.FLOAT, -1, 2);
            assertSignature(session.getOutputInfo(), "label", OnnxJavaType.INT64, -1);
            try (OnnxTensor input = OnnxTensor.createTensor(environment, features);
                 OrtSession.Result result = session.run(Map.of("features", input))) {
                float[][] probabilities = (float[][]) result.get("probabilities").orElseThrow().getValue();
                long[] labels = (long[]) result.get("label").orElseThrow().getValue();
                for (int row = 0; row < features.length; row++) {
                    double[] reference = ReferenceModels.fraudProbabilities(toDoubles(features[row]));
                    assertClose(reference, probabilities[row]);
                    assertEquals(1.0, reference[0] + reference[1], 1e-12);
                    assertEquals(ReferenceModels.fraudLabel(toDoubles(features[row])), labels[row], "row " + row);
                }
                // Both classes occur, so a constant label could not pass.
                assertEquals(List.of(0L, 1L), Stream.of(labels[1], labels[2]).sorted().toList());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 20})
    void lstmForecasterMatchesReference(int length) throws OrtException {
        float[][][] series = new float[2][length][1];
        for (int t = 0; t < length; t++) {
            series[0][t][0] = (float) Math.sin(0.4 * t);
            series[1][t][0] = 1.5f - 0.1f * t;
        }
        try (OrtSession session = open("lstm_forecaster/1")) {
            assertSignature(session.getInputInfo(), "series", OnnxJavaType.FLOAT, -1, -1, 1);
            assertArrayEquals(new String[] {"batch", "time", ""},
                    ((TensorInfo) session.getInputInfo().get("series").getInfo()).getDimensionNames());
            assertSignature(session.getOutputInfo(), "forecast", OnnxJavaType.FLOAT, -1, 1);
            try (OnnxTensor input = OnnxTensor.createTensor(environment, series);
                 OrtSession.Result result = session.run(Map.of("series", input))) {
                float[][] forecast = (float[][]) result.get("forecast").orElseThrow().getValue();
                assertEquals(2, forecast.length);
                for (int row = 0; row < 2; row++) {
                    double[] values = new double[length];
                    for (int t = 0; t < length; t++) {
                        values[t] = series[row][t][0];
                    }
                    assertClose(new double[] {ReferenceModels.lstmForecast(values)}, forecast[row]);
                }
            }
        }
    }

    @Test
    void lstmForecastDependsOnTheWholeSeries() {
        double last = ReferenceModels.lstmForecast(new double[] {0.5});
        double withHistory = ReferenceModels.lstmForecast(new double[] {-1.0, 2.0, 0.5});
        assertTrue(Math.abs(last - withHistory) > 1e-3, last + " vs " + withHistory);
    }

    private static OrtSession open(String modelVersion) throws OrtException {
        return environment.createSession(repository.resolve(modelVersion).resolve("model.onnx").toString(),
                new OrtSession.SessionOptions());
    }

    private static void assertSignature(Map<String, NodeInfo> infos, String name, OnnxJavaType type, long... shape) {
        NodeInfo node = infos.get(name);
        assertTrue(node != null, () -> name + " not among " + infos.keySet());
        TensorInfo tensor = (TensorInfo) node.getInfo();
        assertEquals(type, tensor.type, name);
        assertArrayEquals(shape, tensor.getShape(), name);
        assertEquals("batch", tensor.getDimensionNames()[0], name);
    }

    private static void assertClose(double[] expected, float[] actual) {
        double[] widened = new double[actual.length];
        for (int i = 0; i < actual.length; i++) {
            widened[i] = actual[i];
        }
        assertClose(expected, widened);
    }

    private static void assertClose(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            double allowed = TOLERANCE * Math.max(1.0, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], allowed, "element " + i);
        }
    }

    private static double[] toDoubles(float[] values) {
        double[] doubles = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            doubles[i] = values[i];
        }
        return doubles;
    }
}
