package io.quiver.server.training;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.server.testing.Wire;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

/** Submits training jobs and follows them, always against a deadline rather than fixed waits. */
final class JobsClient {
    static final Duration DEADLINE = Duration.ofSeconds(60);

    private JobsClient() {
    }

    /** {@code {"model_type": type, "config": config}}. */
    static ObjectNode body(String modelType, ObjectNode config) {
        ObjectNode body = Wire.object();
        body.put("model_type", modelType);
        body.set("config", config);
        return body;
    }

    static ObjectNode config(String algorithm) {
        ObjectNode config = Wire.object();
        config.put("algorithm", algorithm);
        return config;
    }

    /** A linear-regression predicting column y, for the data to be added. */
    static ObjectNode regressionOnY() {
        return config("linear-regression").put("target", "y");
    }

    /** Submits and expects 202 with a queued job and its Location; returns the job id. */
    static String submit(ObjectNode body) {
        Response response = post(body);
        String answer = response.asString();
        assertEquals(202, response.statusCode(), () -> "POST /train answered " + answer);
        JsonNode job = Wire.read(answer);
        String id = job.path("job_id").asText();
        assertEquals("queued", job.path("state").asText(), answer);
        assertEquals(body.path("model_type").asText(), job.path("model_type").asText(), answer);
        assertTrue(response.header("Location").endsWith("/train/" + id), () -> "Location " + response.header("Location"));
        return id;
    }

    static Response post(JsonNode body) {
        return given().contentType(ContentType.JSON).body(Wire.text(body)).when().post("/train");
    }

    static JsonNode job(String id) {
        return Wire.getOk("/train/" + id);
    }

    /** The job once {@code until} holds, failing at the deadline. */
    static JsonNode awaitJob(String id, Predicate<JsonNode> until, Duration deadline) {
        JsonNode[] last = {null};
        try {
            return await().atMost(deadline).until(() -> last[0] = job(id), until::test);
        } catch (ConditionTimeoutException e) {
            return fail("job " + id + " did not get there within " + deadline + ": " + last[0]);
        }
    }

    static JsonNode awaitFinished(String id) {
        return awaitJob(id, JobsClient::finished, DEADLINE);
    }

    /** Waits for the job to finish and expects it to have succeeded; returns it. */
    static JsonNode awaitSuccess(String id) {
        JsonNode job = awaitFinished(id);
        assertEquals("succeeded", job.path("state").asText(), () -> "job failed: " + job);
        return job;
    }

    static boolean finished(JsonNode job) {
        return List.of("succeeded", "failed", "cancelled").contains(job.path("state").asText());
    }

    /** Cancels the job if it is still going and waits until it has stopped. */
    static void stop(String id) {
        if (!finished(job(id))) {
            given().delete("/train/" + id);
        }
        awaitFinished(id);
    }

    /** Submits, waits, expects success and returns the job. */
    static JsonNode train(ObjectNode body) {
        return awaitSuccess(submit(body));
    }

    static JsonNode predict(String modelType, JsonNode data) {
        ObjectNode body = Wire.object();
        body.put("model_type", modelType);
        body.set("data", data);
        return Wire.postOk("/predict", body);
    }

    /**
     * {@code rows} rows {a, b, column} with a and b uniform in [-2, 2], and the class {@code positive}
     * where f(a, b) > 0, else {@code negative}; points within 0.1 of the boundary are left out, so
     * that the classes are cleanly apart.
     */
    static ArrayNode twoClasses(int rows, long seed, DoubleBinaryOperator f, String column, String positive,
                                String negative) {
        Random random = new Random(seed);
        ArrayNode data = Wire.array();
        while (data.size() < rows) {
            double a = random.nextDouble() * 4 - 2;
            double b = random.nextDouble() * 4 - 2;
            double side = f.applyAsDouble(a, b);
            if (Math.abs(side) >= 0.1) {
                data.addObject().put("a", a).put("b", b).put(column, side > 0 ? positive : negative);
            }
        }
        return data;
    }

    /** {@code rows} rows {a, b, y} with a and b uniform in [-2, 2] and y = f(a, b) + N(0, noise). */
    static ArrayNode rows(int rows, long seed, double noise, DoubleBinaryOperator f) {
        Random random = new Random(seed);
        ArrayNode data = Wire.array();
        for (int i = 0; i < rows; i++) {
            double a = random.nextDouble() * 4 - 2;
            double b = random.nextDouble() * 4 - 2;
            ObjectNode row = data.addObject();
            row.put("a", a);
            row.put("b", b);
            row.put("y", f.applyAsDouble(a, b) + noise * random.nextGaussian());
        }
        return data;
    }
}
