package io.quiver.examples;

import java.util.function.IntToDoubleFunction;

/**
 * The parameters of every example model, read both by the graphs written to ONNX and by
 * {@link ReferenceModels}. They are float32 because that is what the graphs store, so the
 * reference computes with exactly the values ONNX Runtime sees.
 */
final class ModelWeights {
    private ModelWeights() {
    }

    static final int HOUSE_PRICE_FEATURES = 3;
    /** [3, 1]. */
    static final float[] HOUSE_PRICE_WEIGHTS = {0.5f, -1.25f, 2.0f};
    static final float HOUSE_PRICE_BIAS_V1 = 0.75f;
    static final float HOUSE_PRICE_BIAS_V2 = 1.75f;

    static final int FRAUD_FEATURES = 4;
    static final int FRAUD_CLASSES = 2;
    /** [4, 2], row-major. */
    static final float[] FRAUD_WEIGHTS = {
            0.8f, -0.8f,
            -0.5f, 0.5f,
            1.5f, -1.5f,
            -0.25f, 0.25f,
    };
    static final float[] FRAUD_BIAS = {0.1f, -0.1f};

    static final double MULTI_INPUT_DOUBLE_FACTOR = 2.0;

    static final int LSTM_HIDDEN = 3;
    /** [1, 4 * hidden, 1]: one input feature, gate blocks in ONNX order i, o, f, c. */
    static final float[] LSTM_W = generate(4 * LSTM_HIDDEN, i -> 0.8 * Math.sin(i + 1));
    /** [1, 4 * hidden, hidden], same gate order. */
    static final float[] LSTM_R = generate(4 * LSTM_HIDDEN * LSTM_HIDDEN, i -> 0.5 * Math.cos(1.3 * i + 0.5));
    /** [1, 8 * hidden]: the input biases Wb of all gates, then the recurrent biases Rb. */
    static final float[] LSTM_B = generate(8 * LSTM_HIDDEN, i -> 0.2 * Math.sin(0.7 * i + 2));
    /** [hidden, 1]. */
    static final float[] LSTM_DENSE_WEIGHTS = {0.9f, -1.1f, 0.6f};
    static final float LSTM_DENSE_BIAS = 0.2f;

    static float housePriceBias(int version) {
        return switch (version) {
            case 1 -> HOUSE_PRICE_BIAS_V1;
            case 2 -> HOUSE_PRICE_BIAS_V2;
            default -> throw new IllegalArgumentException("house_price has versions 1 and 2, not " + version);
        };
    }

    private static float[] generate(int size, IntToDoubleFunction formula) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) formula.applyAsDouble(i);
        }
        return values;
    }
}
