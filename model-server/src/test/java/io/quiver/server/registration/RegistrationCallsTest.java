package io.quiver.server.registration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The HTTP calls of the registration contract (method, path, body) against a real HTTP server
 * standing in for the model-manager; the manager's side is tested by the model-manager's
 * end-to-end tests.
 */
class RegistrationCallsTest {

    @Test
    void eachCallUsesTheContractsMethodAndPath() throws IOException {
        try (ManagerStandIn standIn = new ManagerStandIn()) {
            ManagerClient client = new ManagerClient(URI.create(standIn.url() + "/"), Duration.ofSeconds(5));
            byte[] body = "{\"service_id\":\"a b\"}".getBytes(StandardCharsets.UTF_8);

            assertEquals(201, client.register(body).status());
            assertEquals(200, client.heartbeat("a b", body).status());
            assertEquals(200, client.deregister("a b", Duration.ofSeconds(2)).status());

            List<String> calls = standIn.calls().stream().map(c -> c.method() + " " + c.path()).toList();
            assertEquals(List.of("POST /services/register", "PUT /services/a%20b/heartbeat", "DELETE /services/a%20b"), calls);
            assertEquals("a b", standIn.calls().get(0).body().get("service_id").asText());
        }
    }

    @Test
    void aConfiguredTokenGoesWithEveryCallAndNoneWithoutOne() throws IOException {
        try (ManagerStandIn standIn = new ManagerStandIn()) {
            ManagerClient withToken = new ManagerClient(URI.create(standIn.url()), Duration.ofSeconds(5), "s3cret-token");
            byte[] body = "{\"service_id\":\"t\"}".getBytes(StandardCharsets.UTF_8);
            withToken.register(body);
            withToken.heartbeat("t", body);
            withToken.deregister("t", Duration.ofSeconds(2));
            new ManagerClient(URI.create(standIn.url()), Duration.ofSeconds(5)).register(body);

            List<String> sent = standIn.calls().stream().map(c -> String.valueOf(c.authorization())).toList();
            assertEquals(List.of("Bearer s3cret-token", "Bearer s3cret-token", "Bearer s3cret-token", "null"), sent);
        }
    }

    @Test
    void aManagerThatDoesNotAnswerHoldsDeregistrationNoLongerThanTheBudget() {
        try (ManagerStandIn standIn = new ManagerStandIn()) {
            standIn.answerAfter(Duration.ofSeconds(10));
            ManagerClient client = new ManagerClient(URI.create(standIn.url()), Duration.ofSeconds(5));
            long start = System.nanoTime();
            assertThrows(HttpTimeoutException.class, () -> client.deregister("slow", SelfRegistration.SHUTDOWN_BUDGET));
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(waited.compareTo(SelfRegistration.SHUTDOWN_BUDGET.plusMillis(500)) < 0, "waited " + waited);
        }
    }

    @Test
    void anUnreachableManagerIsAnIoErrorNotACrash() throws IOException {
        String url;
        try (ManagerStandIn gone = new ManagerStandIn()) {
            url = gone.url();
        }
        ManagerClient client = new ManagerClient(URI.create(url), Duration.ofSeconds(2));
        assertThrows(IOException.class, () -> client.register(new byte[] {'{', '}'}));
    }
}
