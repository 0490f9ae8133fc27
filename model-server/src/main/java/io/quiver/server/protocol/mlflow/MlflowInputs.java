package io.quiver.server.protocol.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.common.error.BadRequestException;
import io.quiver.server.inference.Tensor;
import io.quiver.server.inference.TensorSpec;
import io.quiver.common.json.JsonBodies;
import io.quiver.server.protocol.RowsDecoder;
import io.quiver.server.protocol.TensorJson;
import io.quiver.server.serving.ModelInfo;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MLflow's scoring payloads: {@code dataframe_split}, {@code dataframe_records}, {@code instances}
 * and {@code inputs} (rows, or tensors keyed by input name); and reference document 000's
 * {@code data}, one row or a list of rows.
 */
final class MlflowInputs {
    private static final Set<String> FORMATS = Set.of("dataframe_split", "dataframe_records", "instances", "inputs",
            "data");

    private MlflowInputs() {
    }

    static List<Tensor> decode(MlflowResource.InvocationsRequest body, ModelInfo model) {
        Map<String, JsonNode> present = new LinkedHashMap<>();
        present.put("dataframe_split", body.dataframeSplit());
        present.put("dataframe_records", body.dataframeRecords());
        present.put("instances", body.instances());
        present.put("inputs", body.inputs());
        present.put("data", body.data());
        present.values().removeIf(payload -> payload == null || payload.isNull());
        if (present.size() != 1) {
            throw new BadRequestException("send exactly one of " + FORMATS.stream().sorted().toList()
                    + (present.isEmpty() ? "" : "; got " + new java.util.TreeSet<>(present.keySet())));
        }
        String format = present.keySet().iterator().next();
        JsonNode payload = present.get(format);
        return switch (format) {
            case "dataframe_split" -> RowsDecoder.decode(model, splitRows(payload));
            case "dataframe_records", "instances" -> RowsDecoder.decode(model, list(payload, format));
            // Reference document 000 scores one row as {"data": [1, 2, 3]}; a list of rows is a batch.
            case "data" -> RowsDecoder.decode(model, payload.isArray() && !payload.isEmpty()
                    && !payload.get(0).isContainerNode() ? List.of(payload) : list(payload, format));
            default -> payload.isObject() ? namedTensors(payload, model) : RowsDecoder.decode(model, list(payload, format));
        };
    }

    private static List<JsonNode> list(JsonNode payload, String format) {
        if (!payload.isArray()) {
            throw new BadRequestException("'" + format + "' must be an array, got " + JsonBodies.kind(payload));
        }
        List<JsonNode> rows = new ArrayList<>(payload.size());
        payload.forEach(rows::add);
        return rows;
    }

    /** {@code {"columns": [...], "data": [[...], ...]}} into row objects. */
    private static List<JsonNode> splitRows(JsonNode split) {
        if (!split.isObject()) {
            throw new BadRequestException("'dataframe_split' must be an object with 'columns' and 'data'");
        }
        JsonNode columns = JsonBodies.required(split, "columns");
        JsonNode data = JsonBodies.required(split, "data");
        if (!columns.isArray() || !data.isArray()) {
            throw new BadRequestException("'dataframe_split' needs 'columns' and 'data' arrays");
        }
        List<JsonNode> rows = new ArrayList<>(data.size());
        for (int r = 0; r < data.size(); r++) {
            JsonNode values = data.get(r);
            if (!values.isArray() || values.size() != columns.size()) {
                throw new BadRequestException("dataframe_split row " + r + " must be an array of " + columns.size()
                        + " values, one per column");
            }
            ObjectNode row = JsonNodeFactory.instance.objectNode();
            for (int c = 0; c < columns.size(); c++) {
                row.set(columns.get(c).asText(), values.get(c));
            }
            rows.add(row);
        }
        return rows;
    }

    /** TF-serving's columnar form: each input's whole batch under its name. */
    private static List<Tensor> namedTensors(JsonNode inputs, ModelInfo model) {
        List<Tensor> tensors = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = inputs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String what = "input '" + entry.getKey() + "'";
            TensorSpec spec = model.signature().input(entry.getKey()).orElseThrow(() -> new BadRequestException(
                    "unknown input '" + entry.getKey() + "'; the model takes "
                            + model.signature().inputs().stream().map(TensorSpec::name).toList()));
            long[] shape = TensorJson.shapeOf(entry.getValue(), what);
            if (shape.length == spec.shape().length - 1 && spec.shape()[spec.shape().length - 1] <= 1) {
                shape = java.util.Arrays.copyOf(shape, shape.length + 1);
                shape[shape.length - 1] = 1;
            }
            int count = Math.toIntExact(Tensor.elementCount(shape));
            tensors.add(new Tensor(spec.name(), spec.type(), shape,
                    TensorJson.flatten(entry.getValue(), spec.type(), count, what)));
        }
        return tensors;
    }
}
