package io.quiver.server.training;

import java.util.List;

/** Data checked and converted for a learner: rows of features, or a series. */
sealed interface TrainingData permits TrainingData.Tabular, TrainingData.Series {

    /**
     * Rows of numeric features and their targets.
     *
     * @param target   the predicted column
     * @param features the feature columns, in the order the model takes them
     * @param x        one array of feature values per row
     * @param y        regression targets; null for classification
     * @param classes  classification targets as class names; null for regression
     */
    record Tabular(String target, List<String> features, double[][] x, double[] y, String[] classes)
            implements TrainingData {
        int rows() {
            return x.length;
        }
    }

    /**
     * A series to forecast.
     *
     * @param name    what the series is called: its column, or {@value Table#SERIES_COLUMN}
     * @param values  the series in time order
     * @param window  values each forecast reads
     * @param horizon values each forecast predicts
     */
    record Series(String name, double[] values, int window, int horizon) implements TrainingData {
    }
}
