package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One replica of three loses 10% of its packets, each way, at random (an iptables {@code statistic}
 * rule in its network namespace): TCP retransmits most losses itself, a lost SYN or a run of losses
 * makes a request pass the registered 1 s timeout, and the manager retries those elsewhere. No
 * client request may fail, and the retries stay within the manager's retry budget. Needs root for
 * the namespace (the class is skipped otherwise, saying why).
 */
class MeshLossyReplicaIT {
    private static final String VICTIM = "replica-3";
    private static final double LOSS = 0.1;
    private static final int REQUESTS_WITH_LOSS = 1_500;

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(3).inNetworkNamespace(VICTIM).registered();

    @Test
    void tenPercentPacketLossOnOneReplicaFailsNoRequest() throws Exception {
        NetworkNamespaces.Namespace namespace = MESH.namespaceOf(VICTIM);
        long[] dropped = {0};
        NetworkFaultLoad.Figures figures = NetworkFaultLoad.degraded(getClass().getSimpleName(), MESH,
                REQUESTS_WITH_LOSS, () -> MESH.network().loss(namespace, LOSS), () -> {
                    // Counted before healing, which flushes the rules and their counters.
                    dropped[0] = Math.max(dropped[0], MESH.network().droppedPackets(namespace));
                    MESH.network().heal(namespace);
                });
        System.out.printf("[mesh] %s: packets dropped by the loss rules=%d%n", getClass().getSimpleName(), dropped[0]);

        figures.assertNoFailedRequestWithinTheRetryBudget();
        assertTrue(dropped[0] > 0, "the loss rules dropped no packet, so the loss was never tested");
    }
}
