package io.quiver.examples;

import static io.quiver.examples.ExporterWeights.*;

import io.quiver.common.numbers.HalfFloats;

/**
 * What each {@link ExporterModels} model answers, computed in plain Java from
 * {@link ExporterWeights} without ONNX Runtime. Methods take and return one row of the batch;
 * double arithmetic except where the model's own precision (half) is the point.
 */
public final class ExporterReference {
    private ExporterReference() {
    }

    /** {@code sklearn_logreg_*}: softmax of {@code coef . x + intercept}, one probability per class. */
    public static double[] logisticRegressionProbabilities(float[] row) {
        requireLength("float_input", row.length, IRIS_FEATURES);
        double[] scores = new double[IRIS_CLASSES];
        for (int c = 0; c < IRIS_CLASSES; c++) {
            scores[c] = LOGREG_INTERCEPTS[c];
            for (int f = 0; f < IRIS_FEATURES; f++) {
                scores[c] += (double) LOGREG_COEFFICIENTS[c * IRIS_FEATURES + f] * row[f];
            }
        }
        return softmax(scores);
    }

    /** {@code sklearn_logreg_int}: the class index with the highest probability, the first on a tie. */
    public static long logisticRegressionLabel(float[] row) {
        return argMax(logisticRegressionProbabilities(row));
    }

    /** {@code sklearn_logreg_str}: the species name of {@link #logisticRegressionLabel}. */
    public static String logisticRegressionSpecies(float[] row) {
        return IRIS_NAMES[(int) logisticRegressionLabel(row)];
    }

    /** The class names of {@code sklearn_logreg_str}, in class order. */
    public static String[] irisSpecies() {
        return IRIS_NAMES.clone();
    }

    /** {@code sklearn_forest_int}: the mean over the trees of the leaf each reaches, {@code x <= threshold} going left. */
    public static double[] forestProbabilities(float[] row) {
        requireLength("float_input", row.length, IRIS_FEATURES);
        double[] mean = new double[IRIS_CLASSES];
        for (TreeNode[] tree : FOREST) {
            TreeNode node = tree[0];
            while (!node.isLeaf()) {
                // float against float, as the ensemble compares them
                node = tree[row[node.feature()] <= node.threshold() ? node.ifTrue() : node.ifFalse()];
            }
            for (int c = 0; c < IRIS_CLASSES; c++) {
                mean[c] += (double) node.leaf()[c] / FOREST.length;
            }
        }
        return mean;
    }

    public static long forestLabel(float[] row) {
        return argMax(forestProbabilities(row));
    }

    /** {@code sklearn_label_encoder}: a colour's code, -1 for a name it was not fitted on. */
    public static long colourCode(String colour) {
        for (int i = 0; i < COLOURS.length; i++) {
            if (COLOURS[i].equals(colour)) {
                return i;
            }
        }
        return UNKNOWN_COLOUR;
    }

    /**
     * {@code torch_fp16_mlp}: the output row for an input row of halves, every operator's result
     * rounded to half (round to nearest, ties to even) as a FLOAT16 graph stores it; products are
     * summed exactly in double before that one rounding.
     */
    public static float[] halfMlp(float[] input) {
        requireLength("input", input.length, HALF_IN);
        float[] x = roundAll(input);
        float[] hidden = halfLinear(x, HALF_W1, HALF_B1, HALF_HIDDEN);
        for (int j = 0; j < hidden.length; j++) {
            hidden[j] = Math.max(0f, hidden[j]);
        }
        return halfLinear(hidden, HALF_W2, HALF_B2, HALF_OUT);
    }

    private static float[] halfLinear(float[] x, float[] weights, float[] bias, int outputs) {
        float[] result = new float[outputs];
        for (int j = 0; j < outputs; j++) {
            double product = 0;
            for (int k = 0; k < x.length; k++) {
                product += (double) x[k] * roundToHalf(weights[k * outputs + j]);
            }
            float matMul = roundToHalf((float) product);
            result[j] = roundToHalf(matMul + roundToHalf(bias[j]));
        }
        return result;
    }

    /**
     * {@code torch_uint8_image}: the logits of one {@code [3, 4, 4]} image of pixels 0..255, after
     * {@code (p / 255 - mean) / std}, the mean over each channel and the linear head.
     */
    public static double[] imageLogits(int[][][] pixels) {
        requireLength("pixels channels", pixels.length, IMAGE_CHANNELS);
        double[] pooled = new double[IMAGE_CHANNELS];
        for (int c = 0; c < IMAGE_CHANNELS; c++) {
            requireLength("pixels rows", pixels[c].length, IMAGE_SIZE);
            for (int[] line : pixels[c]) {
                requireLength("pixels columns", line.length, IMAGE_SIZE);
                for (int p : line) {
                    if (p < 0 || p > 255) {
                        throw new IllegalArgumentException("a UINT8 pixel is 0..255, not " + p);
                    }
                    pooled[c] += (p / 255.0 - IMAGE_MEAN[c]) / IMAGE_STD[c];
                }
            }
            pooled[c] /= IMAGE_SIZE * IMAGE_SIZE;
        }
        double[] logits = new double[IMAGE_CLASSES];
        for (int j = 0; j < IMAGE_CLASSES; j++) {
            logits[j] = IMAGE_HEAD_B[j];
            for (int c = 0; c < IMAGE_CHANNELS; c++) {
                logits[j] += pooled[c] * IMAGE_HEAD_W[c * IMAGE_CLASSES + j];
            }
        }
        return logits;
    }

    /** {@code torch_scalar_input}: the {@code scaled} row, {@code x * k}. */
    public static double[] scaled(float[] row, long k) {
        double[] scaled = new double[row.length];
        for (int i = 0; i < row.length; i++) {
            scaled[i] = (double) row[i] * (float) k;
        }
        return scaled;
    }

    /** {@code torch_scalar_input}: the rank-0 {@code total}, the sum of {@code x * k} over the whole batch. */
    public static double total(float[][] x, long k) {
        double total = 0;
        for (float[] row : x) {
            for (double v : scaled(row, k)) {
                total += v;
            }
        }
        return total;
    }

    private static double[] softmax(double[] scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (double score : scores) {
            max = Math.max(max, score);
        }
        double sum = 0;
        double[] result = new double[scores.length];
        for (int i = 0; i < scores.length; i++) {
            result[i] = Math.exp(scores[i] - max);
            sum += result[i];
        }
        for (int i = 0; i < result.length; i++) {
            result[i] /= sum;
        }
        return result;
    }

    private static long argMax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /** {@code value} rounded to FP16 and back, as a torch float16 tensor holds it. */
    private static float roundToHalf(float value) {
        return HalfFloats.fp16ToFloat(HalfFloats.toFp16(value));
    }

    private static float[] roundAll(float[] values) {
        float[] rounded = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            rounded[i] = roundToHalf(values[i]);
        }
        return rounded;
    }

    private static void requireLength(String name, int actual, int expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(name + " has " + actual + " values, expected " + expected);
        }
    }
}
