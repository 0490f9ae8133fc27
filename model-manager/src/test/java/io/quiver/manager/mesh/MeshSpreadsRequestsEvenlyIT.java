package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three healthy replicas of one type share the traffic evenly, and the manager passes every answer
 * through unchanged: each client gets the forecast for its own series, whichever replica served it.
 */
class MeshSpreadsRequestsEvenlyIT {
    private static final int REQUESTS = 600;
    private static final double ALLOWED_DEVIATION = 0.03;

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(3);

    @BeforeAll
    static void register() {
        MESH.registerReplicas();
    }

    @Test
    void sequentialRequestsAreSpreadEvenlyAndAnsweredCorrectly() throws Exception {
        Random random = new Random(20_261_124L);
        Map<String, Integer> spread = new TreeMap<>();
        MESH.replicas().forEach(r -> spread.put(r.name(), 0));
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
        System.out.printf("[mesh] %s: requests=%d failures=%d spread=%s elapsed=%.2fs%n",
                getClass().getSimpleName(), REQUESTS, failures.size(), spread, elapsed);

        assertEquals(List.of(), failures, "every request must get the reference forecast");
        assertEquals(MESH.replicas().size(), spread.size(), "only the registered replicas serve: " + spread);
        for (Map.Entry<String, Integer> share : spread.entrySet()) {
            double fraction = share.getValue() / (double) REQUESTS;
            assertTrue(Math.abs(fraction - 1.0 / 3) <= ALLOWED_DEVIATION,
                    share.getKey() + " served " + share.getValue() + " of " + REQUESTS + " requests, not within "
                            + Math.round(ALLOWED_DEVIATION * 100) + " points of a third: " + spread);
        }
    }
}
