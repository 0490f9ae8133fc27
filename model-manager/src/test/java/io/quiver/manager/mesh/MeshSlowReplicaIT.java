package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One replica of three answers 100 ms late: it is reached through {@link FaultyProxy}, which holds
 * each chunk of its answers that long (standing in for {@code tc netem delay}, whose queueing
 * discipline is missing from the kernels this runs on). With round-robin routing a third of the
 * requests pay the delay: none may fail, and the p99 must stay within the registered 1 s timeout,
 * so no request is timed out and retried for being slow.
 */
class MeshSlowReplicaIT {
    private static final String VICTIM = "replica-3";
    private static final Duration DELAY = Duration.ofMillis(100);
    private static final long TIMEOUT_MILLIS = 1_000;
    private static final int SLOW_REQUESTS = 1_000;

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(3).behindAProxy(VICTIM).registered();

    @Test
    void oneSlowReplicaFailsNoRequestAndKeepsTheP99WithinTheTimeout() throws Exception {
        NetworkFaultLoad.Figures figures = NetworkFaultLoad.degraded(getClass().getSimpleName(), MESH, SLOW_REQUESTS,
                () -> MESH.proxyOf(VICTIM).delayAnswers(DELAY), () -> MESH.proxyOf(VICTIM).heal());

        figures.assertNoFailedRequestWithinTheRetryBudget();
        long p99 = Load.percentileMillis(figures.duringFault(), 0.99);
        assertTrue(p99 < TIMEOUT_MILLIS, "p99 while " + VICTIM + " was slow: " + p99 + " ms, not within the "
                + TIMEOUT_MILLIS + " ms timeout");
        int slowServed = NetworkFaultLoad.spreadDuringFault(figures).getOrDefault(VICTIM, 0);
        assertTrue(slowServed > 0, VICTIM + " served nothing while slow, so the delay was never measured: "
                + NetworkFaultLoad.spreadDuringFault(figures));
    }
}
