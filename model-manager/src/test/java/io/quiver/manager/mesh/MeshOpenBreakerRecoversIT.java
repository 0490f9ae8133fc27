package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A replica whose circuit breaker opened must get traffic again once it recovers: after the
 * breaker's delay a trial request goes through, and its success closes the breaker. Ejection after
 * failed requests is switched off here so that the breaker, not the ejection, takes the hung
 * replica out; its delay is 2 s.
 */
class MeshOpenBreakerRecoversIT {
    private static final int CLIENTS = 8;
    private static final String VICTIM = "replica-1";
    private static final int REJOIN_REQUESTS = 20;

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(3).registered()
            .managerSetting("QUIVER_MANAGER_HEALTH_EJECT_AFTER_FAILURES", "100000")
            .managerSetting("QUIVER_MANAGER_BREAKER_DELAY", "2s");


    @Test
    void aReplicaWhoseBreakerOpenedServesAgainOnceItRecovers() throws Exception {
        List<Load.Request> results = List.of();
        String opened = "never";
        String healthyAgain = "never";
        long[] thawed = {Long.MAX_VALUE};
        double rejoinedAfterMillis = -1;
        try (Load load = new Load(MESH, CLIENTS, 60_000, 11).start()) {
            try {
                load.awaitCompleted(200, Duration.ofSeconds(60));
                long frozen = System.nanoTime();
                MESH.replica(VICTIM).freeze();
                Mesh.await(VICTIM + "'s breaker opens", Duration.ofSeconds(15),
                        () -> MESH.health(VICTIM).path("circuit_breaker").asText().equals("OPEN"));
                opened = Math.round((System.nanoTime() - frozen) / 1e6) + "ms after the hang";
                MESH.replica(VICTIM).thaw();
                thawed[0] = System.nanoTime();
                Mesh.await(VICTIM + "'s health checks pass again", Duration.ofSeconds(15),
                        () -> MESH.health(VICTIM).path("state").asText().equals("healthy"));
                healthyAgain = Math.round((System.nanoTime() - thawed[0]) / 1e6) + "ms after resuming";
                // Its checks pass; within a few breaker delays a trial request must have closed the breaker.
                Mesh.await(VICTIM + " serves " + REJOIN_REQUESTS + " requests sent after it resumed",
                        Duration.ofSeconds(15), () -> Load.spread(load.results(), r -> r.startNanos() > thawed[0])
                                .getOrDefault(VICTIM, 0) >= REJOIN_REQUESTS);
                rejoinedAfterMillis = (System.nanoTime() - thawed[0]) / 1e6;
            } finally {
                results = load.stop(Duration.ofSeconds(30));
                System.out.printf("[mesh] %s: requests=%d failures=%d breaker_opened=%s healthy_again=%s "
                                + "rejoined_after=%.0fms spread_after_resume=%s max_latency=%dms health_now=%s%n",
                        getClass().getSimpleName(), results.size(), Load.failures(results).size(), opened,
                        healthyAgain, rejoinedAfterMillis, Load.spread(results, r -> r.startNanos() > thawed[0]),
                        Load.maxLatencyMillis(results), MESH.health(VICTIM));
            }
        }
        assertEquals(List.of(), Load.failures(results).stream().limit(20).toList(),
                Load.failures(results).size() + " client requests failed");
        assertTrue(Load.maxLatencyMillis(results) < 3_000, "the slowest request took "
                + Load.maxLatencyMillis(results) + " ms");
    }
}
