package io.quiver.server.protocol;

import io.quiver.common.json.JsonBodies;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.common.error.BadRequestException;
import io.quiver.server.inference.Tensor;
import io.quiver.server.inference.TensorSpec;
import io.quiver.server.repository.InputLayout;
import io.quiver.server.serving.ModelInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Maps row-oriented payloads onto a model's inputs; every row fills one slice along the first
 * dimension of each input. The rule (docs/model-server/api.md, "Rows"):
 * <ul>
 * <li>a single input of rank 2 takes a row as an object of named features, ordered by the
 * descriptor's {@code features}, else by feature name; or as an array of values;</li>
 * <li>several inputs take a row as an object keyed by input name;</li>
 * <li>a row one dimension short of the input gets a trailing dimension of 1, so a series
 * {@code [v1..vT]} fills {@code [1, T, 1]};</li>
 * <li>a model whose descriptor says {@code "input_layout": "window"} takes a row as a series of at
 * least {@code window} numbers, of which the last {@code window} fill the row.</li>
 * </ul>
 */
public final class RowsDecoder {
    private RowsDecoder() {
    }

    public static List<Tensor> decode(ModelInfo model, List<JsonNode> rows) {
        if (rows.isEmpty()) {
            throw new BadRequestException("no rows to predict on");
        }
        if (model.descriptor().inputLayout() == InputLayout.WINDOW) {
            rows = lastWindows(model, rows);
        }
        List<TensorSpec> inputs = model.signature().inputs();
        if (inputs.size() == 1) {
            TensorSpec input = inputs.get(0);
            List<JsonNode> values = input.shape().length == 2 && rows.get(0).isObject()
                    ? featureArrays(model, input, rows) : rows;
            return List.of(stack(input, values));
        }
        List<Tensor> tensors = new ArrayList<>(inputs.size());
        for (TensorSpec input : inputs) {
            List<JsonNode> values = new ArrayList<>(rows.size());
            for (int r = 0; r < rows.size(); r++) {
                JsonNode row = rows.get(r);
                if (!row.isObject()) {
                    throw new BadRequestException("row " + r + " must be an object keyed by input name "
                            + inputNames(model) + ", got " + JsonBodies.kind(row));
                }
                JsonNode value = row.get(input.name());
                if (value == null) {
                    throw new BadRequestException("row " + r + " is missing input '" + input.name() + "'");
                }
                values.add(value);
            }
            rejectUnknownKeys(rows, inputNames(model), "input");
            tensors.add(stack(input, values));
        }
        return tensors;
    }

    /**
     * The rows of the unified {@code data} field: one series for a sequence model, one row for a flat
     * list or an object, else a list of rows.
     */
    public static List<JsonNode> unifiedRows(ModelInfo model, JsonNode data) {
        boolean sequence = model.descriptor().inputLayout() == InputLayout.SEQUENCE
                || model.descriptor().inputLayout() == InputLayout.WINDOW;
        boolean scalarRows = model.signature().inputs().size() == 1 && model.signature().inputs().get(0).shape().length == 1;
        if (data.isArray()) {
            boolean flat = !data.isEmpty() && data.get(0).isValueNode();
            if (flat && (sequence || !scalarRows)) {
                return List.of(data);
            }
            List<JsonNode> rows = new ArrayList<>(data.size());
            data.forEach(rows::add);
            return rows;
        }
        return List.of(data);
    }

    /** Each row is a series; its last {@code window} values are what the model reads. */
    private static List<JsonNode> lastWindows(ModelInfo model, List<JsonNode> rows) {
        int window = model.descriptor().window();
        List<JsonNode> windows = new ArrayList<>(rows.size());
        for (int r = 0; r < rows.size(); r++) {
            JsonNode row = rows.get(r);
            if (!row.isArray()) {
                throw new BadRequestException("row " + r + " must be a series (an array of numbers), got "
                        + JsonBodies.kind(row));
            }
            if (row.size() < window) {
                throw new BadRequestException("row " + r + " has " + row.size() + " values but the model forecasts from "
                        + "the last " + window + " (its window); send at least " + window);
            }
            ArrayNode last = JsonNodeFactory.instance.arrayNode(window);
            for (int i = row.size() - window; i < row.size(); i++) {
                last.add(row.get(i));
            }
            windows.add(last);
        }
        return windows;
    }

