package io.quiver.server.training;

import io.quiver.server.inference.DataType;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.OnnxModel;
import io.quiver.server.inference.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Scores the exported model, through ONNX Runtime as it will be served, on the held-out rows: the
 * metrics describe the file that is published, not the learner's in-memory state.
 */
final class Evaluation {
    private Evaluation() {
    }

    static Map<String, Object> evaluate(Path modelFile, Task task, Learners.Trained trained) {
        TestSet test = trained.test();
        Tensor input = new Tensor(trained.input(), DataType.FP32, new long[] {test.rows(), test.columns()}, test.x());
        Tensor output;
        try (OnnxModel model = OnnxModel.open(modelFile, 1)) {
            output = model.run(InferenceRequest.of(List.of(input))).stream()
                    .filter(t -> t.name().equals(trained.output()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("the exported model has no output " + trained.output()));
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException("the exported model does not run: " + e.getMessage(), e);
        }
        if (output.array() instanceof float[] values) {
            for (float v : values) {
                if (!Float.isFinite(v)) {
                    throw new IllegalStateException("training diverged: the model predicts " + v
                            + " on held-out rows; try a lower learning_rate");
                }
            }
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        switch (task) {
            case REGRESSION -> regression(metrics, doubles((float[]) output.array()), test);
            case CLASSIFICATION -> classification(metrics, (long[]) output.array(), test, trained.labels());
            case FORECAST -> forecast(metrics, doubles((float[]) output.array()), test);
            default -> throw new IllegalStateException("unknown task " + task);
        }
        metrics.put(task == Task.FORECAST ? "train_windows" : "train_rows", trained.trainRows());
        metrics.put(task == Task.FORECAST ? "test_windows" : "test_rows", test.rows());
        return metrics;
    }

    private static void regression(Map<String, Object> metrics, double[] predicted, TestSet test) {
        double[] y = test.y();
        metrics.put("rmse", rmse(predicted, y));
        metrics.put("mae", mae(predicted, y));
        double mean = 0;
        for (double v : y) {
            mean += v;
        }
        mean /= y.length;
        double total = 0;
        double residual = 0;
        for (int i = 0; i < y.length; i++) {
            total += (y[i] - mean) * (y[i] - mean);
            residual += (y[i] - predicted[i]) * (y[i] - predicted[i]);
        }
        if (total > 0) {
            metrics.put("r2", 1 - residual / total);
        }
    }

    private static void classification(Map<String, Object> metrics, long[] predicted, TestSet test, List<String> labels) {
        int correct = 0;
        Map<String, int[]> perClass = new TreeMap<>();
        for (int i = 0; i < predicted.length; i++) {
            String truth = test.classes()[i];
            String guess = predicted[i] >= 0 && predicted[i] < labels.size() ? labels.get((int) predicted[i]) : null;
            int[] counts = perClass.computeIfAbsent(truth, k -> new int[2]);
            counts[0]++;
            if (truth.equals(guess)) {
                correct++;
                counts[1]++;
            }
        }
        metrics.put("accuracy", (double) correct / predicted.length);
        Map<String, Object> classes = new LinkedHashMap<>();
        perClass.forEach((label, counts) -> {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("support", counts[0]);
            figures.put("correct", counts[1]);
            classes.put(label, figures);
        });
        metrics.put("per_class", classes);
    }

    private static void forecast(Map<String, Object> metrics, double[] predicted, TestSet test) {
        metrics.put("rmse", rmse(predicted, test.y()));
        metrics.put("mae", mae(predicted, test.y()));
        metrics.put("naive_rmse", rmse(test.naive(), test.y()));
        metrics.put("naive_mae", mae(test.naive(), test.y()));
    }

    private static double[] doubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static double rmse(double[] predicted, double[] y) {
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += (predicted[i] - y[i]) * (predicted[i] - y[i]);
        }
        return Math.sqrt(sum / y.length);
    }

    private static double mae(double[] predicted, double[] y) {
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += Math.abs(predicted[i] - y[i]);
        }
        return sum / y.length;
    }
}
