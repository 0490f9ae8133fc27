package io.quiver.server.training;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.error.BadGatewayException;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.json.JsonBodies;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * InfluxDB 1.x's answer to a query, {@code {"results": [{"series": [{"name", "tags", "columns",
 * "values"}]}]}}, as a {@link Table}: the columns the query selected, then the tags a GROUP BY
 * split the rows by (each series' tag values repeated on its rows), the series' rows one after
 * another. {@code time} is a column only when asked for: InfluxDB adds it to every answer, and as a
 * feature by default it would make every model depend on when its rows were written.
 */
final class InfluxResults {
    static final String TIME = "time";
    static final String SOURCE = "the InfluxDB query";

    private InfluxResults() {
    }

    static Table table(JsonNode answer, InfluxQueries.Query query, boolean keepTime, TrainingLimits limits) {
        JsonNode result = answer.path("results").path(0);
        if (!result.isObject()) {
            throw new BadGatewayException("InfluxDB at " + query.server() + " answered without results; is it InfluxDB 1.x?");
        }
        if (result.hasNonNull("error")) {
            throw new BadRequestException("InfluxDB at " + query.server() + " could not run the query: "
                    + result.path("error").asText());
        }
        JsonNode series = result.path("series");
        if (!series.isArray() || series.isEmpty()) {
            throw new BadRequestException(SOURCE + " found no rows in database '" + query.database() + "': "
                    + Algorithm.abbreviate(query.query()));
        }
        for (JsonNode one : series) {
            if (one.path("partial").asBoolean(false) || result.path("partial").asBoolean(false)) {
                // InfluxDB's own row cap ([http] max-row-limit) cut the answer: training on its
                // first rows only would pass unnoticed.
                throw new BadRequestException("InfluxDB at " + query.server() + " cut its answer short after "
                        + one.path("values").size() + " rows of " + name(one) + " (its [http] max-row-limit); "
                        + "select fewer rows, such as a narrower time range or an aggregate over GROUP BY time()");
            }
        }
        JsonNode first = series.get(0);
        List<String> selected = texts(first.path("columns"));
        List<String> tags = new ArrayList<>();
        first.path("tags").fieldNames().forEachRemaining(tags::add);
        int timeColumn = keepTime ? -1 : selected.indexOf(TIME);
        List<String> columns = new ArrayList<>(selected);
        if (timeColumn >= 0) {
            columns.remove(timeColumn);
        }
        columns.addAll(tags);
        if (columns.isEmpty()) {
            throw new BadRequestException(SOURCE + " selected no column but time");
        }

        List<Object[]> rows = new ArrayList<>();
        for (JsonNode one : series) {
            if (!texts(one.path("columns")).equals(selected) || !tagNames(one).equals(tags)) {
                throw new BadRequestException(SOURCE + " answered series with different columns (" + name(first) + " has "
                        + selected + " and tags " + tags + ", " + name(one) + " has " + texts(one.path("columns"))
                        + " and tags " + tagNames(one) + "); select from one measurement");
            }
            limits.checkRows(rows.size() + (long) one.path("values").size(), SOURCE);
            limits.checkCells(rows.size() + (long) one.path("values").size(), columns.size(), SOURCE + "'s rows");
            for (JsonNode values : one.path("values")) {
                Object[] cells = new Object[columns.size()];
                int c = 0;
                for (int i = 0; i < selected.size(); i++) {
                    if (i != timeColumn) {
                        cells[c++] = cell(values.path(i));
                    }
                }
                for (String tag : tags) {
                    cells[c++] = cell(one.path("tags").path(tag));
                }
                rows.add(cells);
            }
        }
        return Table.ofRows(SOURCE, columns, rows);
    }

    /** InfluxDB's {@code {"error": "..."}} of a refused request, or what it sent instead. */
    static String error(byte[] body) {
        try {
            JsonNode node = JsonBodies.parse(body);
            if (node.hasNonNull("error")) {
                return node.path("error").asText();
            }
        } catch (BadRequestException e) {
            // not JSON: shown as it came, shortened
        }
        return Algorithm.abbreviate(new String(body, StandardCharsets.UTF_8).strip());
    }

    /** A value as {@link Table} holds it: numbers as doubles, the rest as text, no value as null. */
    private static Object cell(JsonNode value) {
        if (value.isNumber()) {
            return value.doubleValue();
        }
        if (value.isNull() || value.isMissingNode()) {
            return null;
        }
        return value.asText();
    }

    private static List<String> texts(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(n -> names.add(n.asText()));
        return names;
    }

    private static List<String> tagNames(JsonNode series) {
        List<String> names = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = series.path("tags").fields();
        fields.forEachRemaining(e -> names.add(e.getKey()));
        return names;
    }

    private static String name(JsonNode series) {
        return "'" + series.path("name").asText() + "'" + (series.has("tags") ? " " + series.path("tags") : "");
    }
}
