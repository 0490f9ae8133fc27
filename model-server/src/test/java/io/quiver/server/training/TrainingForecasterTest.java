package io.quiver.server.training;

import static io.quiver.server.training.JobsClient.body;
import static io.quiver.server.training.JobsClient.config;
import static io.quiver.server.training.JobsClient.predict;
import static io.quiver.server.training.JobsClient.train;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
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
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The series forecaster on sin(t/8): it must beat the naive last-value forecast on the held-out
 * windows, and the served model must forecast from the last window of whatever series it is sent.
 */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
class TrainingForecasterTest {
    static final int POINTS = 400;

    static double sine(int t) {
        return Math.sin(t / 8.0);
    }

    static ArrayNode series(int from, int to) {
        ArrayNode values = Wire.array();
        for (int t = from; t < to; t++) {
            values.add(sine(t));
        }
        return values;
    }

    static ObjectNode forecaster(int window, Integer horizon) {
        ObjectNode config = config("linear-autoregression");
        config.set("data", series(0, POINTS));
        config.put("window", window);
        if (horizon != null) {
            config.put("horizon", horizon);
        }
        return config;
    }

    @Test
    void aForecasterBeatsTheLastValueAndForecastsTheNextValue() throws Exception {
        JsonNode job = train(body("trained_sine", forecaster(8, null)));
        JsonNode metrics = job.path("metrics");
        System.out.println("linear-autoregression on sin(t/8), window 8: " + metrics);
        assertTrue(metrics.path("rmse").asDouble() < metrics.path("naive_rmse").asDouble(), metrics::toString);
        assertTrue(metrics.path("naive_rmse").asDouble() > 0.05, metrics::toString);

        JsonNode descriptor = Wire.read(Files.readString(ExampleRepository.root().resolve("trained_sine/1/model.json")));
        assertEquals("window", descriptor.path("input_layout").asText());
        assertEquals(8, descriptor.path("window").asInt());
        assertEquals(1, descriptor.path("horizon").asInt());

        // The whole series: the model reads its last 8 values.
        JsonNode answer = predict("trained_sine", series(0, POINTS));
        assertEquals(sine(POINTS), answer.path("predictions").get(0).asDouble(), 0.02, answer::toString);
        // Exactly one window, elsewhere on the curve.
        JsonNode other = predict("trained_sine", series(1000, 1008));
        assertEquals(sine(1008), other.path("predictions").get(0).asDouble(), 0.02, other::toString);
        // Several series at once, each forecast from its own last window.
        ArrayNode two = Wire.array();
        two.add(series(0, 50));
        two.add(series(10, 70));
        JsonNode both = predict("trained_sine", two);
        assertEquals(sine(50), both.path("predictions").get(0).asDouble(), 0.02, both::toString);
        assertEquals(sine(70), both.path("predictions").get(1).asDouble(), 0.02, both::toString);

        given().contentType(ContentType.JSON)
                .body(Wire.text(Wire.object().put("model_type", "trained_sine").set("data", series(0, 5))))
                .post("/predict").then().statusCode(400)
                .body("error", containsString("has 5 values but the model forecasts from the last 8"));
    }

    @Test
    void aWindowLayoutWithoutItsWindowIsRefusedAtLoad() throws Exception {
        java.nio.file.Path dir = ExampleRepository.extraRoot().resolve("windowless/1");
        Files.createDirectories(dir);
        Files.copy(ExampleRepository.extraRoot().resolve("house_price/1/model.onnx"), dir.resolve("model.onnx"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("model.json"), "{\"input_layout\": \"window\"}");
        given().contentType(ContentType.JSON)
                .body(Wire.text(Wire.object().put("model_id", "windowless").put("registry_uri", dir.toString())))
                .post("/v1/models/load").then().statusCode(400)
                .body("error", containsString("input_layout 'window' needs 'window'"));
        Files.writeString(dir.resolve("model.json"), "{\"input_layout\": \"window\", \"window\": 0}");
        given().contentType(ContentType.JSON)
                .body(Wire.text(Wire.object().put("model_id", "windowless").put("registry_uri", dir.toString())))
                .post("/v1/models/load").then().statusCode(400)
                .body("error", containsString("window must be at least 1"));
    }

    @Test
    void aHorizonOfThreeForecastsThreeValues() {
        JsonNode job = train(body("trained_sine_3", forecaster(12, 3)));
        JsonNode metrics = job.path("metrics");
        System.out.println("linear-autoregression on sin(t/8), window 12, horizon 3: " + metrics);
        assertTrue(metrics.path("rmse").asDouble() < metrics.path("naive_rmse").asDouble(), metrics::toString);

        JsonNode answer = predict("trained_sine_3", series(0, POINTS));
        JsonNode forecast = answer.path("predictions").get(0);
        assertEquals(3, forecast.size(), answer::toString);
        for (int step = 0; step < 3; step++) {
            assertEquals(sine(POINTS + step), forecast.get(step).asDouble(), 0.03, answer::toString);
        }
        given().get("/v2/models/trained_sine_3").then().statusCode(200)
                .body("inputs[0].shape", equalTo(List.of(-1, 12)))
                .body("outputs[0].shape", equalTo(List.of(-1, 3)));
    }
}
