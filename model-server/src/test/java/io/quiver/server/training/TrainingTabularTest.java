package io.quiver.server.training;

import static io.quiver.server.training.JobsClient.body;
import static io.quiver.server.training.JobsClient.config;
import static io.quiver.server.training.JobsClient.predict;
import static io.quiver.server.training.JobsClient.rows;
import static io.quiver.server.training.JobsClient.train;
import static io.quiver.server.training.JobsClient.twoClasses;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.Wire;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Learners on rows of features: each trained model is published, served, and right on new rows. */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
class TrainingTabularTest {

    static double plane(double a, double b) {
        return 3 * a - 2 * b + 1;
    }

    @Test
    void linearRegressionLearnsAPlaneAndIsServedAsTheNextVersion() throws Exception {
        ObjectNode config = config("linear-regression");
        config.set("data", rows(500, 1, 0.05, TrainingTabularTest::plane));
        config.put("target", "y");
        JsonNode job = train(body("trained_plane", config));
        System.out.println("linear-regression on y = 3a - 2b + 1 + noise: " + job.path("metrics"));

        assertEquals("1", job.path("version").asText(), job::toString);
        assertEquals(1.0, job.path("progress").asDouble(), job::toString);
        assertEquals(job.path("epochs").asInt(), job.path("epoch").asInt(), job::toString);
        assertTrue(job.path("metrics").path("r2").asDouble() > 0.95, job::toString);
        assertTrue(job.path("metrics").path("rmse").asDouble() < 0.2, job::toString);
        assertEquals(100, job.path("metrics").path("test_rows").asInt(), job::toString);
        assertEquals(400, job.path("metrics").path("train_rows").asInt(), job::toString);
        for (String field : List.of("submitted_at", "started_at", "finished_at")) {
            assertTrue(job.path(field).isTextual(), () -> field + " in " + job);
        }

        Path version = ExampleRepository.root().resolve("trained_plane/1");
        assertTrue(Files.isRegularFile(version.resolve("model.onnx")));
        JsonNode descriptor = Wire.read(Files.readString(version.resolve("model.json")));
        assertEquals("trained_plane", descriptor.path("model_type").asText());
        assertEquals("linear-regression", descriptor.path("algorithm").asText());
        assertEquals(List.of("a", "b"), List.of(descriptor.path("features").get(0).asText(),
                descriptor.path("features").get(1).asText()));
        assertEquals(job.path("metrics"), descriptor.path("metrics"));

        given().get("/v2/models/trained_plane").then().statusCode(200).body("versions", equalTo(List.of("1")));
        Random random = new Random(99);
        for (int i = 0; i < 20; i++) {
            double a = random.nextDouble() * 4 - 2;
            double b = random.nextDouble() * 4 - 2;
            ObjectNode row = Wire.object().put("b", b).put("a", a);
            JsonNode answer = predict("trained_plane", row);
            assertEquals("1", answer.path("model_version").asText());
            double predicted = answer.path("predictions").get(0).asDouble();
            assertEquals(plane(a, b), predicted, 0.2, () -> "a=" + a + " b=" + b + ": " + answer);
        }

        // Training again publishes version 2, which becomes latest.
        JsonNode again = train(body("trained_plane", config));
        assertEquals("2", again.path("version").asText(), again::toString);
        assertEquals("2", predict("trained_plane", Wire.object().put("a", 1).put("b", 1)).path("model_version").asText());
    }

    @Test
    void logisticRegressionSeparatesTwoClasses() {
        ArrayNode data = twoClasses(400, 7, (a, b) -> a + b - 0.5, "side", "above", "below");
        ObjectNode config = config("logistic-regression");
        config.set("data", data);
        config.put("target", "side");
        JsonNode job = train(body("trained_sides", config));
        System.out.println("logistic-regression on a + b > 0.5: " + job.path("metrics"));
        assertTrue(job.path("metrics").path("accuracy").asDouble() > 0.9, job::toString);

        ArrayNode clear = Wire.array();
        clear.addObject().put("a", 2).put("b", 1.5);
        clear.addObject().put("a", -1.5).put("b", -2);
        clear.addObject().put("a", 1.8).put("b", -0.2);
        clear.addObject().put("a", -0.5).put("b", -0.5);
        JsonNode answer = predict("trained_sides", clear);
        assertEquals(List.of("above", "below", "above", "below"), texts(answer.path("labels")), answer::toString);
        assertTrue(answer.path("outputs").has("probabilities"), answer::toString);
    }

