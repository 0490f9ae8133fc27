package io.quiver.manager.warmup;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quiver.manager.testing.TempDataDir;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * With {@code quiver.manager.warmup.duration} set and tokens required, as production runs it, the
 * manager sends itself model traffic (HTTP/1.1 and gRPC) through its access check and router to a stand-in replica
 * before it reports ready. A user sees that in {@code quiver_manager_warmup_requests_total} and in
 * the readiness check's data, and nowhere else: no service is listed or reported, no request
 * meter names the stand-in, and once ready the stand-in's model is routed no more.
 */
@QuarkusTest
@TestProfile(ManagerWarmsUpBeforeReadyTest.OneSecondWithTokens.class)
@WithTestResource(TempDataDir.class)
class ManagerWarmsUpBeforeReadyTest {
    static final String CONTROL = "control-token-for-warmup-tests";

    public static class OneSecondWithTokens implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The test profile turns it off for every other test (application.properties).
            return Map.of("%test.quiver.manager.warmup.duration", "1s",
                    "quiver.manager.auth.enabled", "true",
                    "quiver.manager.auth.control-tokens", sha256(CONTROL));
        }
    }

    @Test
    void warmupTrafficIsAnsweredBeforeReadyAndLeavesNothingBehind() {
        Awaitility.await("the manager ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> given().get("/health/ready").statusCode() == 200);
        JsonPath ready = given().get("/health/ready").then().statusCode(200).extract().jsonPath();
        Map<String, Object> check = ready.getMap("checks.find { it.name == 'warm-up' }.data");
        long answered = ((Number) check.get("answered")).longValue();
        // Eight request forms, each sent at least once before the second of requests starts.
        assertTrue(answered >= 8, "warm-up requests answered before ready: " + check);
        assertEquals(0L, ((Number) check.get("failed")).longValue(), () -> "warm-up requests failed: " + check);
        // gRPC's ModelInfer among them, over HTTP/2 through the same port and access check.
        assertTrue(((Number) check.get("grpc_answered")).longValue() >= 1, () -> "no warm-up gRPC call answered: " + check);
        assertTrue(((Number) check.get("took_ms")).longValue() >= 1000, () -> "warm-up shorter than its duration: " + check);

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher counted = Pattern.compile("^quiver_manager_warmup_requests_total\\{[^}]*outcome=\"answered\"[^}]*} (\\S+)$",
                Pattern.MULTILINE).matcher(metrics);
        assertTrue(counted.find(), "no quiver_manager_warmup_requests_total{outcome=\"answered\"}");
        assertEquals(answered, (long) Double.parseDouble(counted.group(1)));
        assertFalse(metrics.contains(ManagerWarmup.STAND_IN), "a series names the stand-in");
        // No request was routed for a client yet, so the request meters have no series at all.
        assertFalse(metrics.contains("quiver_manager_requests_seconds_count"), "warm-up requests counted as requests");

        String control = "Bearer " + CONTROL;
        List<String> listed = given().header("Authorization", control).get("/services")
                .then().statusCode(200).extract().jsonPath().getList("services.service_id");
        assertFalse(listed.contains(ManagerWarmup.STAND_IN), "the stand-in is listed: " + listed);
        String summary = given().header("Authorization", control).get("/dashboard/api/summary")
                .then().statusCode(200).extract().asString();
        assertFalse(summary.contains(ManagerWarmup.STAND_IN), "the dashboard reports the stand-in: " + summary);

        // Once ready, the stand-in's model is no longer routed, even with a token that may send model traffic.
        given().header("Authorization", control).contentType("application/json")
                .body("{\"inputs\": [{\"name\": \"features\", \"shape\": [1, 4], \"datatype\": \"FP32\","
                        + " \"data\": [1.0, 2.0, 3.0, 4.0]}]}")
                .post("/v2/models/" + ManagerWarmup.STAND_IN + "/infer").then().statusCode(404);
        // And the access check is back to the configured tokens: the warm-up's is not one of them.
        given().contentType("application/json").body("{}").post("/predict").then().statusCode(401);
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
