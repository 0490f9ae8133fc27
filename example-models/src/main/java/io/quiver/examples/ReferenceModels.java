package io.quiver.examples;

import static io.quiver.examples.ModelWeights.*;

/**
 * The example models computed in plain Java with double arithmetic, independently of ONNX
 * Runtime, so that served outputs can be checked against numbers from a second implementation.
 * Every method takes and returns one row (one sample) of the batch.
 */
public final class ReferenceModels {
    private ReferenceModels() {
    }

    /** {@code house_price}: the one-element {@code price} row for a {@code features} row of 3. */
    public static double[] housePrice(int version, double[] row) {
        requireLength("features", row, HOUSE_PRICE_FEATURES);
        double price = housePriceBias(version);
        for (int k = 0; k < HOUSE_PRICE_FEATURES; k++) {
            price += row[k] * HOUSE_PRICE_WEIGHTS[k];
        }
        return new double[] {price};
    }

    /** {@code fraud_classifier}: the logits that both outputs derive from. */
    public static double[] fraudLogits(double[] row) {
        requireLength("features", row, FRAUD_FEATURES);
        double[] logits = new double[FRAUD_CLASSES];
        for (int j = 0; j < FRAUD_CLASSES; j++) {
            logits[j] = FRAUD_BIAS[j];
            for (int k = 0; k < FRAUD_FEATURES; k++) {
                logits[j] += row[k] * FRAUD_WEIGHTS[k * FRAUD_CLASSES + j];
            }
        }
        return logits;
    }

    /** {@code fraud_classifier}: the {@code probabilities} row ({@code legit}, {@code fraud}). */
    public static double[] fraudProbabilities(double[] row) {
        double[] logits = fraudLogits(row);
        double max = Double.NEGATIVE_INFINITY;
        for (double logit : logits) {
            max = Math.max(max, logit);
        }
        double total = 0;
        double[] probabilities = new double[logits.length];
        for (int j = 0; j < logits.length; j++) {
            probabilities[j] = Math.exp(logits[j] - max);
            total += probabilities[j];
        }
        for (int j = 0; j < probabilities.length; j++) {
            probabilities[j] /= total;
        }
        return probabilities;
    }

    /** {@code fraud_classifier}: the {@code label}, 0 for legit and 1 for fraud; ties go to the first. */
    public static long fraudLabel(double[] row) {
        double[] logits = fraudLogits(row);
        int best = 0;
        for (int j = 1; j < logits.length; j++) {
            if (logits[j] > logits[best]) {
                best = j;
            }
        }
        return best;
    }

    /** {@code multi_input}: {@code sum = a + b + c}. */
    public static double[] multiInputSum(double[] a, long[] b, int[] c) {
        requireLength("b", b.length, a.length);
        requireLength("c", c.length, a.length);
        double[] sum = new double[a.length];
        for (int j = 0; j < a.length; j++) {
            sum[j] = a[j] + b[j] + c[j];
        }
        return sum;
    }

    /** {@code multi_input}: {@code doubled = 2 d}. */
    public static double[] multiInputDoubled(double[] d) {
        double[] doubled = new double[d.length];
        for (int j = 0; j < d.length; j++) {
            doubled[j] = d[j] * MULTI_INPUT_DOUBLE_FACTOR;
        }
        return doubled;
    }

    /** {@code multi_input}: {@code masked} is {@code sum} where {@code mask} is true and 0 elsewhere. */
    public static double[] multiInputMasked(double[] a, long[] b, int[] c, boolean[] mask) {
        double[] sum = multiInputSum(a, b, c);
        requireLength("mask", mask.length, sum.length);
        double[] masked = new double[sum.length];
        for (int j = 0; j < sum.length; j++) {
            masked[j] = mask[j] ? sum[j] : 0.0;
        }
        return masked;
    }

    /** {@code multi_input}: {@code inverted = !mask}. */
    public static boolean[] multiInputInverted(boolean[] mask) {
        boolean[] inverted = new boolean[mask.length];
        for (int j = 0; j < mask.length; j++) {
            inverted[j] = !mask[j];
        }
        return inverted;
    }

    /** {@code multi_input}: {@code count = b + c} in 64-bit integers. */
    public static long[] multiInputCount(long[] b, int[] c) {
        requireLength("c", c.length, b.length);
        long[] count = new long[b.length];
        for (int j = 0; j < b.length; j++) {
            count[j] = b[j] + c[j];
        }
        return count;
    }

    /** {@code lstm_forecaster}: the {@code forecast} for one univariate series, oldest value first. */
    public static double lstmForecast(double[] series) {
        double[] hidden = lstmFinalHidden(series);
        double forecast = LSTM_DENSE_BIAS;
        for (int k = 0; k < LSTM_HIDDEN; k++) {
            forecast += hidden[k] * LSTM_DENSE_WEIGHTS[k];
        }
        return forecast;
    }

    /** {@code lstm_forecaster}: the LSTM's hidden state after the last step, before the dense layer. */
    public static double[] lstmFinalHidden(double[] series) {
        int h = LSTM_HIDDEN;
        double[] hidden = new double[h];
        double[] cell = new double[h];
        double[] gates = new double[4 * h];
        for (double x : series) {
            // Every gate reads the previous hidden state, so all are computed before any update.
            for (int row = 0; row < 4 * h; row++) {
                double z = x * LSTM_W[row] + LSTM_B[row] + LSTM_B[4 * h + row];
                for (int k = 0; k < h; k++) {
                    z += hidden[k] * LSTM_R[row * h + k];
                }
                gates[row] = z;
            }
            for (int j = 0; j < h; j++) {
                double input = sigmoid(gates[j]);
                double output = sigmoid(gates[h + j]);
                double forget = sigmoid(gates[2 * h + j]);
                double candidate = Math.tanh(gates[3 * h + j]);
                cell[j] = forget * cell[j] + input * candidate;
                hidden[j] = output * Math.tanh(cell[j]);
            }
        }
        return hidden;
    }

    private static double sigmoid(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }

    private static void requireLength(String name, double[] row, int expected) {
        requireLength(name, row.length, expected);
    }

    private static void requireLength(String name, int actual, int expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(name + " has " + actual + " values, expected " + expected);
        }
    }
}
