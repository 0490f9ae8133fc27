package io.quiver.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.common.error.BadRequestException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a training CSV file reads: what users put in files, and what they are told when it is wrong. */
class CsvTablesTest {
    private static final TrainingLimits ROOMY = new TrainingLimits(1_000, 10_000);

    private static Table csv(String text) {
        return csv(text, ROOMY);
    }

    private static Table csv(String text, TrainingLimits limits) {
        return Table.fromCsv(text.getBytes(StandardCharsets.UTF_8), "data.csv", limits);
    }

    private static List<List<Object>> cells(Table table) {
        List<List<Object>> rows = new ArrayList<>();
        for (int r = 0; r < table.size(); r++) {
            List<Object> row = new ArrayList<>();
            for (int c = 0; c < table.columns().size(); c++) {
                row.add(table.cell(r, c));
            }
            rows.add(row);
        }
        return rows;
    }

    private static String refusal(String text) {
        return refusal(text, ROOMY);
    }

    private static String refusal(String text, TrainingLimits limits) {
        return assertThrows(BadRequestException.class, () -> csv(text, limits)).getMessage();
    }

    @Test
    void aHeaderAndRowsReadAsTrimmedTextCells() {
        Table table = csv("\uFEFF a , b,c\n1, 2 ,x\r\n3,4,  y  \r5,6,z");
        assertEquals(List.of("a", "b", "c"), table.columns());
        assertEquals(List.of(List.of("1", "2", "x"), List.of("3", "4", "y"), List.of("5", "6", "z")), cells(table));
        assertEquals("line 2 of data.csv", table.where(0));
        assertEquals("line 4 of data.csv", table.where(2));
    }

    @Test
    void quotedFieldsMayHoldCommasQuotesAndLineBreaks() {
        Table table = csv("name,note\n\"Smith, J\",\"said \"\"hi\"\"\"\n \"two\nlines\",plain \"quote\"\nlast,\"\"\n");
        assertEquals(List.of(List.of("Smith, J", "said \"hi\""), List.of("two\nlines", "plain \"quote\""),
                List.of("last", "")), cells(table));
        assertEquals("line 3 of data.csv", table.where(1));
        assertEquals("line 5 of data.csv", table.where(2), "a line break inside quotes counts as a line");
    }

    @Test
    void blankLinesAreSkippedAndCountedAsLines() {
        Table table = csv("a,b\n\n1,2\n   \n\r\n3,4\n\n");
        assertEquals(List.of(List.of("1", "2"), List.of("3", "4")), cells(table));
        assertEquals("line 3 of data.csv", table.where(0));
        assertEquals("line 6 of data.csv", table.where(1));
    }

    @Test
    void emptyTrailingFieldsCount() {
        assertEquals(List.of(List.of("1", "", "")), cells(csv("a,b,c\n1,,\n")));
    }

    @Test
    void whatIsWrongIsSaidWithItsLine() {
        assertEquals("data.csv is empty", refusal(""));
        assertEquals("data.csv is empty", refusal("\n \n"));
        assertEquals("data.csv has a header row but no data rows", refusal("a,b\n"));
        assertEquals("data.csv: column 2 of the header row has no name", refusal("a, ,c\n1,2,3"));
        assertEquals("data.csv: the header row names column 'a' twice", refusal("a,b, a\n1,2,3"));
        assertEquals("data.csv line 4 has 2 fields but the header has 3 [a, b, c]", refusal("a,b,c\n1,2,3\n\n4,5\n"));
        assertEquals("data.csv line 3 has 4 fields but the header has 3 [a, b, c]", refusal("a,b,c\n1,2,3\n4,5,6,7"));
        assertEquals("data.csv line 3 has a quoted field that is never closed", refusal("a,b\n1,2\n3,\"open\n4,5\n"));
        assertTrue(refusal("a,b\n\"ab\"cd,2\n").startsWith("data.csv line 2 is not valid CSV: "),
                "text after a closing quote is not CSV (RFC 4180)");
    }

    @Test
    void theLimitsHoldWhileReading() {
        assertEquals("data.csv has more than 2 rows, the most quiver.training.max-rows allows",
                refusal("a\n1\n2\n3\n", new TrainingLimits(2, 100)));
        assertEquals("data.csv's rows hold 3 x 2 = 6 values, more than quiver.training.max-cells (5) allows",
                refusal("a,b\n1,2\n3,4\n5,6\n", new TrainingLimits(100, 5)));
    }
}
