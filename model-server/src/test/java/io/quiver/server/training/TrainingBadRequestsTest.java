package io.quiver.server.training;

import static io.quiver.server.training.JobsClient.body;
import static io.quiver.server.training.JobsClient.config;
import static io.quiver.server.training.JobsClient.rows;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.Wire;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every kind of bad training request is refused at submission with the status that says what is
 * wrong and a message naming the fault; none of them queues a job or publishes anything.
 */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
class TrainingBadRequestsTest {

    private record Case(String name, int status, String fragment, ObjectNode body) {
    }

    private static ObjectNode tabular(String algorithm, Consumer<ObjectNode> change) {
        ObjectNode config = config(algorithm);
        config.set("data", rows(20, 1, 0, (a, b) -> a + b));
        config.put("target", "y");
        change.accept(config);
        return body("trained_refused", config);
    }

    private static ObjectNode series(Consumer<ObjectNode> change) {
        ObjectNode config = config("linear-autoregression");
        ArrayNode values = Wire.array();
        for (int t = 0; t < 100; t++) {
            values.add(Math.sin(t / 8.0));
        }
        config.set("data", values);
        config.put("window", 8);
        change.accept(config);
        return body("trained_refused", config);
    }

    private static ArrayNode longSeries(int length) {
        ArrayNode values = Wire.array();
        for (int t = 0; t < length; t++) {
            values.add(t % 7);
        }
        return values;
    }

    private static ArrayNode rowsWith(Consumer<ArrayNode> change) {
        ArrayNode data = rows(20, 1, 0, (a, b) -> a + b);
        change.accept(data);
        return data;
    }

