package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a client gets when the mesh cannot help: a replica's 4xx comes back as it is, from one
 * replica and without retries (the request is wrong, not the replica); with every replica of the
 * type dead, a quick 503 naming the type. The second test kills the replicas the first one needs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshErrorAnswersIT {
    private static final String MALFORMED = "{\"model_type\": \"LSTM\", \"data\": \"oops\"}";
    private static final int MALFORMED_REQUESTS = 20;

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(3).registered();


    @Test
    @Order(1)
    void aReplicasClientErrorIsPassedThroughWithoutRetrying() throws Exception {
        Map<String, Double> before = invalidCounts();
        Map<String, Integer> servedBy = new TreeMap<>();
        List<String> wrong = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < MALFORMED_REQUESTS; i++) {
            String requestId = "mesh-malformed-" + i;
            Http.Answer answer = MESH.http().post(MESH.managerUri("/predict"), MALFORMED, requestId);
            // The replica's own error, for the client's own request id: the manager added nothing.
            if (answer.status() != 400 || answer.servedBy() == null
                    || !answer.json().path("error").asText().contains("oops")
                    || !requestId.equals(answer.json().path("request_id").asText())
                    || !requestId.equals(answer.requestId())) {
                wrong.add(answer.toString() + " (X-Request-Id " + answer.requestId() + ")");
            }
            servedBy.merge(String.valueOf(answer.servedBy()), 1, Integer::sum);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        // The replicas count an invalid request before answering it; poll only to read a settled total.
        Mesh.await("the replicas counted " + MALFORMED_REQUESTS + " invalid requests", Duration.ofSeconds(5),
                () -> total(invalidCounts()) - total(before) >= MALFORMED_REQUESTS);
        Map<String, Double> after = invalidCounts();
        Map<String, Integer> counted = new TreeMap<>();
        after.forEach((replica, n) -> {
            int delta = (int) Math.round(n - before.getOrDefault(replica, 0.0));
            if (delta != 0) {
                counted.put(replica, delta);
            }
        });
        System.out.printf("[mesh] %s 4xx: requests=%d failures=%d spread=%s invalid_counted_by_replicas=%s elapsed=%.2fs%n",
                getClass().getSimpleName(), MALFORMED_REQUESTS, wrong.size(), servedBy, counted, elapsed);

        assertEquals(List.of(), wrong, "every malformed request must come back as the replica's 400");
        assertEquals(servedBy, counted, "each malformed request must reach exactly the one replica named by "
                + "X-Served-By, and no other");
    }

    @Test
    @Order(2)
    void withEveryReplicaDeadTheManagerAnswers503NamingTheType() throws Exception {
        MESH.replicas().forEach(ServiceProcess::kill);
        // Before the health checks have noticed, the manager learns it only by trying each replica.
        Http.Answer unnoticed = MESH.http().post(MESH.managerUri("/predict"), Forecasts.body(new double[] {0.0, 0.01, 0.02}));
        System.out.printf("[mesh] %s right after the kill: %s%n", getClass().getSimpleName(), unnoticed);
        assertEquals(503, unnoticed.status(), "a request that reached no replica is unavailable, not a bad gateway: " + unnoticed);
        assertTrue(unnoticed.json().path("error").asText().contains(Mesh.MODEL_TYPE), unnoticed.toString());
        assertEquals("1", unnoticed.headers().firstValue("Retry-After").orElse(null), unnoticed.toString());
        Mesh.await("every replica is shown as not healthy", Duration.ofSeconds(15),
                () -> MESH.services().values().stream()
                        .noneMatch(s -> s.path("health").path("state").asText().equals("healthy")));

        List<String> wrong = new ArrayList<>();
        long maxNanos = 0;
        Http.Answer last = null;
        for (int i = 0; i < 10; i++) {
            Http.Answer answer = MESH.http().post(MESH.managerUri("/predict"), Forecasts.body(new double[] {0.0, 0.01, 0.02}));
            maxNanos = Math.max(maxNanos, answer.nanos());
            String error = answer.status() == 503 ? answer.json().path("error").asText() : "";
            if (answer.status() != 503 || !error.contains(Mesh.MODEL_TYPE)) {
                wrong.add(answer.toString());
            }
            last = answer;
        }
        System.out.printf("[mesh] %s dead type: requests=10 failures=%d max_latency=%dms answer=%s retry_after=%s%n",
                getClass().getSimpleName(), wrong.size(), maxNanos / 1_000_000, last.body(),
                last.headers().firstValue("Retry-After").orElse(null));

        assertEquals(List.of(), wrong, "with every LSTM replica dead, /predict must answer 503 naming the type");
        assertTrue(maxNanos < 1_000_000_000L, "the 503 took " + maxNanos / 1_000_000 + " ms");
        JsonNode body = last.json();
        assertNotNull(body.get("request_id"), "the error body carries the request id: " + body);
    }

    /** Each live replica's count of requests it refused as invalid, from its Prometheus metrics. */
    private static Map<String, Double> invalidCounts() {
        Map<String, Double> counts = new TreeMap<>();
        for (ServiceProcess replica : MESH.replicas()) {
            String metrics;
            try {
                metrics = MESH.http().get(replica.uri("/q/metrics")).body();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the metrics of " + replica, e);
            }
            double count = 0;
            for (String line : metrics.split("\n")) {
                if (line.startsWith("quiver_inference_seconds_count{") && line.contains("outcome=\"invalid\"")) {
                    count += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            counts.put(replica.name(), count);
        }
        return counts;
    }

    private static double total(Map<String, Double> counts) {
        return counts.values().stream().mapToDouble(Double::doubleValue).sum();
    }
}
