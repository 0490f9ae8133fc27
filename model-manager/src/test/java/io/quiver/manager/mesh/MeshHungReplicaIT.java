package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A replica hangs (SIGSTOP): it still accepts connections but never answers. Its requests time out
 * after the registered 1 s and go to another replica, so clients see a slower answer, never a
 * failed one, and the manager stops sending it traffic (ejection, and its breaker may open too).
 * Resumed (SIGCONT), it must take traffic again: once a health check passes and, if its breaker
 * opened, once the breaker's delay (5 s) has let a trial request through.
 */
class MeshHungReplicaIT {
    private static final int CLIENTS = 8;
    private static final int HARD_CAP = 60_000;
    private static final String VICTIM = "replica-3";
    /** The registered timeout (1 s) plus a retry elsewhere, with room for a loaded machine. */
    private static final long MAX_LATENCY_MILLIS = 3_000;
    private static final int REJOIN_REQUESTS = 20;

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(3).registered();


    @Test
    void aHungReplicaFailsNoRequestAndRejoinsWhenItResumes() throws Exception {
        List<Load.Request> results = List.of();
        long[] frozen = {Long.MAX_VALUE};
        long[] thawed = {Long.MAX_VALUE};
        String detected = "never";
        boolean[] breakerOpened = {false};
        double detectedAfterMillis = -1;
        double rejoinedAfterMillis = -1;
        try (Load load = new Load(MESH, CLIENTS, HARD_CAP, 7).start()) {
            try {
                load.awaitCompleted(200, Duration.ofSeconds(60));
                MESH.replica(VICTIM).freeze();
                frozen[0] = System.nanoTime();
                JsonNode out = Mesh.await(VICTIM + "'s breaker opens or it is ejected or unhealthy",
                        Duration.ofSeconds(15), () -> {
                            JsonNode health = MESH.health(VICTIM);
                            boolean gone = !health.path("state").asText().equals("healthy")
                                    || health.path("circuit_breaker").asText().equals("OPEN");
                            return gone ? Optional.of(health) : Optional.empty();
                        });
                detectedAfterMillis = (System.nanoTime() - frozen[0]) / 1e6;
                detected = out.path("state").asText() + "/breaker " + out.path("circuit_breaker").asText();
                breakerOpened[0] = out.path("circuit_breaker").asText().equals("OPEN");
                // Traffic while it is out, long enough for any request stuck on it to have timed out;
                // its breaker may open meanwhile too, from those timeouts.
                long target = load.completed() + 300;
                Mesh.await(target + " requests completed", Duration.ofSeconds(60), () -> {
                    if (MESH.health(VICTIM).path("circuit_breaker").asText().equals("OPEN")) {
                        breakerOpened[0] = true;
                    }
                    return load.completed() >= target;
                });

                MESH.replica(VICTIM).thaw();
                thawed[0] = System.nanoTime();
                Mesh.await(VICTIM + " serves " + REJOIN_REQUESTS + " requests sent after it resumed",
                        Duration.ofSeconds(30), () -> Load.spread(load.results(), r -> r.startNanos() > thawed[0])
                                .getOrDefault(VICTIM, 0) >= REJOIN_REQUESTS);
                rejoinedAfterMillis = (System.nanoTime() - thawed[0]) / 1e6;
            } finally {
                results = load.stop(Duration.ofSeconds(30));
                System.out.printf("[mesh] %s: requests=%d failures=%d slowed_by_the_timeout=%d "
                                + "spread_while_hung=%s spread_after_resume=%s detected=%s detected_after=%.0fms "
                                + "breaker_opened_while_hung=%s rejoined_after=%.0fms max_latency=%dms elapsed=%.2fs health_now=%s%n",
                        getClass().getSimpleName(), results.size(), Load.failures(results).size(),
                        results.stream().filter(r -> r.latencyNanos() > 900_000_000L).count(),
                        Load.spread(results, r -> r.startNanos() > frozen[0] && r.endNanos() < thawed[0]),
                        Load.spread(results, r -> r.startNanos() > thawed[0]), detected, detectedAfterMillis,
                        breakerOpened[0], rejoinedAfterMillis, Load.maxLatencyMillis(results), load.elapsedSeconds(),
                        MESH.health(VICTIM));
            }
        }

        List<Load.Request> failures = Load.failures(results);
        long maxLatency = Load.maxLatencyMillis(results);
        assertEquals(List.of(), failures.stream().limit(20).toList(), failures.size() + " client requests failed");
        assertTrue(maxLatency < MAX_LATENCY_MILLIS, "the slowest request took " + maxLatency + " ms");
        Map<String, Integer> afterResume = Load.spread(results, r -> r.startNanos() > thawed[0]);
        assertTrue(afterResume.getOrDefault(VICTIM, 0) >= REJOIN_REQUESTS, "after resuming " + VICTIM
                + " must serve again: " + afterResume);
        assertEquals("healthy", MESH.health(VICTIM).path("state").asText());
    }
}
