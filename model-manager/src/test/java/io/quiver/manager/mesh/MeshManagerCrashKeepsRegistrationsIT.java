package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The manager acknowledges a registration only once it is on disk, so a crash (SIGKILL, no
 * shutdown) loses none: restarted on the same port and data directory, it lists every service as
 * registered and routes at once.
 */
class MeshManagerCrashKeepsRegistrationsIT {
    /** A registration unlike the replicas': its own id shape, type and a URL nothing listens on. */
    private static final String EXTRA_ID = "crash-survivor.extra:42";
    private static final String EXTRA_TYPE = "ARIMA";

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(3);

    @Test
    void registrationsSurviveAManagerCrash() throws Exception {
        MESH.registerReplicas();
        String extraUrl = "http://127.0.0.1:" + Mesh.freePort() + "/arima";
        Http.Answer extra = MESH.register(EXTRA_ID, extraUrl, EXTRA_TYPE);
        assertEquals(201, extra.status(), "registering " + EXTRA_ID + ": " + extra);

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
        assertNull(Forecasts.problem(first, series));
        assertEquals(1, attempts[0], "the first /predict after the restart must succeed");
    }
}