    @TestFactory
    Stream<DynamicTest> badTrainingRequestsAreRefusedWithTheirReason() throws Exception {
        Path csv = ExampleRepository.extraRoot().resolve("training/ragged.csv");
        Files.createDirectories(csv.getParent());
        StringBuilder ragged = new StringBuilder("a,b,y\n");
        for (int i = 0; i < 20; i++) {
            ragged.append(i).append(',').append(i).append(',').append(i).append('\n');
        }
        ragged.append("1,2\n");
        Files.writeString(csv, ragged);
        Path outside = ExampleRepository.outside().resolve("data.csv");
        Files.writeString(outside, "a,y\n1,2\n");

        ArrayNode tooMany = Wire.array();
        for (int i = 0; i <= 100_000; i++) {
            tooMany.addObject().put("a", i).put("y", i);
        }
        List<Case> cases = new ArrayList<>(List.of(
                new Case("empty data", 400, "config.data is empty", tabular("linear-regression", c -> c.set("data", Wire.array()))),
                new Case("a word in a numeric column", 400, "row 3, column 'a': 'many' is not a number",
                        tabular("linear-regression", c -> c.set("data", rowsWith(d -> ((ObjectNode) d.get(3)).put("a", "many"))))),
                new Case("a word as a regression target", 400, "row 4, column 'y': 'high' is not a number",
                        tabular("linear-regression", c -> c.set("data", rowsWith(d -> ((ObjectNode) d.get(4)).put("y", "high"))))),
                new Case("a null value", 400, "row 2, column 'b': expected a number or a string, got null",
                        tabular("linear-regression", c -> c.set("data", rowsWith(d -> ((ObjectNode) d.get(2)).putNull("b"))))),
                new Case("a row missing a column", 400, "row 5 has no column 'b'",
                        tabular("linear-regression", c -> c.set("data", rowsWith(d -> ((ObjectNode) d.get(5)).remove("b"))))),
                new Case("a row with an extra column", 400, "row 6 has column 'c' that row 0 does not",
                        tabular("linear-regression", c -> c.set("data", rowsWith(d -> ((ObjectNode) d.get(6)).put("c", 1))))),
                new Case("a row that is not an object", 400, "row 1 is a number but row 0 is an object",
                        tabular("linear-regression", c -> c.set("data", rowsWith(d -> d.set(1, Wire.JSON.getNodeFactory().numberNode(3)))))),
                new Case("no target", 400, "config.target is required", tabular("linear-regression", c -> c.remove("target"))),
                new Case("a target that is not a column", 400, "config.target 'price' is not a column",
                        tabular("linear-regression", c -> c.put("target", "price"))),
                new Case("more rows than max-rows", 400, "more than 100000 rows",
                        tabular("linear-regression", c -> c.set("data", tooMany))),
                new Case("too few rows", 400, "has 4 rows; at least 10 are needed",
                        tabular("linear-regression", c -> c.set("data", rows(4, 1, 0, (a, b) -> a)))),
                new Case("an unknown algorithm", 400,
                        "unknown algorithm 'lstm'; known: linear-regression, logistic-regression, factorization-machine, linear-autoregression",
                        tabular("lstm", c -> { })),
                new Case("no algorithm", 400, "config.algorithm is required", tabular("linear-regression", c -> c.remove("algorithm"))),
                new Case("an unknown hyperparameter", 400, "unknown hyperparameter 'epoch' for linear-regression",
                        tabular("linear-regression", c -> c.set("hyperparameters", Wire.object().put("epoch", 3)))),
                new Case("factors for a linear model", 400, "unknown hyperparameter 'factors' for linear-regression",
                        tabular("linear-regression", c -> c.set("hyperparameters", Wire.object().put("factors", 3)))),
                new Case("zero epochs", 400, "hyperparameter 'epochs' must be between 1 and 100000, got 0",
                        tabular("linear-regression", c -> c.set("hyperparameters", Wire.object().put("epochs", 0)))),
                new Case("a negative learning rate", 400, "hyperparameter 'learning_rate' must be a number above 0",
                        tabular("factorization-machine", c -> c.set("hyperparameters", Wire.object().put("learning_rate", -1)))),
                new Case("an unknown config field", 400, "config has unknown field 'targte'",
                        tabular("linear-regression", c -> c.put("targte", "y"))),
                new Case("a feature that is not a column", 400, "config.features names 'c', which is not a column",
                        tabular("linear-regression", c -> c.set("features", Wire.array().add("a").add("c")))),
                new Case("the target as a feature", 400, "config.features names the target 'y'",
                        tabular("linear-regression", c -> c.set("features", Wire.array().add("a").add("y")))),
                new Case("a window for a tabular learner", 400, "config.window applies to series forecasters",
                        tabular("linear-regression", c -> c.put("window", 3))),
                new Case("one class", 400, "has only the class [same]; classification needs at least two",
                        tabular("logistic-regression", c -> c.set("data", rowsWith(d -> d.forEach(r -> ((ObjectNode) r).put("y", "same")))))),
                new Case("a fractional class", 400, "0.5 is not a class; classes are strings or integers",
                        tabular("logistic-regression", c -> c.set("data", rowsWith(d -> d.forEach(r -> ((ObjectNode) r).put("y", 0.5)))))),
                new Case("both data and data_uri", 400, "give one of config.data, config.data_uri and config.data_source",
                        tabular("linear-regression", c -> c.put("data_uri", csv.toString()))),
                new Case("no data", 400, "config.data (a list of rows, or of numbers for a series), config.data_uri",
                        tabular("linear-regression", c -> c.remove("data"))),
                new Case("a ragged CSV line", 400, "line 22 has 2 fields but the header has 3",
                        tabular("linear-regression", c -> { c.remove("data"); c.put("data_uri", csv.toString()); })),
                new Case("a data file that does not exist", 400, "config.data_uri: no file at",
                        tabular("linear-regression", c -> { c.remove("data"); c.put("data_uri", csv.resolveSibling("none.csv").toString()); })),
                new Case("a data file outside the roots", 403, "outside the allowed model roots",
                        tabular("linear-regression", c -> { c.remove("data"); c.put("data_uri", outside.toString()); })),
                new Case("a data path with ..", 400, "must not contain '..'",
                        tabular("linear-regression", c -> { c.remove("data"); c.put("data_uri", csv.getParent() + "/../training/ragged.csv"); })),
                new Case("an ftp data URL", 400, "training data cannot be read from 'ftp:' locations",
                        tabular("linear-regression", c -> { c.remove("data"); c.put("data_uri", "ftp://example.com/data.csv"); })),
                new Case("a model registry location as data", 400, "cannot be read from 'models:' locations (a model registry "
                        + "holds models, not data sets); config.data_uri takes a path, a file: URI, an http(s): URL or an s3://",
                        tabular("linear-regression", c -> { c.remove("data"); c.put("data_uri", "models:/houses/1"); })),
                new Case("an MLflow run's artifact as data", 400, "cannot be read from 'runs:' locations (an MLflow artifact is read from where it is stored",
                        tabular("linear-regression", c -> { c.remove("data"); c.put("data_uri", "runs:/0a1b2c/data.csv"); })),
                new Case("window 0", 400, "config.window must be between 1 and 10000, got 0", series(c -> c.put("window", 0))),
                new Case("horizon 0", 400, "config.horizon must be between 1 and 1000, got 0", series(c -> c.put("horizon", 0))),
                new Case("no window", 400, "config.window is required for linear-autoregression", series(c -> c.remove("window"))),
                new Case("a series too short for its window", 400,
                        "a series of 100 values is too short for window 95 and horizon 1: at least 105 are needed",
                        series(c -> c.put("window", 95))),
                new Case("more values than max-cells", 400,
                        "the training windows hold 1000 x 5001 = 5001000 values, more than quiver.training.max-cells (2000000) allows",
                        series(c -> { c.set("data", longSeries(6000)); c.put("window", 5000); })),
                new Case("a word in a series", 400, "config.data value 7 must be a number, got a boolean",
                        series(c -> ((ArrayNode) c.get("data")).set(7, Wire.JSON.getNodeFactory().booleanNode(true)))),
                new Case("a series for a tabular learner", 400, "linear-regression trains on rows of named columns, but config.data is a list of numbers",
                        series(c -> { c.put("algorithm", "linear-regression"); c.remove("window"); })),
                new Case("features for a forecaster", 400, "config.features does not apply to linear-autoregression",
                        series(c -> c.set("features", Wire.array().add("value"))))));
        cases.add(new Case("a model_type that is not a model name", 400, "model_type '../escape' may hold only letters",
                withModelType(tabular("linear-regression", c -> { }), "../escape")));
        cases.add(new Case("no model_type", 400, "field 'model_type' is required", without(tabular("linear-regression", c -> { }), "model_type")));
        cases.add(new Case("no config", 400, "field 'config' is required", without(tabular("linear-regression", c -> { }), "config")));
        cases.add(new Case("config not an object", 400, "field 'config' must be an object, got an array",
                withConfig(tabular("linear-regression", c -> { }), Wire.array())));

        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Response response = JobsClient.post(c.body());
            String answer = response.asString();
            assertEquals(c.status(), response.statusCode(), () -> c.name() + " answered " + answer);
            String error = Wire.read(answer).path("error").asText();
            assertTrue(error.contains(c.fragment()), () -> c.name() + ": expected '" + c.fragment() + "' in: " + error);
        }));
    }

    private static ObjectNode withModelType(ObjectNode body, String type) {
        return body.put("model_type", type);
    }

    private static ObjectNode without(ObjectNode body, String field) {
        body.remove(field);
        return body;
    }

    private static ObjectNode withConfig(ObjectNode body, JsonNode config) {
        body.set("config", config);
        return body;
    }

    @Test
    void refusedRequestsQueueNothingAndPublishNothing() {
        given().get("/train").then().statusCode(200)
                .body("jobs.model_type", org.hamcrest.Matchers.not(hasItem("trained_refused")));
        assertFalse(Files.exists(ExampleRepository.root().resolve("trained_refused")));
    }

    @Test
    void unknownJobsAre404AndFinishedJobsCannotBeCancelled() {
        given().get("/train/no-such-job").then().statusCode(404).body("error", containsString("no training job 'no-such-job'"));
        given().delete("/train/no-such-job").then().statusCode(404);

        ObjectNode config = config("linear-regression");
        config.set("data", rows(50, 2, 0, (a, b) -> a - b));
        config.put("target", "y");
        String id = JobsClient.submit(body("trained_finished", config));
        JobsClient.awaitSuccess(id);
        given().delete("/train/" + id).then().statusCode(409)
                .body("error", containsString("has already succeeded; only a queued or running job can be cancelled"));
        given().get("/train").then().statusCode(200).body("jobs.job_id", hasItem(id));
        given().get("/train/" + id).then().statusCode(200).body("state", equalTo("succeeded"));
    }

    @Test
    void dataThatFailsOnlyWhenFetchedFailsTheJobWithTheReason() {
        ObjectNode config = config("linear-regression");
        config.put("data_uri", "http://127.0.0.1:9/nothing-listens-here.csv");
        config.put("target", "y");
        String id = JobsClient.submit(body("trained_unfetchable", config));
        JsonNode job = JobsClient.awaitFinished(id);
        assertEquals("failed", job.path("state").asText(), job::toString);
        assertTrue(job.path("error").asText().contains("fetching http://127.0.0.1:9/nothing-listens-here.csv failed"),
                job::toString);
        assertFalse(job.has("version"), job::toString);
        given().contentType(ContentType.JSON).get("/health").then().statusCode(200);
    }
}
