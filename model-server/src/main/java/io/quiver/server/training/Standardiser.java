package io.quiver.server.training;

/**
 * Per-column mean and standard deviation, taken on training rows only. Learners see
 * {@code (x - mean) / scale}; the exported graph does the same to what it is sent, and scales its
 * outputs back, so the served model takes and gives the data's own units.
 */
record Standardiser(double[] mean, double[] scale) {

    /** Columns of {@code x} over the rows {@code rows}; a constant column gets scale 1. */
    static Standardiser of(double[][] x, int[] rows, int columns) {
        double[] mean = new double[columns];
        double[] scale = new double[columns];
        for (int r : rows) {
            for (int c = 0; c < columns; c++) {
                mean[c] += x[r][c];
            }
        }
        for (int c = 0; c < columns; c++) {
            mean[c] /= rows.length;
        }
        for (int r : rows) {
            for (int c = 0; c < columns; c++) {
                double d = x[r][c] - mean[c];
                scale[c] += d * d;
            }
        }
        for (int c = 0; c < columns; c++) {
            scale[c] = usable(Math.sqrt(scale[c] / rows.length));
        }
        return new Standardiser(mean, scale);
    }

    /** One value for every column: the mean and standard deviation of {@code values[from, to)}. */
    static Standardiser ofRange(double[] values, int from, int to, int columns) {
        double mean = 0;
        for (int i = from; i < to; i++) {
            mean += values[i];
        }
        mean /= to - from;
        double squares = 0;
        for (int i = from; i < to; i++) {
            squares += (values[i] - mean) * (values[i] - mean);
        }
        double scale = usable(Math.sqrt(squares / (to - from)));
        double[] means = new double[columns];
        double[] scales = new double[columns];
        java.util.Arrays.fill(means, mean);
        java.util.Arrays.fill(scales, scale);
        return new Standardiser(means, scales);
    }

    double apply(int column, double value) {
        return (value - mean[column]) / scale[column];
    }

    private static double usable(double scale) {
        return scale > 1e-12 && Double.isFinite(scale) ? scale : 1;
    }
}
