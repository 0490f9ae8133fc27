package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three healthy replicas of one type share the traffic evenly, and the manager passes every answer
 * through unchanged: each client gets the forecast for its own series, whichever replica served it.
 * With one replica out, the two left share evenly too. The second test kills a replica.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshSpreadsRequestsEvenlyIT {
    private static final int REQUESTS = 600;
    private static final double ALLOWED_DEVIATION = 0.03;

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(3).registered();


    @Test
    @Order(1)
    void sequentialRequestsAreSpreadEvenlyAndAnsweredCorrectly() throws Exception {
        Map<String, Integer> spread = sendSequentially("three replicas", 20_261_124L);
        assertEquals(MESH.replicas().size(), spread.size(), "only the registered replicas serve: " + spread);
        assertEvenSpread(spread, MESH.replicas().size());
    }

    @Test
    @Order(2)
    void theReplicasLeftShareEvenlyWhenOneIsOut() throws Exception {
        String out = "replica-2";
        MESH.replica(out).kill();
        Mesh.await(out + " shown as not healthy", Duration.ofSeconds(15),
                () -> !MESH.health(out).path("state").asText().equals("healthy"));
        Map<String, Integer> spread = sendSequentially("with " + out + " out", 4_242L);
        assertEquals(2, spread.size(), "only the two replicas left serve: " + spread);
        assertEvenSpread(spread, 2);
    }

    /** Sends the requests one after another; fails unless every answer is the reference forecast. */
    private Map<String, Integer> sendSequentially(String label, long seed) throws Exception {
        Random random = new Random(seed);
        Map<String, Integer> spread = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < REQUESTS; i++) {
            double[] series = Forecasts.series(random);
            Http.Answer answer = MESH.http().post(MESH.managerUri("/predict"), Forecasts.body(series));
            String problem = Forecasts.problem(answer, series);
            if (problem != null) {
                failures.add("request " + i + ": " + problem);
            }
            spread.merge(String.valueOf(answer.servedBy()), 1, Integer::sum);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("[mesh] %s (%s): requests=%d failures=%d spread=%s elapsed=%.2fs%n",
                getClass().getSimpleName(), label, REQUESTS, failures.size(), spread, elapsed);
        assertEquals(List.of(), failures.stream().limit(20).toList(), failures.size()
                + " requests did not get the reference forecast");
        return spread;
    }

    private static void assertEvenSpread(Map<String, Integer> spread, int replicas) {
        for (Map.Entry<String, Integer> share : spread.entrySet()) {
            double fraction = share.getValue() / (double) REQUESTS;
            assertTrue(Math.abs(fraction - 1.0 / replicas) <= ALLOWED_DEVIATION,
                    share.getKey() + " served " + share.getValue() + " of " + REQUESTS + " requests, not within "
                            + Math.round(ALLOWED_DEVIATION * 100) + " points of 1/" + replicas + ": " + spread);
        }
    }
}
