package io.quiver.manager.mesh;

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
        NetworkFaultLoad.Figures figures = NetworkFaultLoad.degraded(getClass().getSimpleName(), MESH,
                REQUESTS_WITH_LOSS, () -> MESH.network().loss(namespace, LOSS), () -> MESH.network().heal(namespace));

        figures.assertNoFailedRequestWithinTheRetryBudget();
    }
}
