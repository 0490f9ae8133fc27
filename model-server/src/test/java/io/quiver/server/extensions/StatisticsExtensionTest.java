package io.quiver.server.extensions;

import static io.quiver.server.extensions.TritonClient.namesAndVersions;
import static io.quiver.server.testing.Wire.getOk;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.server.testing.ExtensionsRepository;
import io.restassured.http.ContentType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The statistics extension as perf_analyzer reads it: every field present, counts that match what
 * was sent, durations measured. A request that names a loaded version and then fails, whether its
 * input is refused or its run, counts as a failure of that version.
 */
@QuarkusTest
@WithTestResource(ExtensionsRepository.class)
class StatisticsExtensionTest {
    private static final String[] DURATIONS = {"success", "fail", "queue", "compute_input", "compute_infer",
            "compute_output"};

    @BeforeEach
    void startupLoadingIsDone() throws InterruptedException {
        TritonClient.awaitReady();
    }

    @Test
    void everyFieldIsThereBeforeAnyRequest() {
        JsonNode stat = only(getOk("/v2/models/house_price/versions/1/stats"));
        assertEquals("house_price", stat.path("name").asText());
        assertEquals("1", stat.path("version").asText());
        for (String field : new String[] {"last_inference", "inference_count", "execution_count"}) {
            assertTrue(stat.path(field).isIntegralNumber(), () -> field + " missing in " + stat);
        }
        for (String field : DURATIONS) {
            JsonNode duration = stat.path("inference_stats").path(field);
            assertTrue(duration.path("count").isIntegralNumber() && duration.path("ns").isIntegralNumber(),
                    () -> field + " missing in " + stat);
        }
        assertTrue(stat.path("batch_stats").isArray(), stat::toString);
    }

    @Test
    void successesAndFailuresAreCountedExactly() {
        String model = "fraud_classifier";
        String infer = "/v2/models/" + model + "/versions/1/infer";
        JsonNode before = only(getOk("/v2/models/" + model + "/versions/1/stats"));
        long startedMillis = System.currentTimeMillis();
        int successes = 5;
        int rowsEach = 2;
        for (int i = 0; i < successes; i++) {
            given().contentType(ContentType.JSON).body(fraudRequest(rowsEach, "[" + rowsEach + ", 4]", "FP32"))
                    .post(infer).then().statusCode(200);
        }
        // Refused by validation: a wrong shape, a wrong datatype; refused while decoding: an unknown datatype.
        given().contentType(ContentType.JSON)
                .body("{\"inputs\": [{\"name\": \"features\", \"datatype\": \"FP32\", \"shape\": [1, 3], \"data\": [1, 2, 3]}]}")
                .post(infer).then().statusCode(400);
        given().contentType(ContentType.JSON).body(fraudRequest(1, "[1, 4]", "INT64")).post(infer).then().statusCode(400);
        given().contentType(ContentType.JSON).body(fraudRequest(1, "[1, 4]", "FP99")).post(infer).then().statusCode(400);
        int failures = 3;

        JsonNode stat = only(getOk("/v2/models/" + model + "/versions/1/stats"));
        JsonNode inference = stat.path("inference_stats");
        assertEquals(successes, delta(before, stat, "success"), stat::toString);
        assertEquals(failures, delta(before, stat, "fail"), stat::toString);
        for (String part : new String[] {"queue", "compute_input", "compute_infer", "compute_output"}) {
            assertEquals(successes, delta(before, stat, part), () -> part + " in " + stat);
        }
        assertEquals(successes * rowsEach, stat.path("inference_count").asLong()
                - before.path("inference_count").asLong(), stat::toString);
        assertEquals(successes, stat.path("execution_count").asLong() - before.path("execution_count").asLong(),
                "one client at a time: every request is a run of its own");
        for (String field : DURATIONS) {
            assertTrue(inference.path(field).path("ns").asLong() > 0, () -> field + " has no time in " + stat);
        }
        assertTrue(stat.path("last_inference").asLong() >= startedMillis, stat::toString);
        JsonNode batch = stat.path("batch_stats").get(0);
        assertEquals(rowsEach, batch.path("batch_size").asInt(), stat::toString);
        assertTrue(batch.path("compute_infer").path("count").asLong() >= successes, stat::toString);
    }

    @Test
    void mergedRequestsCountOneExecutionForSeveralInferences() throws Exception {
        String model = "multi_input";
        int clients = 24;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                answers.add(pool.submit(() -> given().contentType(ContentType.JSON).body(MULTI_INPUT_ROW)
                        .post("/v2/models/" + model + "/infer").statusCode()));
            }
            for (Future<Integer> answer : answers) {
                assertEquals(200, answer.get());
            }
        } finally {
            pool.shutdownNow();
        }
        JsonNode stat = only(getOk("/v2/models/" + model + "/stats"));
        long inferences = stat.path("inference_count").asLong();
        long executions = stat.path("execution_count").asLong();
        assertEquals(clients, inferences, stat::toString);
        assertTrue(executions >= 1 && executions <= inferences, stat::toString);
        long rowsRun = 0;
        long runs = 0;
        for (JsonNode batch : stat.path("batch_stats")) {
            rowsRun += batch.path("batch_size").asLong() * batch.path("compute_infer").path("count").asLong();
            runs += batch.path("compute_infer").path("count").asLong();
        }
        assertEquals(inferences, rowsRun, "every row ran exactly once: " + stat);
        assertEquals(executions, runs, stat::toString);
    }

    @Test
    void theStatisticsOfAllModelsListEveryLoadedVersion() {
        JsonNode all = getOk("/v2/models/stats").path("model_stats");
        List<String> ready = namesAndVersions(TritonClient.index("{\"ready\": true}"));
        assertEquals(new HashSet<>(ready), new HashSet<>(namesAndVersions(all)), all::toString);
        assertEquals(ready.size(), all.size(), "each version once: " + all);

        List<String> house = namesAndVersions(getOk("/v2/models/house_price/stats").path("model_stats"));
        assertEquals(List.of("house_price/1", "house_price/2"), house);
    }

    private static final String MULTI_INPUT_ROW = "{\"inputs\": ["
            + "{\"name\": \"a\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1.5, 2]},"
            + "{\"name\": \"b\", \"shape\": [1, 2], \"datatype\": \"INT64\", \"data\": [3, 4]},"
            + "{\"name\": \"c\", \"shape\": [1, 2], \"datatype\": \"INT32\", \"data\": [5, 6]},"
            + "{\"name\": \"d\", \"shape\": [1, 2], \"datatype\": \"FP64\", \"data\": [0.25, 0.5]},"
            + "{\"name\": \"mask\", \"shape\": [1, 2], \"datatype\": \"BOOL\", \"data\": [true, false]}]}";

    private static String fraudRequest(int rows, String shape, String datatype) {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < rows * 4; i++) {
            data.append(i == 0 ? "" : ",").append(i % 7);
        }
        return "{\"inputs\": [{\"name\": \"features\", \"datatype\": \"" + datatype + "\", \"shape\": " + shape
                + ", \"data\": [" + data + "]}]}";
    }

    private static long delta(JsonNode before, JsonNode after, String field) {
        return after.path("inference_stats").path(field).path("count").asLong()
                - before.path("inference_stats").path(field).path("count").asLong();
    }

    private static JsonNode only(JsonNode answer) {
        JsonNode stats = answer.path("model_stats");
        assertEquals(1, stats.size(), answer::toString);
        return stats.get(0);
    }
}
