package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A replica crashes (SIGKILL) while eight clients keep sending: the requests it held and the ones
 * routed to it before the manager notices are retried on the others, so no client sees a failure,
 * and once it is ejected it gets no traffic at all.
 */
class MeshKillingAReplicaUnderLoadFailsNoRequestIT {
    private static final int CLIENTS = 8;
    private static final int REQUESTS = 2_000;
    private static final int KILL_AFTER = 300;
    /** Requests sent once the ejection was seen, so that "no share after ejection" is measured on real traffic. */
    private static final int AFTER_EJECTION = 300;
    private static final int HARD_CAP = 6_000;
    private static final String VICTIM = "replica-2";

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(3).registered();


    @Test
    void killingAReplicaUnderLoadFailsNoRequest() throws Exception {
        List<Load.Request> results = List.of();
        long[] killed = {Long.MAX_VALUE};
        long[] ejectedAt = {Long.MAX_VALUE};
        String stateSeen = "never";
        double detectedAfterMillis = -1;
        try (Load load = new Load(MESH, CLIENTS, HARD_CAP, 42).start()) {
            try {
                load.awaitCompleted(KILL_AFTER, Duration.ofSeconds(60));
                long killStart = System.nanoTime();
                MESH.replica(VICTIM).kill();
                killed[0] = System.nanoTime();
                stateSeen = Mesh.await(VICTIM + " shown as not healthy", Duration.ofSeconds(15), () -> {
                    String state = MESH.health(VICTIM).path("state").asText();
                    return state.equals("healthy") ? Optional.empty() : Optional.of(state);
                });
                detectedAfterMillis = (System.nanoTime() - killStart) / 1e6;
                ejectedAt[0] = load.issued();
                load.awaitCompleted(Math.max(REQUESTS, ejectedAt[0] + AFTER_EJECTION), Duration.ofSeconds(60));
            } finally {
                results = load.stop(Duration.ofSeconds(30));
                System.out.printf("[mesh] %s: requests=%d failures=%d spread_before_kill=%s spread_after_kill=%s "
                                + "spread_after_ejection=%s victim_state=%s detected_after=%.0fms max_latency=%dms "
                                + "elapsed=%.2fs%n",
                        getClass().getSimpleName(), results.size(), Load.failures(results).size(),
                        Load.spread(results, r -> r.endNanos() < killed[0]),
                        Load.spread(results, r -> r.startNanos() > killed[0]),
                        Load.spread(results, r -> r.number() >= ejectedAt[0]), stateSeen, detectedAfterMillis,
                        Load.maxLatencyMillis(results), load.elapsedSeconds());
            }
        }

        List<Load.Request> failures = Load.failures(results);
        Map<String, Integer> before = Load.spread(results, r -> r.endNanos() < killed[0]);
        Map<String, Integer> afterKill = Load.spread(results, r -> r.startNanos() > killed[0]);
        Map<String, Integer> afterEjection = Load.spread(results, r -> r.number() >= ejectedAt[0]);
        assertEquals(List.of(), failures.stream().limit(20).toList(), failures.size() + " client requests failed");
        assertTrue(before.getOrDefault(VICTIM, 0) > 0, VICTIM + " served nothing before it was killed: " + before);
        assertEquals(0, afterKill.getOrDefault(VICTIM, 0), "requests sent after the kill were answered as served by "
                + VICTIM + ": " + afterKill);
        assertEquals(0, afterEjection.getOrDefault(VICTIM, 0), VICTIM + " still had a share after its ejection: "
                + afterEjection);
        assertTrue(afterEjection.values().stream().mapToInt(Integer::intValue).sum() >= AFTER_EJECTION,
                "too few requests after the ejection to judge: " + afterEjection);
        assertEquals(2, afterEjection.size(), "both survivors keep serving: " + afterEjection);
        assertNotEquals("healthy", MESH.services().get(VICTIM).path("health").path("state").asText(),
                "GET /services must show the dead replica as ejected or unhealthy");
    }
}