    private static Tensor stack(TensorSpec input, List<JsonNode> rows) {
        int rank = input.shape().length;
        if (rank == 0) {
            throw new BadRequestException("input '" + input.name() + "' is a scalar and cannot take rows");
        }
        String first = "input '" + input.name() + "' row 0";
        long[] rowShape = rowShape(input, TensorJson.shapeOf(rows.get(0), first));
        int perRow = Math.toIntExact(Tensor.elementCount(rowShape));
        long total = (long) perRow * rows.size();
        if (total > Integer.MAX_VALUE) {
            throw new BadRequestException("input '" + input.name() + "' is too large");
        }
        Object data = input.type().newArray((int) total);
        int[] next = {0};
        for (int r = 0; r < rows.size(); r++) {
            String what = "input '" + input.name() + "' row " + r;
            long[] shape = rowShape(input, TensorJson.shapeOf(rows.get(r), what));
            if (!Arrays.equals(shape, rowShape)) {
                throw new BadRequestException(what + " has shape " + Arrays.toString(shape) + " but row 0 has "
                        + Arrays.toString(rowShape));
            }
            TensorJson.fill(rows.get(r), input.type(), data, next, (r + 1) * perRow, what);
        }
        long[] shape = new long[rowShape.length + 1];
        shape[0] = rows.size();
        System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
        return new Tensor(input.name(), input.type(), shape, data);
    }

    /** A row one dimension short of the input's row rank gains a trailing 1 when the input allows it. */
    private static long[] rowShape(TensorSpec input, long[] given) {
        int rowRank = input.shape().length - 1;
        long last = input.shape()[input.shape().length - 1];
        if (given.length == rowRank - 1 && (last == 1 || last < 0)) {
            long[] widened = Arrays.copyOf(given, given.length + 1);
            widened[given.length] = 1;
            return widened;
        }
        return given;
    }

    private static List<JsonNode> featureArrays(ModelInfo model, TensorSpec input, List<JsonNode> rows) {
        List<String> features = model.descriptor().features();
        if (features.isEmpty()) {
            Set<String> keys = new TreeSet<>();
            rows.get(0).fieldNames().forEachRemaining(keys::add);
            features = List.copyOf(keys);
        }
        List<JsonNode> arrays = new ArrayList<>(rows.size());
        for (int r = 0; r < rows.size(); r++) {
            JsonNode row = rows.get(r);
            if (!row.isObject()) {
                throw new BadRequestException("row " + r + " must be an object of features " + features + " like row 0, got "
                        + JsonBodies.kind(row));
            }
            ArrayNode values = JsonNodeFactory.instance.arrayNode(features.size());
            for (String feature : features) {
                JsonNode value = row.get(feature);
                if (value == null) {
                    throw new BadRequestException("row " + r + " is missing feature '" + feature + "'; the model takes "
                            + features);
                }
                values.add(value);
            }
            arrays.add(values);
        }
        rejectUnknownKeys(rows, features, "feature");
        return arrays;
    }

    private static void rejectUnknownKeys(List<JsonNode> rows, List<String> known, String kind) {
        for (int r = 0; r < rows.size(); r++) {
            Iterator<String> keys = rows.get(r).fieldNames();
            while (keys.hasNext()) {
                String key = keys.next();
                if (!known.contains(key)) {
                    throw new BadRequestException("row " + r + " has unknown " + kind + " '" + key + "'; the model takes "
                            + known);
                }
            }
        }
    }

    private static List<String> inputNames(ModelInfo model) {
        return model.signature().inputs().stream().map(TensorSpec::name).toList();
    }
}
