package io.quiver.server.protocol;

import io.quiver.server.inference.Tensor;
import io.quiver.server.serving.InferenceResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders output tensors row by row: a row of one element becomes a scalar, larger rows nested
 * lists, and a row of a labelled output (a classifier's probabilities) an object keyed by class
 * label, as scikit-learn users read {@code predict_proba} with its classes.
 */
public final class RowEncoding {
    private RowEncoding() {
    }

    /** One value per row along the first dimension. */
    public static List<Object> perRow(Tensor tensor) {
        return perRow(tensor, List.of());
    }

    /** One value per row; with {@code labels}, each row of a [rows, classes] tensor as label to value. */
    public static List<Object> perRow(Tensor tensor, List<String> labels) {
        if (tensor.shape().length == 0) {
            return List.of(tensor.element(0));
        }
        int rows = tensor.rows();
        int stride = rows == 0 ? 0 : tensor.size() / rows;
        boolean keyed = !labels.isEmpty() && tensor.shape().length == 2 && stride == labels.size();
        long[] rowShape = Arrays.copyOfRange(tensor.shape(), 1, tensor.shape().length);
        List<Object> out = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            if (keyed) {
                Map<String, Object> byLabel = new LinkedHashMap<>();
                for (int c = 0; c < stride; c++) {
                    byLabel.put(labels.get(c), tensor.element(r * stride + c));
                }
                out.add(byLabel);
            } else {
                out.add(stride == 1 ? tensor.element(r) : nested(tensor, r * stride, rowShape, 0));
            }
        }
        return out;
    }

    /** Every output's per-row values, by output name. */
    public static Map<String, List<Object>> columns(InferenceResult result) {
        Map<String, List<Object>> columns = new LinkedHashMap<>();
        result.outputs().forEach(t -> columns.put(t.name(), perRow(t, result.labels(t))));
        return columns;
    }

    /**
     * The {@code predictions} field of the row-oriented APIs: per-row values of the only output, or
     * per-row values by output name when there are several.
     */
    public static Object predictions(InferenceResult result) {
        return result.outputs().size() == 1 ? perRow(result.first(), result.labels(result.first())) : columns(result);
    }

    /** One object per row holding every output's value for that row. */
    public static List<Map<String, Object>> records(InferenceResult result) {
        Map<String, List<Object>> columns = columns(result);
        int rows = columns.values().stream().mapToInt(List::size).max().orElse(0);
        List<Map<String, Object>> records = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            Map<String, Object> record = new LinkedHashMap<>();
            for (Map.Entry<String, List<Object>> column : columns.entrySet()) {
                if (r < column.getValue().size()) {
                    record.put(column.getKey(), column.getValue().get(r));
                }
            }
            records.add(record);
        }
        return records;
    }

    private static Object nested(Tensor tensor, int offset, long[] shape, int depth) {
        if (depth == shape.length) {
            return tensor.element(offset);
        }
        int stride = (int) Tensor.elementCount(Arrays.copyOfRange(shape, depth + 1, shape.length));
        List<Object> out = new ArrayList<>((int) shape[depth]);
        for (int i = 0; i < shape[depth]; i++) {
            out.add(nested(tensor, offset + i * stride, shape, depth + 1));
        }
        return out;
    }
}
