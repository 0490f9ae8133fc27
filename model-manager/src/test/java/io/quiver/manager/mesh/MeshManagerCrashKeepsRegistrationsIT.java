package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The manager acknowledges a registration only once it is on disk, so a crash (SIGKILL, no
 * shutdown) loses none: restarted on the same port and data directory, it lists every service as
 * registered and routes at once. Killed in the middle of a burst of registrations, it keeps every
 * one it acknowledged. The tests run in order, the second on the first's registry.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshManagerCrashKeepsRegistrationsIT {
    /** A registration unlike the replicas': its own id shape, type and a URL nothing listens on. */
    private static final String EXTRA_ID = "crash-survivor.extra:42";
    private static final String EXTRA_TYPE = "ARIMA";
    /** Registered and removed before the crash: it must stay removed. */
    private static final String REMOVED_ID = "crash-removed";
    private static final int BURST_MIN_ACKNOWLEDGED = 100;
    private static final int BURST_MAX = 2_000;

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(3);

    @Test
    @Order(1)
    void registrationsSurviveAManagerCrash() throws Exception {
        MESH.registerReplicas();
        String extraUrl = "http://127.0.0.1:" + Mesh.freePort() + "/arima";
        Http.Answer extra = MESH.register(EXTRA_ID, extraUrl, EXTRA_TYPE);
        assertEquals(201, extra.status(), "registering " + EXTRA_ID + ": " + extra);
        assertEquals(201, MESH.register(REMOVED_ID, extraUrl, EXTRA_TYPE).status());
        Http.Answer removed = MESH.http().delete(MESH.managerUri("/services/" + REMOVED_ID));
        assertEquals(200, removed.status(), "removing " + REMOVED_ID + ": " + removed);

        Map<String, String[]> expected = new LinkedHashMap<>();
        MESH.replicas().forEach(r -> expected.put(r.name(), new String[] {r.uri().toString(), Mesh.MODEL_TYPE}));
        expected.put(EXTRA_ID, new String[] {extraUrl, EXTRA_TYPE});

        long start = System.nanoTime();
        MESH.restartManager();
        double restartMillis = (System.nanoTime() - start) / 1e6;

        long readyNanos = System.nanoTime();
        double[] series = Forecasts.series(new Random(3));
        int[] attempts = {0};
        Http.Answer first = Mesh.await("/predict answers 200 after the restart", Duration.ofSeconds(10), () -> {
            attempts[0]++;
            try {
                Http.Answer answer = MESH.http().post(MESH.managerUri("/predict"), Forecasts.body(series));
                return answer.status() == 200 ? Optional.of(answer) : Optional.empty();
            } catch (IOException e) {
                return Optional.empty();
            }
        });
        double predictMillis = (System.nanoTime() - readyNanos) / 1e6;

        Map<String, JsonNode> services = MESH.services();
        int restored = 0;
        for (Map.Entry<String, String[]> e : expected.entrySet()) {
            JsonNode service = services.get(e.getKey());
            if (service != null && service.path("service_url").asText().equals(e.getValue()[0])
                    && service.path("model_type").asText().equals(e.getValue()[1])) {
                restored++;
            }
        }
        System.out.printf("[mesh] %s: services=%d restored=%d restart=%.0fms first_predict_after=%.0fms "
                        + "predict_attempts=%d failures=%d%n",
                getClass().getSimpleName(), expected.size(), restored, restartMillis, predictMillis, attempts[0],
                attempts[0] - 1);

        for (Map.Entry<String, String[]> e : expected.entrySet()) {
            JsonNode service = services.get(e.getKey());
            assertNotNull(service, e.getKey() + " is missing after the restart: " + services.keySet());
            assertEquals(e.getValue()[0], service.path("service_url").asText(), e.getKey() + "'s service_url");
            assertEquals(e.getValue()[1], service.path("model_type").asText(), e.getKey() + "'s model_type");
            assertEquals(1.0, service.path("timeout").asDouble(), e.getKey() + "'s timeout");
        }
        assertEquals(expected.size(), services.size(), "services after the restart: " + services.keySet());
        assertFalse(services.containsKey(REMOVED_ID), REMOVED_ID + " was removed before the crash but is back");
        assertNull(Forecasts.problem(first, series));
        assertEquals(1, attempts[0], "the first /predict after the restart must succeed");
    }

    @Test
    @Order(2)
    void everyRegistrationAcknowledgedBeforeACrashInTheMiddleOfABurstIsKept() throws Exception {
        Set<String> before = MESH.services().keySet();
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        Thread writer = new Thread(() -> {
            for (int i = 0; i < BURST_MAX && !stop.get(); i++) {
                String id = "burst-" + i;
                String url = "http://127.0.0.1:9/burst/" + i;
                sent.incrementAndGet();
                try {
                    if (MESH.register(id, url, "BURST").status() == 201) {
                        acknowledged.put(id, url);
                    }
                } catch (UncheckedIOException e) {
                    return; // The manager is gone: this one was never acknowledged.
                }
            }
        }, "mesh-registrations");
        writer.setDaemon(true);
        writer.start();
        try {
            Mesh.await(BURST_MIN_ACKNOWLEDGED + " registrations acknowledged", Duration.ofSeconds(60),
                    () -> acknowledged.size() >= BURST_MIN_ACKNOWLEDGED || !writer.isAlive());
            MESH.manager().kill();
        } finally {
            stop.set(true);
            writer.join(TimeUnit.SECONDS.toMillis(20));
        }
        assertFalse(writer.isAlive(), "the registering thread did not stop");
        Map<String, String> acked = new HashMap<>(acknowledged);
        MESH.restartManager();
        Map<String, JsonNode> services = MESH.services();

        List<String> lost = new ArrayList<>();
        acked.forEach((id, url) -> {
            JsonNode service = services.get(id);
            if (service == null || !service.path("service_url").asText().equals(url)) {
                lost.add(id);
            }
        });
        long burstKept = services.keySet().stream().filter(id -> id.startsWith("burst-")).count();
        System.out.printf("[mesh] %s burst: registrations_sent=%d acknowledged=%d kept=%d lost=%d "
                        + "unacknowledged_but_kept=%d%n", getClass().getSimpleName(), sent.get(), acked.size(),
                burstKept, lost.size(), burstKept - (acked.size() - lost.size()));

        assertTrue(acked.size() >= BURST_MIN_ACKNOWLEDGED, "only " + acked.size() + " registrations before the crash");
        assertEquals(List.of(), lost, "acknowledged registrations lost in the crash");
        assertTrue(services.keySet().containsAll(before), "services from before the burst are missing: "
                + before + " vs " + services.keySet());
        assertTrue(burstKept <= acked.size() + 1, "at most the one registration in flight at the crash may be "
                + "kept unacknowledged, but " + burstKept + " are kept for " + acked.size() + " acknowledged");
    }
}
