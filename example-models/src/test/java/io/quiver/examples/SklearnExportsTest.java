package io.quiver.examples;

import static io.quiver.examples.OrtModels.ENVIRONMENT;
import static io.quiver.examples.OrtModels.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The skl2onnx-style models run in ONNX Runtime and agree with {@link ExporterReference}:
 * labels exactly, probabilities within {@link #PROBABILITY_TOLERANCE} (float32 scores, softmax
 * and L1 normalisation against the double reference).
 */
class SklearnExportsTest {
    static final double PROBABILITY_TOLERANCE = 1e-6;

    /** One row near each species, one between versicolor and virginica, and one far out. */
    static final float[][] IRIS = {
            {5.1f, 3.5f, 1.4f, 0.2f},
            {6.0f, 2.7f, 4.5f, 1.4f},
            {6.9f, 3.1f, 5.6f, 2.3f},
            {6.3f, 2.8f, 4.9f, 1.7f},
            {-3f, 10f, 0f, 42f},
    };

    @Test
    void logisticRegressionWithIntegerLabels() throws OrtException {
        try (OrtSession session = OrtModels.open(ExporterModels.SKLEARN_LOGREG_INT);
             OnnxTensor input = OnnxTensor.createTensor(ENVIRONMENT, IRIS);
             OrtSession.Result result = session.run(Map.of("float_input", input))) {
            assertEquals(List.of("output_label", "output_probability"), List.copyOf(session.getOutputNames()));
            long[] labels = (long[]) result.get("output_label").orElseThrow().getValue();
            List<Map<Long, Float>> probabilities = OrtModels.zipMapRows(result.get("output_probability").orElseThrow());
            assertEquals(IRIS.length, probabilities.size());
            Set<Long> seen = new TreeSet<>();
            for (int row = 0; row < IRIS.length; row++) {
                assertEquals(ExporterReference.logisticRegressionLabel(IRIS[row]), labels[row], "row " + row);
                seen.add(labels[row]);
                Map<Long, Float> map = probabilities.get(row);
                assertEquals(Set.of(0L, 1L, 2L), map.keySet());
                assertClose(ExporterReference.logisticRegressionProbabilities(IRIS[row]),
                        new float[] {map.get(0L), map.get(1L), map.get(2L)}, PROBABILITY_TOLERANCE, "row " + row);
            }
            assertEquals(Set.of(0L, 1L, 2L), seen, "every class is predicted by some row");
        }
    }

    @Test
    void logisticRegressionWithStringLabels() throws OrtException {
        String[] species = ExporterReference.irisSpecies();
        try (OrtSession session = OrtModels.open(ExporterModels.SKLEARN_LOGREG_STR);
             OnnxTensor input = OnnxTensor.createTensor(ENVIRONMENT, IRIS);
             OrtSession.Result result = session.run(Map.of("float_input", input))) {
            String[] labels = (String[]) result.get("output_label").orElseThrow().getValue();
            List<Map<String, Float>> probabilities = OrtModels.zipMapRows(result.get("output_probability").orElseThrow());
            for (int row = 0; row < IRIS.length; row++) {
                assertEquals(ExporterReference.logisticRegressionSpecies(IRIS[row]), labels[row], "row " + row);
                Map<String, Float> map = probabilities.get(row);
                assertEquals(Set.of(species), map.keySet());
                float[] actual = new float[species.length];
                for (int c = 0; c < species.length; c++) {
                    actual[c] = map.get(species[c]);
                }
                assertClose(ExporterReference.logisticRegressionProbabilities(IRIS[row]), actual,
                        PROBABILITY_TOLERANCE, "row " + row);
            }
        }
    }

    @Test
    void randomForestWalksEveryTree() throws OrtException {
        // Rows chosen to reach different leaves, and one exactly on a threshold (x <= t goes left).
        float[][] rows = {
                {5.0f, 3.4f, 1.5f, 0.2f},
                {5.0f, 2.0f, 3.5f, 1.0f},
                {6.7f, 3.0f, 5.2f, 2.3f},
                {5.9f, 3.0f, 4.8f, 1.8f},
                {5.45f, 2.8f, 2.45f, 0.8f},
        };
        try (OrtSession session = OrtModels.open(ExporterModels.SKLEARN_FOREST_INT);
             OnnxTensor input = OnnxTensor.createTensor(ENVIRONMENT, rows);
             OrtSession.Result result = session.run(Map.of("float_input", input))) {
            long[] labels = (long[]) result.get("output_label").orElseThrow().getValue();
            List<Map<Long, Float>> probabilities = OrtModels.zipMapRows(result.get("output_probability").orElseThrow());
            Set<Long> seen = new TreeSet<>();
            for (int row = 0; row < rows.length; row++) {
                assertEquals(ExporterReference.forestLabel(rows[row]), labels[row], "row " + row);
                seen.add(labels[row]);
                Map<Long, Float> map = probabilities.get(row);
                assertClose(ExporterReference.forestProbabilities(rows[row]),
                        new float[] {map.get(0L), map.get(1L), map.get(2L)}, PROBABILITY_TOLERANCE, "row " + row);
            }
            assertEquals(Set.of(0L, 1L, 2L), seen, "every class is predicted by some row");
        }
    }

    @Test
    void labelEncoderMapsKnownNamesAndDefaultsTheRest() throws OrtException {
        String[] colours = {"red", "blue", "green", "purple", "", "Red"};
        try (OrtSession session = OrtModels.open(ExporterModels.SKLEARN_LABEL_ENCODER);
             OnnxTensor input = OnnxTensor.createTensor(ENVIRONMENT, colours, new long[] {colours.length});
             OrtSession.Result result = session.run(Map.of("string_input", input))) {
            long[] codes = (long[]) result.get("variable").orElseThrow().getValue();
            long[] expected = new long[colours.length];
            for (int i = 0; i < colours.length; i++) {
                expected[i] = ExporterReference.colourCode(colours[i]);
            }
            assertArrayEquals(expected, codes);
            assertArrayEquals(new long[] {2, 0, 1, -1, -1, -1}, codes);
        }
    }
}
