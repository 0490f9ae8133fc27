package io.quiver.server.training;

/**
 * The held-out rows, in the data's own units, to score the exported model on.
 *
 * @param x       features row-major, {@code rows * columns}, as the model's FP32 input
 * @param rows    held-out rows (or windows)
 * @param columns values per row
 * @param y       regression and forecasts: true values, {@code rows * outputs}
 * @param outputs values predicted per row
 * @param classes classification: the true class of each row
 * @param naive   forecasts: the last-value forecast, {@code rows * outputs}
 */
record TestSet(float[] x, int rows, int columns, double[] y, int outputs, String[] classes, double[] naive) {
}
