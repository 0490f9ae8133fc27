package io.quiver.server.training;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.json.JsonBodies;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Training data as read, before it is checked against what the learner needs: named columns and
 * rows of cells, each a {@link Double} or a {@link String}, or null where a database's answer has
 * no value. A list of numbers reads as one column, {@value #SERIES_COLUMN}.
 */
final class Table {
    static final String SERIES_COLUMN = "value";
    /** Rows as arrays of text, a byte-order mark dropped, spaces around quoted fields allowed. */
    private static final CsvFactory CSV = CsvFactory.builder()
            .enable(CsvParser.Feature.TRIM_SPACES)
            .build();

    private final String source;
    private final List<String> columns;
    private final List<Object[]> rows;
    /** The CSV line of each row, for messages; null for JSON rows, which are counted from 0. */
    private final int[] lines;
    private final boolean numberList;

    private Table(String source, List<String> columns, List<Object[]> rows, int[] lines, boolean numberList) {
        this.source = source;
        this.columns = List.copyOf(columns);
        this.rows = rows;
        this.lines = lines;
        this.numberList = numberList;
    }

    String source() {
        return source;
    }

    List<String> columns() {
        return columns;
    }

    int size() {
        return rows.size();
    }

    Object cell(int row, int column) {
        return rows.get(row)[column];
    }

    /** Whether the data was a plain list of values rather than rows of named columns. */
    boolean numberList() {
        return numberList;
    }

    /** How messages name a row: "row 3" of a JSON list, "line 5" of a CSV file. */
    String where(int row) {
        return (lines == null ? "row " + row : "line " + lines[row]) + (source.equals("config.data") ? "" : " of " + source);
    }

    /** Rows read elsewhere (a database's answer), counted from 0 in messages; a null cell is a missing value. */
    static Table ofRows(String source, List<String> columns, List<Object[]> rows) {
        if (rows.isEmpty()) {
            throw new BadRequestException(source + " is empty");
        }
        return new Table(source, columns, rows, null, false);
    }

    /** A JSON list of row objects, or of values. */
    static Table fromJson(JsonNode data, String source, TrainingLimits limits) {
        if (!data.isArray()) {
            throw new BadRequestException(source + " must be a list of rows (objects) or of numbers, got "
                    + JsonBodies.kind(data));
        }
        if (data.isEmpty()) {
            throw new BadRequestException(source + " is empty");
        }
        limits.checkRows(data.size(), source);
        JsonNode first = data.get(0);
        if (first.isObject()) {
            limits.checkCells(data.size(), first.size(), source + "'s rows");
            return rowObjects(data, source);
        }
        if (first.isValueNode() && !first.isNull()) {
            List<Object[]> values = new ArrayList<>(data.size());
            for (int i = 0; i < data.size(); i++) {
                JsonNode v = data.get(i);
                if (!v.isNumber() && !v.isTextual()) {
                    throw new BadRequestException(source + " value " + i + " must be a number, got " + JsonBodies.kind(v));
                }
                values.add(new Object[] {cellOf(v)});
            }
            return new Table(source, List.of(SERIES_COLUMN), values, null, true);
        }
        throw new BadRequestException(source + " must be a list of rows (objects) or of numbers; its first element is "
                + JsonBodies.kind(first));
    }

    private static Table rowObjects(JsonNode data, String source) {
        List<String> columns = new ArrayList<>();
        data.get(0).fieldNames().forEachRemaining(columns::add);
        if (columns.isEmpty()) {
            throw new BadRequestException(source + " row 0 has no columns");
        }
        Set<String> known = new HashSet<>(columns);
        List<Object[]> rows = new ArrayList<>(data.size());
        for (int r = 0; r < data.size(); r++) {
            JsonNode row = data.get(r);
            String where = "row " + r + (source.equals("config.data") ? "" : " of " + source);
            if (!row.isObject()) {
                throw new BadRequestException(where + " is " + JsonBodies.kind(row) + " but row 0 is an object");
            }
            Object[] cells = new Object[columns.size()];
            for (int c = 0; c < columns.size(); c++) {
                JsonNode v = row.get(columns.get(c));
                if (v == null) {
                    throw new BadRequestException(where + " has no column '" + columns.get(c) + "'; row 0 has " + columns);
                }
                if (!v.isNumber() && !v.isTextual()) {
                    throw new BadRequestException(where + ", column '" + columns.get(c) + "': expected a number or a string, got "
                            + JsonBodies.kind(v));
                }
                cells[c] = cellOf(v);
            }
            if (row.size() != columns.size()) {
                Iterator<String> names = row.fieldNames();
                while (names.hasNext()) {
                    String name = names.next();
                    if (!known.contains(name)) {
                        throw new BadRequestException(where + " has column '" + name + "' that row 0 does not; row 0 has "
                                + columns);
                    }
                }
            }
            rows.add(cells);
        }
        return new Table(source, columns, rows, null, false);
    }

    private static Object cellOf(JsonNode v) {
        if (v.isNumber()) {
            return v.isIntegralNumber() && v.canConvertToLong() ? Double.valueOf(v.longValue()) : Double.valueOf(v.doubleValue());
        }
        return v.textValue();
    }

    /**
     * A CSV file with a header row: comma-separated, fields optionally in double quotes (a quote
     * inside doubled), blank lines ignored. The limits are checked as each row is read, so that an
     * oversized file is refused before it is all in memory as cells.
     */
    static Table fromCsv(byte[] bytes, String source, TrainingLimits limits) {
        List<List<String>> records = new ArrayList<>();
        List<Integer> recordLines = new ArrayList<>();
        int line = 1;
        try (CsvParser parser = CSV.createParser(bytes)) {
            while (parser.nextToken() == JsonToken.START_ARRAY) {
                // Where the parser stands once a row has begun: its first line (the token's own
                // location is the end of the row before).
                line = parser.currentLocation().getLineNr();
                List<String> fields = new ArrayList<>();
                while (parser.nextToken() == JsonToken.VALUE_STRING) {
                    fields.add(parser.getText());
                }
                if (fields.size() == 1 && fields.get(0).isBlank()) {
                    continue;
                }
                records.add(fields);
                recordLines.add(line);
                limits.checkRows(records.size() - 1, source);
                limits.checkCells(records.size() - 1, records.get(0).size(), source + "'s rows");
            }
        } catch (JsonProcessingException e) {
            if (e.getOriginalMessage().startsWith("Missing closing quote")) {
                throw new BadRequestException(source + " line " + line + " has a quoted field that is never closed");
            }
            throw new BadRequestException(source + " line " + line + " is not valid CSV: " + e.getOriginalMessage());
        } catch (CharConversionException e) {
            // The parser reads the bytes as UTF-8 and reports others with this plain IOException.
            throw new BadRequestException(source + " line " + line + " is not UTF-8 text: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (records.isEmpty()) {
            throw new BadRequestException(source + " is empty");
        }
        List<String> header = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String name : records.get(0)) {
            String column = name.trim();
            if (column.isEmpty()) {
                throw new BadRequestException(source + ": column " + (header.size() + 1) + " of the header row has no name");
            }
            if (!seen.add(column)) {
                throw new BadRequestException(source + ": the header row names column '" + column + "' twice");
            }
            header.add(column);
        }
        if (records.size() == 1) {
            throw new BadRequestException(source + " has a header row but no data rows");
        }
        List<Object[]> rows = new ArrayList<>(records.size() - 1);
        int[] lines = new int[records.size() - 1];
        for (int i = 1; i < records.size(); i++) {
            List<String> fields = records.get(i);
            if (fields.size() != header.size()) {
                throw new BadRequestException(source + " line " + recordLines.get(i) + " has " + fields.size()
                        + " fields but the header has " + header.size() + " " + header);
            }
            Object[] cells = new Object[fields.size()];
            for (int c = 0; c < cells.length; c++) {
                cells[c] = fields.get(c).trim();
            }
            rows.add(cells);
            lines[i - 1] = recordLines.get(i);
        }
        return new Table(source, header, rows, lines, false);
    }

    /** JSON or CSV: as {@code format} says, else by the name's extension, else by the first character. */
    static Table fromBytes(byte[] bytes, String format, String name, TrainingLimits limits) {
        String kind = format != null ? format : guessFormat(name, bytes);
        if (kind.equals("json")) {
            JsonNode node;
            try {
                node = JsonBodies.parse(bytes);
            } catch (BadRequestException e) {
                throw new BadRequestException(name + " is not valid JSON: " + e.getMessage());
            }
            return fromJson(node, name, limits);
        }
        return fromCsv(bytes, name, limits);
    }

    private static String guessFormat(String name, byte[] bytes) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        int query = lower.indexOf('?');
        if (query >= 0) {
            lower = lower.substring(0, query);
        }
        if (lower.endsWith(".json")) {
            return "json";
        }
        if (lower.endsWith(".csv")) {
            return "csv";
        }
        for (byte b : bytes) {
            if (!Character.isWhitespace(b) && b != (byte) 0xEF && b != (byte) 0xBB && b != (byte) 0xBF) {
                return b == '[' || b == '{' ? "json" : "csv";
            }
        }
        return "csv";
    }
}
