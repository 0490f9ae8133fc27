package io.quiver.server.registration;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quiver.server.registration.ManagerStandIn.Call;
import io.quiver.server.testing.ExampleRepository;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The server registers with a model-manager, keeps the registration alive and up to date, recovers
 * when the manager forgets it or refuses it for a while, and deregisters on shutdown. The real
 * manager is not part of this module, so a real HTTP server that records every request stands in
 * for it ({@link ManagerStandIn}); the manager's side of the contract is tested by the
 * model-manager's end-to-end tests.
 */
@QuarkusTest
@TestProfile(RegistrationWithManagerTest.FastHeartbeats.class)
@WithTestResource(ExampleRepository.class)
@WithTestResource(ManagerStandInResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistrationWithManagerTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    /** Heartbeats every 200 ms so that the tests wait little; the manager's optional fields are set. */
    public static class FastHeartbeats implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quiver.registration.heartbeat-interval", "200ms",
                    "quiver.registration.max-concurrent-requests", "8",
                    "quiver.registration.timeout", "30s");
        }
    }

    @Inject
    SelfRegistration registration;

    @Test
    void registersWithEveryExampleModelItsTypesAndTheActualPort() {
        JsonNode body = await("an accepted register call", c -> c.isRegister() && c.answered() == 201).body();

        int port = RestAssured.port;
        assertTrue(port > 0, "the test server runs on a random port, not 0");
        // Host names are this machine's (their derivation is RegistrationIdentityTest's); the port
        // is the one the server actually listens on, not the configured 0.
        assertEquals("model-server-" + ServiceIdentity.LocalHost.name() + "-" + port, body.get("service_id").asText());
        assertEquals("http://" + ServiceIdentity.LocalHost.canonicalName() + ":" + port, body.get("service_url").asText());
        given().port(URI.create(body.get("service_url").asText()).getPort()).get("/health").then().statusCode(200);

        assertEquals(List.of("prediction", "training"), texts(body.get("capabilities")));
        assertTrue(models(body).containsAll(List.of("house_price:1:regression", "house_price:2:regression",
                "fraud_classifier:1:classifier", "lstm_forecaster:1:LSTM", "multi_input:1:multi_input")), body.toString());
        assertTrue(texts(body.get("model_types")).containsAll(List.of("LSTM", "classifier", "regression", "multi_input",
                "house_price", "fraud_classifier", "lstm_forecaster")), body.toString());
        // Several declared types, so the single type is the first in sorted order.
        assertEquals("LSTM", body.get("model_type").asText());
        assertEquals(8, body.get("max_concurrent_requests").asInt());
        assertEquals(30, body.get("timeout").asInt());
        // Three 200 ms heartbeats, rounded up to whole seconds.
        assertEquals(1, body.get("lease_seconds").asInt());
    }

    @Test
    void aRegistrationRefusedWith503IsRetriedUntilAccepted() {
        await("an accepted register call", c -> c.isRegister() && c.answered() == 201);
        List<Integer> answers = manager().calls(Call::isRegister).stream().map(Call::answered).toList();
        assertEquals(List.of(503, 503, 201), answers.subList(0, ManagerStandInResource.REFUSED_REGISTRATIONS + 1),
                "register answers: " + answers);
        int accepted = manager().calls(c -> c.isRegister() && c.answered() == 201).get(0).sequence();
        assertTrue(manager().calls().stream().limit(accepted).allMatch(Call::isRegister),
                "no heartbeat before the registration was accepted: " + summary());
    }

    @Test
    void heartbeatsKeepArrivingWithTheLoadedModels() {
        String id = await("an accepted register call", c -> c.isRegister() && c.answered() == 201).body()
                .get("service_id").asText();
        int from = manager().calls().size();
        for (int i = 0; i < 3; i++) {
            int after = from;
            from = await("heartbeat " + (i + 1), c -> c.sequence() >= after && c.isHeartbeat()).sequence() + 1;
        }
        Call heartbeat = manager().calls(Call::isHeartbeat).get(0);
        assertEquals("/services/" + id + "/heartbeat", heartbeat.path());
        assertTrue(models(heartbeat.body()).contains("house_price:2:regression"), heartbeat.body().toString());
        assertTrue(texts(heartbeat.body().get("model_types")).contains("LSTM"), heartbeat.body().toString());
    }

    @Test
    void aModelLoadedLaterIsListedInALaterHeartbeatAndGoneOnceUnloaded() {
        await("an accepted register call", c -> c.isRegister() && c.answered() == 201);
        int before = manager().calls().size();
        given().contentType(ContentType.JSON)
                .body(Map.of("model_id", "registered_later", "registry_uri", "house_price/1"))
                .post("/v1/models/load").then().statusCode(200);
        Call listed = await("a heartbeat listing registered_later", c -> c.sequence() >= before && c.isHeartbeat()
                && models(c.body()).contains("registered_later:1:regression"));
        assertTrue(texts(listed.body().get("model_types")).contains("registered_later"), listed.body().toString());

        given().delete("/v1/models/registered_later/1").then().statusCode(200);
        int unloaded = manager().calls().size();
        await("a heartbeat without registered_later", c -> c.sequence() >= unloaded && c.isHeartbeat()
                && !models(c.body()).contains("registered_later:1:regression"));
    }

    @Test
    void aHeartbeatAnswered404IsFollowedAtOnceByANewRegistration() {
        await("an accepted register call", c -> c.isRegister() && c.answered() == 201);
        manager().forgetOnNextHeartbeat();
        int forgotten = await("a heartbeat answered 404", c -> c.isHeartbeat() && c.answered() == 404).sequence();
        Call next = await("the call after the 404", c -> c.sequence() == forgotten + 1);
        assertTrue(next.isRegister() && next.answered() == 201, "expected a register call next: " + summary());
        await("a heartbeat after registering again", c -> c.sequence() > next.sequence() && c.isHeartbeat()
                && c.answered() == 200);
    }

    /**
     * Runs last: it stops the registration as graceful shutdown does (the ShutdownEvent observer
     * calls the same method), since the application's own shutdown comes after every test.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void shutdownDeregistersAndStopsHeartbeats() {
        String id = await("an accepted register call", c -> c.isRegister() && c.answered() == 201).body()
                .get("service_id").asText();
        registration.stop();
        Call delete = await("a delete", c -> c.method().equals("DELETE"));
        assertEquals("/services/" + id, delete.path());
        // stop() returns once the delete is answered and the registration thread has ended, so
        // nothing can follow the delete.
        assertFalse(registration.running());
        assertEquals(delete.sequence() + 1, manager().calls().size(), "nothing after the delete: " + summary());
    }

    private static ManagerStandIn manager() {
        return ManagerStandInResource.manager();
    }

    /** The first call the stand-in recorded that matches, once there is one, for at most {@link #DEADLINE}. */
    private static Call await(String what, Predicate<Call> which) {
        try {
            return Awaitility.await().atMost(DEADLINE).until(() -> manager().calls(which), found -> !found.isEmpty())
                    .get(0);
        } catch (ConditionTimeoutException e) {
            return fail("no " + what + " within " + DEADLINE.toSeconds() + " s; the stand-in received: " + summary());
        }
    }

    /** Models as {@code name:version:model_type}, for compact comparisons. */
    private static List<String> models(JsonNode body) {
        List<String> models = new ArrayList<>();
        body.get("models").forEach(m -> models.add(m.get("name").asText() + ":" + m.get("version").asText() + ":"
                + m.get("model_type").asText()));
        return models;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private static String summary() {
        return manager().calls().stream().map(c -> c.sequence() + " " + c.method() + " " + c.path() + " " + c.answered())
                .collect(Collectors.joining(", "));
    }
}
