package io.quiver.manager.mesh;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One replica of three is reached through {@link FaultyProxy}, which under load starts accepting
 * connections and never reading from or answering them, and stops passing bytes on the connections
 * it had: a peer that is there and says nothing, as a half-open connection or a wedged process looks.
 * It must go as a partition does: one timeout window at most per request, no failed request, the
 * breaker opens, and the replica serves again once the proxy passes bytes again. The proxy stands in
 * for a network fault that iptables cannot make; it runs on loopback, so no root is needed.
 */
class MeshSilentReplicaIT {
    private static final String VICTIM = "replica-3";
    /** The registered timeout (1 s) once, and a retry elsewhere, with room for a loaded machine; two timeouts would pass 2 s. */
    private static final long MAX_LATENCY_MILLIS = 2_000;

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(3).behindAProxy(VICTIM).registered();

    @Test
    void aReplicaThatAcceptsAndNeverAnswersFailsNoRequestAndReturns() throws Exception {
        FaultyProxy proxy = MESH.proxyOf(VICTIM);
        NetworkFaultLoad.outage(getClass().getSimpleName(), MESH, VICTIM, proxy::blackHole, proxy::heal)
                .assertSurvivedAnOutageOf(MESH, VICTIM, MAX_LATENCY_MILLIS);
    }
}