    @Test
    void aFactorizationMachineFitsAnInteractionThatALinearModelCannot() {
        ArrayNode data = rows(600, 3, 0.01, (a, b) -> a * b);
        ObjectNode fm = config("factorization-machine");
        fm.set("data", data);
        fm.put("target", "y");
        ObjectNode linear = config("linear-regression");
        linear.set("data", data);
        linear.put("target", "y");
        JsonNode fmJob = train(body("trained_product_fm", fm));
        JsonNode linearJob = train(body("trained_product_linear", linear));
        double fmRmse = fmJob.path("metrics").path("rmse").asDouble();
        double linearRmse = linearJob.path("metrics").path("rmse").asDouble();
        System.out.println("y = a*b: factorization-machine " + fmJob.path("metrics") + "; linear-regression "
                + linearJob.path("metrics"));
        assertTrue(fmRmse < linearRmse / 5, () -> "factorization machine RMSE " + fmRmse + ", linear " + linearRmse);
        assertTrue(fmJob.path("metrics").path("r2").asDouble() > 0.95, fmJob::toString);

        JsonNode answer = predict("trained_product_fm", Wire.object().put("a", 1.5).put("b", -1.2));
        assertEquals(-1.8, answer.path("predictions").get(0).asDouble(), 0.2, answer::toString);
    }

    @Test
    void aCsvFileTrainsTheSameModelAsTheSameRowsInline() throws Exception {
        ArrayNode data = rows(300, 11, 0.05, TrainingTabularTest::plane);
        StringBuilder csv = new StringBuilder("y,a,b\n");
        for (JsonNode row : data) {
            csv.append(row.path("y").asDouble()).append(',').append(row.path("a").asDouble()).append(',')
                    .append(row.path("b").asDouble()).append('\n');
        }
        Path file = ExampleRepository.extraRoot().resolve("training/plane.csv");
        Files.createDirectories(file.getParent());
        Files.writeString(file, csv);
        Path json = ExampleRepository.extraRoot().resolve("training/plane.json");
        Files.writeString(json, Wire.text(data));

        ObjectNode inline = config("linear-regression");
        inline.set("data", data);
        inline.put("target", "y");
        ObjectNode fromCsv = config("linear-regression");
        fromCsv.put("data_uri", file.toString());
        fromCsv.put("target", "y");
        ObjectNode fromJson = config("linear-regression");
        fromJson.put("data_uri", json.toUri().toString());
        fromJson.put("target", "y");

        JsonNode a = train(body("trained_inline", inline));
        JsonNode b = train(body("trained_csv", fromCsv));
        JsonNode c = train(body("trained_json", fromJson));
        System.out.println("the same rows inline, as CSV and as JSON: " + a.path("metrics") + " / " + b.path("metrics")
                + " / " + c.path("metrics"));
        assertEquals(a.path("metrics"), b.path("metrics"));
        assertEquals(a.path("metrics"), c.path("metrics"));
        ObjectNode point = Wire.object().put("a", 0.3).put("b", -1.1);
        double expected = predict("trained_inline", point).path("predictions").get(0).asDouble();
        assertEquals(expected, predict("trained_csv", point).path("predictions").get(0).asDouble(), 0.0);
        assertEquals(expected, predict("trained_json", point).path("predictions").get(0).asDouble(), 0.0);
        assertEquals(file.toString(), b.path("data").asText());
    }

    @Test
    void chosenFeaturesAreTheOnlyOnesAndInTheirOrder() throws Exception {
        ArrayNode data = rows(200, 5, 0.01, (a, b) -> 2 * a);
        data.forEach(row -> ((ObjectNode) row).put("noise", 1.0));
        ObjectNode config = config("linear-regression");
        config.set("data", data);
        config.put("target", "y");
        config.set("features", Wire.array().add("b").add("a"));
        train(body("trained_chosen", config));
        JsonNode descriptor = Wire.read(Files.readString(ExampleRepository.root().resolve("trained_chosen/1/model.json")));
        assertEquals(List.of("b", "a"), texts(descriptor.path("features")));
        given().get("/v2/models/trained_chosen").then().statusCode(200).body("inputs[0].shape", equalTo(List.of(-1, 2)));
        // Rows as arrays follow the features' order.
        JsonNode answer = predict("trained_chosen", Wire.array(0.0, 1.5));
        assertEquals(3.0, answer.path("predictions").get(0).asDouble(), 0.1, answer::toString);
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }
}
