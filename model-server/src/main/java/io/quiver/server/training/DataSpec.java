package io.quiver.server.training;

import io.quiver.common.error.BadRequestException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What a learner needs from a {@link Table}, and the checks that turn a table into
 * {@link TrainingData}; every fault found is a 400 naming the row and column.
 *
 * @param algorithm the learner
 * @param target    the column to predict (tabular), or the column holding the series; may be null
 * @param features  the feature columns in order; null for every column but the target, sorted by name
 * @param window    forecasters: values each forecast reads
 * @param horizon   forecasters: values each forecast predicts
 * @param limits    how much data a job may take
 */
record DataSpec(Algorithm algorithm, String target, List<String> features, int window, int horizon,
                TrainingLimits limits) {
    /** Rows below which a 20% held-out split says nothing. */
    static final int MIN_ROWS = 10;
    /** Training windows a series must give, besides those held out. */
    static final int MIN_TRAINING_WINDOWS = 8;
    static final int MAX_CLASSES = 1000;
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    TrainingData prepare(Table table) {
        return algorithm.task() == Task.FORECAST ? series(table) : tabular(table);
    }

    private TrainingData.Tabular tabular(Table table) {
        if (table.numberList()) {
            throw new BadRequestException(algorithm.wireName() + " trains on rows of named columns, but "
                    + table.source() + " is a list of numbers");
        }
        List<String> columns = table.columns();
        if (target == null) {
            throw new BadRequestException("config.target is required: the column " + algorithm.wireName()
                    + " learns to predict; the data has columns " + columns);
        }
        int targetColumn = columns.indexOf(target);
        if (targetColumn < 0) {
            throw new BadRequestException("config.target '" + target + "' is not a column of " + table.source()
                    + "; it has " + columns);
        }
        List<String> chosen = chooseFeatures(columns);
        if (table.size() < MIN_ROWS) {
            throw new BadRequestException(table.source() + " has " + table.size() + " rows; at least " + MIN_ROWS
                    + " are needed, as 20% are held out for evaluation");
        }
        limits.checkCells(table.size(), chosen.size(), "the training rows");
        int[] featureColumns = chosen.stream().mapToInt(columns::indexOf).toArray();
        double[][] x = new double[table.size()][featureColumns.length];
        for (int r = 0; r < table.size(); r++) {
            for (int f = 0; f < featureColumns.length; f++) {
                x[r][f] = number(table, r, featureColumns[f]);
            }
        }
        if (algorithm.task() == Task.REGRESSION) {
            double[] y = new double[table.size()];
            for (int r = 0; r < y.length; r++) {
                y[r] = number(table, r, targetColumn);
            }
            return new TrainingData.Tabular(target, chosen, x, y, null);
        }
        String[] classes = new String[table.size()];
        Set<String> distinct = new TreeSet<>();
        for (int r = 0; r < classes.length; r++) {
            classes[r] = className(table, r, targetColumn);
            distinct.add(classes[r]);
            if (distinct.size() > MAX_CLASSES) {
                throw new BadRequestException("config.target '" + target + "' has more than " + MAX_CLASSES + " classes");
            }
        }
        if (distinct.size() < 2) {
            throw new BadRequestException("config.target '" + target + "' has only the class " + distinct
                    + "; classification needs at least two");
        }
        return new TrainingData.Tabular(target, chosen, x, null, classes);
    }

    private List<String> chooseFeatures(List<String> columns) {
        if (features == null) {
            List<String> all = new ArrayList<>(new TreeSet<>(columns));
            all.remove(target);
            if (all.isEmpty()) {
                throw new BadRequestException("the data has no column besides the target '" + target + "' to learn from");
            }
            return all;
        }
        if (features.isEmpty()) {
            throw new BadRequestException("config.features is empty; leave it out to use every column but the target");
        }
        Set<String> seen = new HashSet<>();
        for (String feature : features) {
            if (!columns.contains(feature)) {
                throw new BadRequestException("config.features names '" + feature + "', which is not a column; the data has "
                        + columns);
            }
            if (feature.equals(target)) {
                throw new BadRequestException("config.features names the target '" + target + "'");
            }
            if (!seen.add(feature)) {
                throw new BadRequestException("config.features names '" + feature + "' twice");
            }
        }
        return List.copyOf(features);
    }

    private TrainingData.Series series(Table table) {
        if (features != null) {
            throw new BadRequestException("config.features does not apply to " + algorithm.wireName()
                    + ", which reads the last config.window values of one series");
        }
        List<String> columns = table.columns();
        int column;
        if (target != null && !table.numberList()) {
            column = columns.indexOf(target);
            if (column < 0) {
                throw new BadRequestException("config.target '" + target + "' is not a column of " + table.source()
                        + "; it has " + columns);
            }
        } else if (columns.size() == 1) {
            column = 0;
        } else {
            throw new BadRequestException("config.target must name the column holding the series; " + table.source()
                    + " has " + columns);
        }
        int needed = minimumLength(window, horizon);
        if (table.size() < needed) {
            throw new BadRequestException("a series of " + table.size() + " values is too short for window " + window
                    + " and horizon " + horizon + ": at least " + needed + " are needed, as the last 20% of windows are "
                    + "held out for evaluation");
        }
        limits.checkCells(windows(table.size(), window, horizon), (long) window + horizon, "the training windows");
        double[] values = new double[table.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = number(table, i, column);
        }
        String name = target != null ? target : columns.get(column);
        return new TrainingData.Series(name, values, window, horizon);
    }

    /** The windows of a series: every run of window + horizon consecutive values. */
    static int windows(int length, int window, int horizon) {
        return length - window - horizon + 1;
    }

    /** Windows held out: the last 20%, at least 2. */
    static int heldOutWindows(int windows) {
        return Math.max(2, (int) Math.round(windows * 0.2));
    }

    /**
     * Windows trained on: those before the held-out ones, less the last horizon - 1 of them, whose
     * targets would reach into the held-out targets.
     */
    static int trainingWindows(int windows, int horizon) {
        return windows - heldOutWindows(windows) - (horizon - 1);
    }

    static int minimumLength(int window, int horizon) {
        int length = window + horizon;
        while (trainingWindows(windows(length, window, horizon), horizon) < MIN_TRAINING_WINDOWS) {
            length++;
        }
        return length;
    }

    private static double number(Table table, int row, int column) {
        Object cell = present(table, row, column);
        double value;
        if (cell instanceof Double d) {
            value = d;
        } else {
            String text = (String) cell;
            if (!NUMBER.matcher(text).matches()) {
                throw new BadRequestException(table.where(row) + ", column '" + table.columns().get(column) + "': '"
                        + Algorithm.abbreviate(text) + "' is not a number");
            }
            value = Double.parseDouble(text);
        }
        if (!Double.isFinite(value)) {
            throw new BadRequestException(table.where(row) + ", column '" + table.columns().get(column)
                    + "': the value is not a finite number");
        }
        return value;
    }

    /** A cell that has a value: a database's answer can leave one out (null). */
    private static Object present(Table table, int row, int column) {
        Object cell = table.cell(row, column);
        if (cell == null) {
            throw new BadRequestException(table.where(row) + ", column '" + table.columns().get(column)
                    + "' has no value; every row needs one in each column it trains on");
        }
        return cell;
    }

    private String className(Table table, int row, int column) {
        Object cell = present(table, row, column);
        if (cell instanceof Double d) {
            if (d != Math.rint(d) || Math.abs(d) > 1e15) {
                throw new BadRequestException(table.where(row) + ", column '" + target + "': " + d
                        + " is not a class; classes are strings or integers");
            }
            return Long.toString(d.longValue());
        }
        String text = ((String) cell).trim();
        if (text.isEmpty()) {
            throw new BadRequestException(table.where(row) + ", column '" + target + "' is empty; every row needs a class");
        }
        return text;
    }
}
