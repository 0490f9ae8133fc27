package io.quiver.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.quiver.examples.ExampleModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The peer benchmark's coefficients: what they predict is what ONNX Runtime computes from the file. */
class LinearCoefficientsTest {

    @TempDir
    Path repository;

    @Test
    void theCoefficientsPredictWhatTheModelFileComputes() throws IOException, OrtException {
        ExampleModels.writeRepository(repository);
        float[][] rows = {{1200f, 3f, 10f}, {0f, 0f, 0f}, {850.5f, 2f, 35f}, {-40.25f, 0.5f, 1000f}};
        for (int version = 1; version <= 2; version++) {
            Path file = repository.resolve(ExampleModels.HOUSE_PRICE).resolve(Integer.toString(version)).resolve("model.onnx");
            LinearCoefficients.Linear linear = LinearCoefficients.read(Files.readAllBytes(file));
            assertEquals(3, linear.coef().length);
            float[][] expected = run(file, rows);
            for (int i = 0; i < rows.length; i++) {
                double predicted = linear.intercept();
                for (int j = 0; j < rows[i].length; j++) {
                    predicted += rows[i][j] * (double) linear.coef()[j];
                }
                assertEquals(expected[i][0], predicted, 1e-5 * Math.max(1, Math.abs(predicted)), "version " + version + ", row " + i);
            }
        }
    }

    @Test
    void theJsonHoldsEachFloatExactly() {
        LinearCoefficients.Linear linear = new LinearCoefficients.Linear(new float[] {0.1f, -2.5f}, 0.3f);
        String json = linear.toJson();
        assertTrue(json.contains(Double.toString(0.1f)), json);
        assertTrue(json.contains("\"intercept\": " + Double.toString(0.3f)), json);
    }

    @Test
    void aModelThatIsNotALinearRegressionIsRefused() throws IOException {
        ExampleModels.writeRepository(repository);
        byte[] classifier = Files.readAllBytes(repository.resolve(ExampleModels.FRAUD_CLASSIFIER).resolve("1").resolve("model.onnx"));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> LinearCoefficients.read(classifier));
        assertTrue(refused.getMessage().contains("not a linear regression"), refused.getMessage());
    }

    private static float[][] run(Path file, float[][] rows) throws OrtException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession session = environment.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(environment, rows);
             OrtSession.Result result = session.run(Map.of("features", input))) {
            return (float[][]) result.get(0).getValue();
        }
    }
}
