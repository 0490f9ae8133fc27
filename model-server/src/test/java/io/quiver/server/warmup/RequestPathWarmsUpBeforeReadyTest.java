package io.quiver.server.warmup;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quiver.server.testing.WarmupRepository;
import io.quiver.server.testing.Wire;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * With {@code quiver.warmup.http-duration} set, the model-server sends itself inference requests
 * over HTTP (and gRPC calls) before it reports ready, to every model loaded at start, every datatype among them. A
 * user sees it in {@code quiver_warmup_requests_total} and in nothing else: no request, execution
 * or HTTP metric, no statistic counts those requests, while a client's request (even one that
 * sends the marking header with a guessed token) counts as it always has.
 */
@QuarkusTest
@TestProfile(RequestPathWarmsUpBeforeReadyTest.OneSecondOfRequests.class)
@WithTestResource(WarmupRepository.class)
class RequestPathWarmsUpBeforeReadyTest {

    public static class OneSecondOfRequests implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The test profile turns it off for every other test (application.properties).
            return Map.of("%test.quiver.warmup.http-duration", "1s");
        }
    }

    @Inject
    RequestPathWarmup warmup;

    /** The inference requests in Quarkus' HTTP metrics (the other calls to /v2/models/{name}/... are GETs). */
    private static final String INFER_REQUESTS =
            "http_server_requests_seconds_count\\{[^}]*method=\"POST\"[^}]*uri=\"/v2/models/\\{name}\"[^}]*}";

    @Test
    void warmupRequestsAreAnsweredBeforeReadyAndCountedNowhereElse() {
        Wire.awaitReady();
        String metrics = metrics();
        // Counted once it is over, so already there at the first ready.
        double answered = sample(metrics, "quiver_warmup_requests_total\\{[^}]*outcome=\"answered\"[^}]*}");
        double failed = sample(metrics, "quiver_warmup_requests_total\\{[^}]*outcome=\"failed\"[^}]*}");
        // How many depends on the machine's speed; at least a few per model (14 answer, 2 forms each).
        assertTrue(answered >= 28, "warm-up requests answered before ready: " + answered);
        // pairs refuses its generated input, so each of its eight requests (two paths, binary and
        // three JSON styles) fails and leaves the rotation, at most once per sender, and so may each
        // of its two gRPC calls (to the version and to the model) once; every other model answers
        // every form, JSON of every datatype among them.
        assertTrue(failed >= 8 && failed <= 18, "warm-up requests failed: " + failed);
        assertEquals(Set.of(WarmupRepository.PAIRS + ":1"), warmup.lastOutcome().refused());
        // gRPC's ModelInfer among them, on the port gRPC is served at, the tensors as raw contents.
        assertTrue(warmup.lastOutcome().grpcAnswered() >= 1, () -> "no warm-up gRPC call answered: " + warmup.lastOutcome());

        for (JsonNode entry : Wire.postOk("/v2/repository/index", Wire.object())) {
            if (!"READY".equals(entry.path("state").asText())) {
                continue;
            }
            String name = entry.path("name").asText();
            JsonNode stats = Wire.getOk("/v2/models/" + name + "/stats").path("model_stats").get(0);
            assertEquals(0, stats.path("inference_count").asLong(), () -> name + ": " + stats);
            assertEquals(0, stats.path("execution_count").asLong(), () -> name + ": " + stats);
            assertEquals(0, stats.path("inference_stats").path("fail").path("count").asLong(), () -> name + ": " + stats);
        }
        // The version meters exist from the load on, at zero; the HTTP metrics' series only once a request counts.
        assertEquals(0.0, sample(metrics, "quiver_inference_seconds_count\\{[^}]*}"), "warm-up requests counted as requests");
        assertEquals(0.0, sample(metrics, "quiver_batch_rows_count\\{[^}]*}"), "warm-up runs counted as batches");
        assertEquals(0.0, sample(metrics, INFER_REQUESTS),
                "warm-up requests counted in the HTTP metrics");

        // A client cannot hide its requests by sending the header: without the server's token it counts.
        given().header(RequestPathWarmup.HEADER, "0123456789abcdef0123456789abcdef").contentType("application/json")
                .body("{\"inputs\": [{\"name\": \"features\", \"shape\": [1, 3], \"datatype\": \"FP32\","
                        + " \"data\": [1200.0, 3.0, 10.0]}]}")
                .post("/v2/models/house_price/versions/1/infer").then().statusCode(200);
        JsonNode stats = Wire.getOk("/v2/models/house_price/versions/1/stats").path("model_stats").get(0);
        assertEquals(1, stats.path("inference_count").asLong(), stats::toString);
        String after = metrics();
        assertEquals(1.0, sample(after, INFER_REQUESTS),
                "a client's request is in the HTTP metrics");
        assertEquals(1.0, sample(after, "quiver_inference_seconds_count\\{[^}]*model=\"house_price\"[^}]*}"),
                "a client's request is in the request metrics");
    }

    private static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    private static double sample(String metrics, String series) {
        Matcher m = Pattern.compile("^" + series + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }
}
