package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The manager is cut off from every replica of a type: all three run in network namespaces of their
 * own and every packet to and from each is dropped. Once the health checks have marked them (two
 * failed checks a second apart), a client asking for the type must get a 503 at once, naming the
 * type and saying when to retry, rather than waiting for timeouts; and once the network heals the
 * type must be served again within about one health interval (1 s). Needs root for the namespaces
 * (the class is skipped otherwise, saying why).
 */
class MeshPartitionedTypeIT {
    private static final List<String> REPLICAS = List.of("replica-1", "replica-2", "replica-3");
    private static final int ANSWERS_WHILE_CUT_OFF = 50;
    /** An answer the manager gives without calling any replica; generous for a loaded machine. */
    private static final long FAST_MILLIS = 250;
    /** One health interval (1 s), the check that passes, and room for a loaded machine. */
    private static final long RECOVERY_MILLIS = 2_500;

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(3).inNetworkNamespace("replica-1").inNetworkNamespace("replica-2")
            .inNetworkNamespace("replica-3").registered();

    @Test
    void aTypeCutOffAnswersFast503sAndIsServedAgainWithinAHealthIntervalOfHealing() throws Exception {
        Random random = new Random(5);
        Http.Answer first = predict(random);
        assertEquals(200, first.status(), "before the partition: " + first);

        long cut = System.nanoTime();
        REPLICAS.forEach(replica -> MESH.network().partition(MESH.namespaceOf(replica)));
        List<Http.Answer> whileCut = new ArrayList<>();
        List<Http.Answer> beforeDetection = new ArrayList<>();
        long healed;
        try {
            Http.Answer fast503 = Mesh.await("a fast 503 for the cut-off type", Duration.ofSeconds(20), () -> {
                Http.Answer answer = predict(random);
                if (answer.status() == 503 && answer.millis() < FAST_MILLIS) {
                    return Optional.of(answer);
                }
                beforeDetection.add(answer);
                return Optional.empty();
            });
            double fastAfterMillis = (System.nanoTime() - cut) / 1e6;
            whileCut.add(fast503);
            for (int i = 1; i < ANSWERS_WHILE_CUT_OFF; i++) {
                whileCut.add(predict(random));
            }
            System.out.printf("[mesh] %s: first fast 503 %.0fms after the partition; before it (status/ms): %s; %s%n",
                    getClass().getSimpleName(), fastAfterMillis, beforeDetection.stream()
                            .map(a -> a.status() + "/" + Math.round(a.millis())).toList(), fast503);
        } finally {
            REPLICAS.forEach(replica -> MESH.network().heal(MESH.namespaceOf(replica)));
            healed = System.nanoTime();
        }
        long[] healthyAt = {0};
        Http.Answer served = Mesh.await("a 200 after the partition healed", Duration.ofSeconds(30), () -> {
            if (healthyAt[0] == 0 && REPLICAS.stream().anyMatch(r -> MESH.health(r).path("state").asText()
                    .equals("healthy"))) {
                healthyAt[0] = System.nanoTime();
            }
            Http.Answer answer = predict(random);
            return answer.status() == 200 ? Optional.of(answer) : Optional.empty();
        });
        long recoveredMillis = (System.nanoTime() - healed) / 1_000_000;
        long slowest = whileCut.stream().mapToLong(a -> Math.round(a.millis())).max().orElse(0);
        System.out.printf("[mesh] %s: answers while cut off=%d statuses=%s slowest=%dms; healed at %s; a replica "
                        + "healthy again %dms after healing, served again %dms after healing by %s in %.0fms%n",
                getClass().getSimpleName(), whileCut.size(),
                whileCut.stream().map(Http.Answer::status).distinct().toList(), slowest,
                Instant.now().minusNanos(System.nanoTime() - healed),
                healthyAt[0] == 0 ? -1 : (healthyAt[0] - healed) / 1_000_000, recoveredMillis, served.servedBy(),
                served.millis());

        for (Http.Answer answer : whileCut) {
            assertEquals(503, answer.status(), "while the type was cut off: " + answer);
            assertTrue(answer.body().contains(Mesh.MODEL_TYPE), "the 503 must name the type: " + answer);
            assertTrue(answer.headers().firstValue("Retry-After").isPresent(), "the 503 must say when to retry: "
                    + answer);
        }
        assertTrue(slowest < FAST_MILLIS, "a 503 while cut off took " + slowest + " ms: not answered at once");
        assertTrue(recoveredMillis < RECOVERY_MILLIS, "served again only " + recoveredMillis
                + " ms after the network healed");
    }

    private static Http.Answer predict(Random random) {
        try {
            return MESH.http().post(MESH.managerUri("/predict"), Forecasts.body(Forecasts.series(random)));
        } catch (IOException e) {
            throw new UncheckedIOException("the manager did not answer", e);
        }
    }
}
