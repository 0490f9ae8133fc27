package io.quiver.server.protocol.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.json.JsonBodies;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The column-oriented body of reference document 004, {@code {"col": {"0": v, "1": v}, ...}} (a
 * pandas "columns" frame), turned into row objects ordered by index. A column may also be a plain
 * array, one value per row.
 */
final class ColumnRows {
    private ColumnRows() {
    }

    static List<JsonNode> rows(JsonNode body) {
        if (body.isEmpty()) {
            throw new BadRequestException("no columns: expected {\"column\": {\"0\": value, ...}, ...}");
        }
        TreeMap<Long, ObjectNode> rows = null;
        String firstColumn = null;
        Iterator<Map.Entry<String, JsonNode>> columns = body.fields();
        while (columns.hasNext()) {
            Map.Entry<String, JsonNode> column = columns.next();
            TreeMap<Long, JsonNode> cells = cells(column.getKey(), column.getValue());
            if (rows == null) {
                rows = new TreeMap<>();
                firstColumn = column.getKey();
                for (Long index : cells.keySet()) {
                    rows.put(index, JsonNodeFactory.instance.objectNode());
                }
            } else if (!rows.keySet().equals(cells.keySet())) {
                throw new BadRequestException("column '" + column.getKey() + "' has row indexes " + cells.keySet()
                        + " but column '" + firstColumn + "' has " + rows.keySet());
            }
            for (Map.Entry<Long, JsonNode> cell : cells.entrySet()) {
                rows.get(cell.getKey()).set(column.getKey(), cell.getValue());
            }
        }
        return new ArrayList<>(rows.values());
    }

    private static TreeMap<Long, JsonNode> cells(String name, JsonNode column) {
        TreeMap<Long, JsonNode> cells = new TreeMap<>();
        if (column.isArray()) {
            for (int i = 0; i < column.size(); i++) {
                cells.put((long) i, column.get(i));
            }
        } else if (column.isObject()) {
            column.fields().forEachRemaining(cell -> {
                try {
                    cells.put(Long.parseLong(cell.getKey()), cell.getValue());
                } catch (NumberFormatException e) {
                    throw new BadRequestException("column '" + name + "' has row index '" + cell.getKey()
                            + "'; row indexes are integers");
                }
            });
        } else {
            throw new BadRequestException("column '" + name + "' must be an object of row index to value, got "
                    + JsonBodies.kind(column));
        }
        if (cells.isEmpty()) {
            throw new BadRequestException("column '" + name + "' has no rows");
        }
        return cells;
    }
}
