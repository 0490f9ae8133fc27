package io.quiver.manager.mesh;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One replica of three is cut off from the network under load: every packet to and from its network
 * namespace is dropped, with no RST and no ICMP, as when a link fails. Requests sent to it wait for
 * the registered 1 s timeout and go to another replica, so the first ones cost one timeout window
 * and none fails; its breaker opens and the manager stops sending it traffic. When the network heals
 * the replica serves again. Needs root for the namespace (the class is skipped otherwise, saying why).
 */
class MeshPartitionedReplicaIT {
    private static final String VICTIM = "replica-3";
    /** The registered timeout (1 s) once, and a retry elsewhere, with room for a loaded machine; two timeouts would pass 2 s. */
    private static final long MAX_LATENCY_MILLIS = 2_000;

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(3).inNetworkNamespace(VICTIM).registered();

    @Test
    void aPartitionedReplicaFailsNoRequestAndReturnsWhenTheNetworkHeals() throws Exception {
        NetworkNamespaces.Namespace namespace = MESH.namespaceOf(VICTIM);
        NetworkFaultLoad.outage(getClass().getSimpleName(), MESH, VICTIM, () -> MESH.network().partition(namespace),
                () -> MESH.network().heal(namespace)).assertSurvivedAnOutageOf(MESH, VICTIM, MAX_LATENCY_MILLIS);
    }
}
