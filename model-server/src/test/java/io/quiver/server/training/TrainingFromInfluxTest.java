package io.quiver.server.training;

import static io.quiver.server.training.JobsClient.body;
import static io.quiver.server.training.JobsClient.config;
import static io.quiver.server.training.JobsClient.post;
import static io.quiver.server.training.JobsClient.predict;
import static io.quiver.server.training.JobsClient.regressionOnY;
import static io.quiver.server.training.JobsClient.rows;
import static io.quiver.server.training.JobsClient.train;
import static io.quiver.server.training.JobsClient.twoClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.examples.InfluxdProcess;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.InfluxServer;
import io.quiver.server.testing.Wire;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Training rows from InfluxDB queries ({@code config.data_source}), against a real InfluxDB 1.x
 * that the test resource starts with authentication on; the server under test holds its
 * credentials.
 */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
@WithTestResource(InfluxServer.class)
class TrainingFromInfluxTest {

    /** {@code {"type": "influxdb", "database": ..., "query": ...}} on the configured server. */
    private static ObjectNode source(String query) {
        return Wire.object().put("type", "influxdb").put("database", InfluxServer.DATABASE).put("query", query);
    }

    /** One point per row at seconds 0, 1, 2, ... of 1970, as {@code <measurement>[,tag] fields <ms>}. */
    private static void write(String measurement, ArrayNode rows, String tagColumn) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            JsonNode row = rows.get(i);
            StringBuilder line = new StringBuilder(measurement);
            if (tagColumn != null) {
                line.append(',').append(tagColumn).append('=').append(row.path(tagColumn).asText());
            }
            line.append(' ');
            List<String> fields = new ArrayList<>();
            row.fields().forEachRemaining(f -> {
                if (!f.getKey().equals(tagColumn)) {
                    fields.add(f.getKey() + "=" + f.getValue().asDouble());
                }
            });
            line.append(String.join(",", fields)).append(' ').append(i * 1000L);
            lines.add(line.toString());
        }
        InfluxServer.server().write(InfluxServer.DATABASE, lines);
    }

    @Test
    void rowsFromAQueryTrainTheSameModelAsTheSameRowsInline() throws Exception {
        ArrayNode data = rows(300, 21, 0.05, TrainingTabularTest::plane);
        write("plane", data, null);

        JsonNode fromInline = train(body("influx_inline", regressionOnY().set("data", data)));
        JsonNode fromInflux = train(body("influx_plane", regressionOnY().set("data_source", source("SELECT a, b, y FROM plane"))));
        System.out.println("the same rows inline and from InfluxDB: " + fromInline.path("metrics") + " / "
                + fromInflux.path("metrics"));

        assertEquals(fromInline.path("metrics"), fromInflux.path("metrics"));
        assertEquals("InfluxDB training at " + InfluxServer.server().url() + ": SELECT a, b, y FROM plane",
                fromInflux.path("data").asText());
        JsonNode descriptor = Wire.read(Files.readString(ExampleRepository.root().resolve("influx_plane/1/model.json")));
        assertEquals(List.of("a", "b"), TrainingTabularTest.texts(descriptor.path("features")), "time is no feature");
        Random random = new Random(5);
        for (int i = 0; i < 10; i++) {
            double a = random.nextDouble() * 4 - 2;
            double b = random.nextDouble() * 4 - 2;
            JsonNode answer = predict("influx_plane", Wire.object().put("a", a).put("b", b));
            assertEquals(TrainingTabularTest.plane(a, b), answer.path("predictions").get(0).asDouble(), 0.2, answer::toString);
        }
    }

    @Test
    void theTagsOfAGroupByAreColumnsAndCanBeTheClass() {
        ArrayNode data = twoClasses(300, 3, (a, b) -> a - b, "side", "left", "right");
        write("sides", data, "side");
        ObjectNode config = config("logistic-regression");
        config.set("data_source", source("SELECT a, b FROM sides GROUP BY side"));
        config.put("target", "side");
        JsonNode job = train(body("influx_sides", config));
        assertTrue(job.path("metrics").path("accuracy").asDouble() > 0.9, job::toString);

        ArrayNode clear = Wire.array();
        clear.addObject().put("a", 1.5).put("b", -1.5);
        clear.addObject().put("a", -1.0).put("b", 1.8);
        JsonNode answer = predict("influx_sides", clear);
        assertEquals(List.of("left", "right"), TrainingTabularTest.texts(answer.path("labels")), answer::toString);
    }

    @Test
    void timeIsAColumnWhenAFeatureNamesIt() {
        // v rises by 2 every second: a line in time, which only a model reading time can learn.
        ArrayNode data = Wire.array();
        for (int i = 0; i < 100; i++) {
            data.addObject().put("v", 2.0 * i + 1);
        }
        write("ramp", data, null);
        ObjectNode config = config("linear-regression");
        config.set("data_source", source("SELECT v FROM ramp"));
        config.put("target", "v");
        config.set("features", Wire.array().add("time"));
        train(body("influx_ramp", config));
        // At second 50.5 (50500 ms), v is 2 * 50.5 + 1.
        JsonNode answer = predict("influx_ramp", Wire.object().put("time", 50_500));
        assertEquals(102.0, answer.path("predictions").get(0).asDouble(), 1.0, answer::toString);
    }

    @Test
    void aQueryInfluxDbCannotParseIs400WithItsMessage() {
        String error = refused(400, c -> c.set("data_source", source("SELECT a FROM plane WHERE")));
        assertTrue(error.contains("InfluxDB at " + InfluxServer.server().url() + " refused the query: error parsing query"),
                error);
    }

    @Test
    void anUnknownDatabaseIs400NamingIt() {
        String error = refused(400, c -> c.set("data_source", source("SELECT a FROM plane").put("database", "nowhere")));
        assertTrue(error.contains("database not found: nowhere"), error);
    }

    @Test
    void aQueryThatFindsNothingIs400SayingSo() {
        String error = refused(400, c -> c.set("data_source", source("SELECT a, b, y FROM no_such_measurement")));
        assertTrue(error.contains("the InfluxDB query found no rows in database 'training'"), error);
    }

    @Test
    void aMissingValueIs400NamingTheRowAndColumn() {
        ArrayNode data = rows(20, 4, 0, TrainingTabularTest::plane);
        ((ObjectNode) data.get(6)).remove("b");
        write("gaps", data, null);
        String error = refused(400, c -> c.set("data_source", source("SELECT a, b, y FROM gaps")));
        assertTrue(error.contains("row 6 of the InfluxDB query, column 'b' has no value"), error);
    }

    @Test
    void statementsThatWriteAreRefusedAndChangeNothing() {
        write("guarded", rows(20, 8, 0, TrainingTabularTest::plane), null);
        String drop = refused(400, c -> c.set("data_source", source("DROP MEASUREMENT guarded")));
        assertTrue(drop.contains("must be a SELECT statement") && drop.contains("'DROP'"), drop);
        String into = refused(400, c -> c.set("data_source", source("SELECT * INTO copied FROM guarded")));
        assertTrue(into.contains("SELECT ... INTO writes"), into);
        String second = refused(400, c -> c.set("data_source", source("SELECT * FROM guarded; DROP MEASUREMENT guarded")));
        assertTrue(second.contains("must be one statement"), second);

        String guarded = InfluxServer.server().query(InfluxServer.DATABASE, "SELECT count(a) FROM guarded");
        assertTrue(guarded.contains(",20]]"), guarded);
        String copied = InfluxServer.server().query(InfluxServer.DATABASE, "SELECT * FROM copied");
        assertFalse(copied.contains("series"), copied);
    }

    @Test
    void aServerThatIsDownIs502NamingIt() {
        InfluxdProcess gone = new InfluxdProcess();
        String url = gone.url();
        gone.close();
        String error = refused(502, c -> c.set("data_source", source("SELECT a FROM plane").put("url", url)));
        assertTrue(error.contains("InfluxDB at " + url + " cannot be reached"), error);
    }

    @Test
    void anAnswerInfluxDbCutShortIs400RatherThanTrainingOnPartOfTheRows() {
        try (InfluxdProcess capped = new InfluxdProcess(null, null, 15)) {
            capped.createDatabase("capped");
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                lines.add("plane a=" + i + ",b=" + (30 - i) + ",y=" + TrainingTabularTest.plane(i, 30 - i) + " " + i * 1000L);
            }
            capped.write("capped", lines);
            String error = refused(400, c -> c.set("data_source", source("SELECT a, b, y FROM plane")
                    .put("url", capped.url()).put("database", "capped")));
            assertTrue(error.contains("InfluxDB at " + capped.url() + " cut its answer short after 15 rows"), error);
        }
    }

    /** The credentials are the configured server's: another server that asks for some gets none. */
    @Test
    void credentialsGoToTheConfiguredServerOnlyAndAreNeverShown() {
        try (InfluxdProcess other = new InfluxdProcess("someone", "other-secret")) {
            String error = refused(502, c -> c.set("data_source", source("SELECT a FROM plane").put("url", other.url())));
            assertTrue(error.contains("InfluxDB at " + other.url() + " refused the request"), error);
            assertFalse(error.contains(InfluxServer.PASSWORD), error);
        }
        String userinfo = refused(400, c -> c.set("data_source",
                source("SELECT a FROM plane").put("url", "http://quiver:" + InfluxServer.PASSWORD + "@127.0.0.1:1")));
        assertTrue(userinfo.contains("must not hold credentials"), userinfo);
        assertFalse(userinfo.contains(InfluxServer.PASSWORD), userinfo);
    }

    @Test
    void aDataSourceGoesAloneAndWithoutAFormat() {
        String both = refused(400, c -> {
            c.set("data_source", source("SELECT a, b, y FROM plane"));
            c.set("data", rows(20, 1, 0, TrainingTabularTest::plane));
        });
        assertTrue(both.contains("give one of config.data, config.data_uri and config.data_source"), both);
        String format = refused(400, c -> {
            c.set("data_source", source("SELECT a, b, y FROM plane"));
            c.put("format", "csv");
        });
        assertTrue(format.contains("config.format applies to config.data_uri only"), format);
        String type = refused(400, c -> c.set("data_source", source("SELECT a FROM plane").put("type", "postgres")));
        assertTrue(type.contains("config.data_source.type must be 'influxdb', got 'postgres'"), type);
        String typo = refused(400, c -> c.set("data_source", source("SELECT a FROM plane").put("querry", "SELECT b FROM plane")));
        assertTrue(typo.contains("querry"), typo);
        String uri = refused(400, c -> c.put("data_uri", "influx://127.0.0.1:8086/training?query=SELECT%20a%20FROM%20plane"));
        assertTrue(uri.contains("cannot be read from 'influx:' locations") && uri.contains("config.data_source a database query"),
                uri);
    }

    /** Posts a linear-regression on y shaped by {@code edit}, expects {@code status}; the error. */
    private static String refused(int status, Consumer<ObjectNode> edit) {
        ObjectNode config = regressionOnY();
        edit.accept(config);
        Response response = post(body("influx_refused", config));
        String answer = response.asString();
        assertEquals(status, response.statusCode(), answer);
        return Wire.read(answer).path("error").asText();
    }
}
