package io.quiver.manager.mesh;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How the gateway (the real nginx, gateway/start) checks its users' credentials, in front of a
 * real manager that requires its own tokens: with each credential's check kept for
 * GATEWAY_AUTH_CACHE (the default way) and with the cache off (the password's hash checked on
 * every request). The right credential is served; a wrong or missing one gets the gateway's JSON
 * 401; a kept answer serves the very credential it was given for and no other; a user taken out of
 * the users file stops at the next request without the cache and within the cache time with it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshGatewayCredentialsIT {
    private static final String CONFIG = "config." + Gateway.DOMAIN;
    private static final String CONTROL_TOKEN = "gateway-credentials-it-control-token";
    private static final String DATA_TOKEN = "gateway-credentials-it-data-token";
    /** A machine client, revoked by the last tests. */
    private static final String ROBOT = "robot";
    private static final String OTHER = "other";
    /** Used by the last test alone, so that its first request is the one that makes the check kept. */
    private static final String NIGHTLY = "nightly";
    private static final Duration KEPT = Duration.ofSeconds(5);
    /** Beyond the cache time, for a request's own time on a busy machine. */
    private static final Duration SLACK = Duration.ofSeconds(5);

    /** No replica: the control calls these tests make are the manager's own (GET /services). */
    @RegisterExtension
    @Order(1)
    static final Mesh MESH = Mesh.withReplicas(0).withApiTokens(CONTROL_TOKEN, DATA_TOKEN);

    @RegisterExtension
    @Order(2)
    static final Gateway CACHED = gateway().setting("GATEWAY_AUTH_CACHE", KEPT.toSeconds() + "s");

    @RegisterExtension
    @Order(3)
    static final Gateway PER_REQUEST = gateway().setting("GATEWAY_AUTH_CACHE", "off");

    private static Gateway gateway() {
        // Waiting for a removed user's refusal polls the gateway every few tens of milliseconds for
        // seconds: under the default 20 r/s per address the answers after it would be 429s, not
        // the 401s this test is about.
        return Gateway.inFrontOf(MESH).withUser(ROBOT).withUser(OTHER).withUser(NIGHTLY)
                .setting("MANAGER_CONTROL_TOKEN", CONTROL_TOKEN).setting("MANAGER_DATA_TOKEN", DATA_TOKEN)
                .setting("GATEWAY_RATE", "1000r/s").setting("GATEWAY_BURST", "1000");
    }

    @Test
    @Order(1)
    void aMissingOrWrongCredentialGetsTheGatewaysJson401() {
        for (Gateway gateway : List.of(CACHED, PER_REQUEST)) {
            Response anonymous = request(gateway).get("/services");
            assertUnauthorized(anonymous);

            Response wrongPassword = request(gateway).auth().preemptive().basic(ROBOT, "not-" + gateway.password(ROBOT))
                    .get("/services");
            assertUnauthorized(wrongPassword);

            Response unknownUser = request(gateway).auth().preemptive().basic("nobody-here", gateway.password(ROBOT))
                    .get("/services");
            assertUnauthorized(unknownUser);

            // A bearer token is not a credential of the gateway, the manager's own token least of all.
            Response bearer = request(gateway).header("Authorization", "Bearer " + CONTROL_TOKEN).get("/services");
            assertUnauthorized(bearer);
        }
    }

    @Test
    @Order(2)
    void theRightCredentialIsServedWithTheGatewaysTokenToTheManager() {
        for (Gateway gateway : List.of(CACHED, PER_REQUEST)) {
            for (String user : List.of(Gateway.USER, ROBOT)) {
                for (int i = 0; i < 3; i++) {
                    Response services = as(gateway, user, gateway.password(user)).get("/services");
                    assertEquals(200, services.statusCode(), user + ": " + services.asString());
                    assertTrue(json(services).path("services").isArray(), services.asString());
                }
            }
        }
    }

    @Test
    @Order(3)
    void aKeptAnswerServesOnlyTheCredentialItWasGivenFor() {
        // The robot's yes is kept now (the test before); nothing near it may ride on it.
        Response kept = as(CACHED, ROBOT, CACHED.password(ROBOT)).get("/services");
        assertEquals(200, kept.statusCode(), kept.asString());

        assertUnauthorized(as(CACHED, ROBOT, CACHED.password(ROBOT) + "x").get("/services"));
        assertUnauthorized(as(CACHED, ROBOT, "").get("/services"));
        assertUnauthorized(as(CACHED, OTHER, CACHED.password(ROBOT)).get("/services"));
        assertUnauthorized(as(CACHED, ROBOT.toUpperCase(), CACHED.password(ROBOT)).get("/services"));
        assertUnauthorized(request(CACHED).get("/services"));

        // And a refusal is not kept: the other user's own password, tried after the above, is served.
        Response other = as(CACHED, OTHER, CACHED.password(OTHER)).get("/services");
        assertEquals(200, other.statusCode(), other.asString());
    }

    @Test
    @Order(4)
    void withoutTheCacheARemovedUserStopsAtTheNextRequest() throws IOException {
        Response before = as(PER_REQUEST, ROBOT, PER_REQUEST.password(ROBOT)).get("/services");
        assertEquals(200, before.statusCode(), before.asString());

        PER_REQUEST.removeUser(ROBOT);

        assertUnauthorized(as(PER_REQUEST, ROBOT, PER_REQUEST.password(ROBOT)).get("/services"));
        Response operator = as(PER_REQUEST, Gateway.USER, PER_REQUEST.password()).get("/services");
        assertEquals(200, operator.statusCode(), "only the removed user stops: " + operator.asString());
    }

    @Test
    @Order(5)
    void withTheCacheARemovedUserStopsWithinTheCacheTime() throws IOException {
        // The user's first request: its check is made, and kept for KEPT, at or after this instant.
        long checkedFrom = System.nanoTime();
        Response before = as(CACHED, NIGHTLY, CACHED.password(NIGHTLY)).get("/services");
        assertEquals(200, before.statusCode(), before.asString());

        CACHED.removeUser(NIGHTLY);
        long removed = System.nanoTime();

        // Served from the kept answer while it lasts: the users file is not read again. (Checked only
        // when the machine let this request go out in time; the refusal below is checked always.)
        Response kept = as(CACHED, NIGHTLY, CACHED.password(NIGHTLY)).get("/services");
        if (Duration.ofNanos(System.nanoTime() - checkedFrom).compareTo(KEPT.minusSeconds(1)) < 0) {
            assertEquals(200, kept.statusCode(), "the kept answer was not used: " + kept.asString());
        }

        Mesh.await("the removed user is refused", KEPT.plus(SLACK),
                () -> as(CACHED, NIGHTLY, CACHED.password(NIGHTLY)).get("/services").statusCode() == 401);
        Duration took = Duration.ofNanos(System.nanoTime() - removed);
        System.out.printf("[mesh] %s: the removed user was refused %d ms after its removal (cache time %d s)%n",
                getClass().getSimpleName(), took.toMillis(), KEPT.toSeconds());
        assertUnauthorized(as(CACHED, NIGHTLY, CACHED.password(NIGHTLY)).get("/services"));
        Response operator = as(CACHED, Gateway.USER, CACHED.password()).get("/services");
        assertEquals(200, operator.statusCode(), "only the removed user stops: " + operator.asString());
    }

    private static void assertUnauthorized(Response response) {
        assertEquals(401, response.statusCode(), response.asString());
        assertTrue(response.header("WWW-Authenticate").startsWith("Basic realm="), response.headers().toString());
        JsonNode body = json(response);
        assertTrue(body.path("error").asText().contains("credentials required"), response.asString());
        assertEquals(response.header("X-Request-Id"), body.path("request_id").asText(), response.asString());
    }

    private static RequestSpecification request(Gateway gateway) {
        return given().baseUri(gateway.uri("").toString()).header("Host", CONFIG).redirects().follow(false);
    }

    private static RequestSpecification as(Gateway gateway, String user, String password) {
        return request(gateway).auth().preemptive().basic(user, password);
    }

    private static JsonNode json(Response response) {
        try {
            return Http.JSON.readTree(response.asString());
        } catch (JsonProcessingException e) {
            throw new AssertionError("HTTP " + response.statusCode() + " body is not JSON: " + response.asString(), e);
        }
    }
}
