package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Model-servers started with the manager's URL register themselves with what they serve, leave on a
 * graceful stop, expire when their heartbeats stop (a frozen process), and come back when they
 * resume or restart. No test registers anything by hand.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshSelfRegistrationIT {
    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(2).selfRegistering();

    @Test
    @Order(1)
    void startedServersRegisterThemselvesAndTakeTraffic() throws Exception {
        Mesh.await("both replicas registered", Duration.ofSeconds(30), () -> MESH.services().size() == 2);
        for (ServiceProcess replica : MESH.replicas()) {
            JsonNode service = MESH.services().get(replica.name());
            assertEquals(replica.uri().toString(), service.path("service_url").asText());
            Set<String> types = new HashSet<>();
            service.path("model_types").forEach(t -> types.add(t.asText()));
            assertTrue(types.containsAll(Set.of("LSTM", "lstm_forecaster", "house_price", "regression")), types.toString());
        }
        Set<String> servedBy = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            Http.Answer answer = MESH.http().post(MESH.managerUri("/predict"), Forecasts.body(new double[] {0.1, 0.2}));
            assertEquals(200, answer.status(), answer.toString());
            servedBy.add(answer.servedBy());
        }
        assertEquals(Set.of("replica-1", "replica-2"), servedBy);
        System.out.println("[mesh] self-registration: 2 replicas registered themselves; 20 requests served by " + servedBy);
    }

    @Test
    @Order(2)
    void aGracefullyStoppedServerDeregistersAndARestartedOneRejoins() throws Exception {
        ServiceProcess replica = MESH.replica("replica-2");
        long start = System.nanoTime();
        replica.stop();
        Mesh.await("replica-2 deregistered", Duration.ofSeconds(10), () -> !MESH.services().containsKey("replica-2"));
        String log = Files.readString(MESH.manager().log());
        assertTrue(log.contains("removed service replica-2"), "deregistered, not expired");
        assertFalse(log.contains("service replica-2 expired"));
        System.out.printf("[mesh] replica-2 stopped and deregistered in %d ms%n", (System.nanoTime() - start) / 1_000_000);

        replica.restart();
        Mesh.await("replica-2 registered again", Duration.ofSeconds(30), () -> MESH.services().containsKey("replica-2"));
    }

    @Test
    @Order(3)
    void aFrozenServerExpiresAndReturnsWhenItResumes() throws Exception {
        ServiceProcess replica = MESH.replica("replica-1");
        replica.freeze();
        try {
            Mesh.await("replica-1 expired", Duration.ofSeconds(15), () -> !MESH.services().containsKey("replica-1"));
            assertTrue(Files.readString(MESH.manager().log()).contains("service replica-1 expired"));
            Http.Answer answer = MESH.http().post(MESH.managerUri("/predict"), Forecasts.body(new double[] {0.1, 0.2}));
            assertEquals(200, answer.status(), answer.toString());
            assertEquals("replica-2", answer.servedBy());
        } finally {
            replica.thaw();
        }
        Mesh.await("replica-1 registered again", Duration.ofSeconds(15), () -> MESH.services().containsKey("replica-1"));
        System.out.println("[mesh] replica-1 frozen: expired, then registered again after it resumed");
    }
}
