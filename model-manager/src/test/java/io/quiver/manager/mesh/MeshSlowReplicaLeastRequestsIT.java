package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * As {@link MeshSlowReplicaIT}, with least-requests routing: the replica answering 100 ms late
 * (behind {@link FaultyProxy}, standing in for {@code tc netem delay}) holds its requests longer, so
 * the manager must send it fewer than each of the others, and no request may fail.
 */
class MeshSlowReplicaLeastRequestsIT {
    private static final String VICTIM = "replica-3";
    private static final int SLOW_REQUESTS = 1_000;

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(3).behindAProxy(VICTIM).registered()
            .managerSetting("LOAD_BALANCING_STRATEGY", "least_requests");

    @Test
    void leastRequestsSendsTheSlowReplicaLessAndFailsNoRequest() throws Exception {
        FaultyProxy proxy = MESH.proxyOf(VICTIM);
        NetworkFaultLoad.Figures figures = NetworkFaultLoad.degraded(getClass().getSimpleName(), MESH, SLOW_REQUESTS,
                () -> proxy.delayAnswers(Duration.ofMillis(100)), proxy::heal);

        figures.assertNoFailedRequestWithinTheRetryBudget();
        Map<String, Integer> spread = NetworkFaultLoad.spreadDuringFault(figures);
        int slow = spread.getOrDefault(VICTIM, 0);
        for (String other : new String[] {"replica-1", "replica-2"}) {
            assertTrue(slow < spread.getOrDefault(other, 0), "least-requests sent the slow " + VICTIM + " no less than "
                    + other + ": " + spread);
        }
    }
}
