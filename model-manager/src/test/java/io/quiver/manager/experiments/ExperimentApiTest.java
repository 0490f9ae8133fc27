package io.quiver.manager.experiments;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.manager.testing.TempDataDir;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@QuarkusTest
@WithTestResource(TempDataDir.class)
class ExperimentApiTest {
    private static final String SPLIT = """
            {"variants": [
              {"name": "a", "model_type": "regression", "model_version": "1", "weight": 80},
              {"name": "b", "model_type": "regression", "model_version": "2", "weight": 20}],
             "shadow": [{"name": "next", "model_type": "regression", "model_version": "3", "percent": 50}],
             "sticky_header": "X-User-Id"}
            """;

    @Test
    void theExperimentsFileCreatesItsValidExperimentsAndSkipsTheInvalidOne() {
        given().get("/experiments/from_file").then().statusCode(200)
                .body("variants.name", equalTo(List.of("a", "b")))
                .body("variants.weight", equalTo(List.of(90, 10)))
                .body("variants[1].model_version", equalTo("2"))
                .body("sticky_header", equalTo("X-User-Id"))
                .body("default_variant", equalTo("a"));
        given().get("/experiments/broken_in_file").then().statusCode(404);
    }

    @Test
    void putCreatesThenReplacesPatchChangesWeightsAndDeleteEnds() throws Exception {
        given().contentType(ContentType.JSON).body(SPLIT).put("/experiments/checkout").then().statusCode(201)
                .body("name", equalTo("checkout"))
                .body("variants.weight", equalTo(List.of(80, 20)))
                .body("shadow[0].percent", equalTo(50));
        given().contentType(ContentType.JSON).body(SPLIT).put("/experiments/checkout").then().statusCode(200);
        given().get("/experiments").then().statusCode(200).body("experiments.name", hasItem("checkout"));

        given().contentType(ContentType.JSON).body("{\"weights\": {\"a\": 70, \"b\": 30}, \"shadow_percent\": {\"next\": 5}}")
                .patch("/experiments/checkout").then().statusCode(200)
                .body("variants.weight", equalTo(List.of(70, 30)))
                .body("shadow[0].percent", equalTo(5));
        JsonNode stored = new ObjectMapper().readTree(Files.readAllBytes(TempDataDir.dataDir().resolve("experiments.json")));
        assertEquals(70, stored.path("experiments").path("checkout").path("variants").get(0).path("weight").asInt(),
                "the weight change is on disk: " + stored);

        given().delete("/experiments/checkout").then().statusCode(200).body("name", equalTo("checkout"));
        given().get("/experiments/checkout").then().statusCode(404).body("error", containsString("checkout"));
        given().get("/experiments").then().body("experiments.name", not(hasItem("checkout")));
        given().delete("/experiments/checkout").then().statusCode(404);
        stored = new ObjectMapper().readTree(Files.readAllBytes(TempDataDir.dataDir().resolve("experiments.json")));
        assertFalse(stored.path("experiments").has("checkout"), "the ended experiment is gone from disk: " + stored);
    }

    static Stream<Arguments> invalidExperiments() {
        String a = "{\"name\": \"a\", \"model_type\": \"t\", \"weight\": ";
        return Stream.of(
                Arguments.of("{\"variants\": [" + a + "0}]}", "sum to 0"),
                Arguments.of("{\"variants\": [" + a + "-1}]}", "whole number from 0"),
                Arguments.of("{\"variants\": [" + a + "80.5}]}", "got 80.5"),
                Arguments.of("{\"variants\": [" + a + "\"80\"}]}", "whole number"),
                Arguments.of("{\"variants\": [" + a + "1}, " + a + "2}]}", "used twice"),
                Arguments.of("{\"variants\": [" + a + "1}], \"shadow\": [{\"name\": \"a\", \"model_type\": \"t\"}]}",
                        "used twice"),
                Arguments.of("{\"variants\": [" + a + "1}], \"colour\": 1}", "unknown field 'colour'"),
                Arguments.of("{\"variants\": [{\"name\": \"a\", \"model_type\": \"t\", \"weight\": 1, \"wieght\": 2}]}",
                        "unknown field 'wieght' in variants[0]"),
                Arguments.of("{\"variants\": [{\"name\": \"a b\", \"model_type\": \"t\", \"weight\": 1}]}", "'a b'"),
                Arguments.of("{\"variants\": []}", "non-empty array"),
                Arguments.of("{\"variants\": [{\"name\": \"a\", \"weight\": 1}]}", "needs a model_type, services"),
                Arguments.of("{\"variants\": [{\"name\": \"a\", \"services\": [], \"weight\": 1}]}", "services must be"),
                Arguments.of("{\"variants\": [" + a + "1}], \"shadow\": [{\"name\": \"s\", \"model_type\": \"t\", "
                        + "\"percent\": 101}]}", "percent must be a whole number from 0 to 100"),
                Arguments.of("{\"variants\": [" + a + "1}], \"default_variant\": \"z\"}", "default_variant 'z'"),
                Arguments.of("{\"variants\": [" + a + "1}], \"sticky_header\": \"X User\"}", "sticky_header"),
                Arguments.of("{\"variants\": [" + a + "2000000}]}", "1000000"),
                Arguments.of("[1]", "JSON object"),
                Arguments.of("{\"variants\": ", "malformed JSON"));
    }

    @ParameterizedTest
    @MethodSource("invalidExperiments")
    void invalidExperimentsAre400NamingTheProblem(String body, String problem) {
        given().contentType(ContentType.JSON).body(body).put("/experiments/invalid").then().statusCode(400)
                .body("error", containsString(problem)).body("request_id", not(equalTo(null)));
        given().get("/experiments/invalid").then().statusCode(404);
    }

    @Test
    void anExperimentNameOutsideTheCharsetIs400() {
        given().contentType(ContentType.JSON).body(SPLIT).put("/experiments/bad!name").then().statusCode(400)
                .body("error", containsString("experiment name 'bad!name'"));
    }

    @Test
    void weightChangesAreValidatedAndUnknownNamesAre404() {
        given().contentType(ContentType.JSON).body(SPLIT).put("/experiments/patched").then().statusCode(201);
        given().contentType(ContentType.JSON).body("{\"weights\": {\"c\": 5}}").patch("/experiments/patched").then()
                .statusCode(404).body("error", containsString("no variant 'c'"));
        given().contentType(ContentType.JSON).body("{\"shadow_percent\": {\"a\": 5}}").patch("/experiments/patched")
                .then().statusCode(404).body("error", containsString("no shadow 'a'"));
        given().contentType(ContentType.JSON).body("{\"weights\": {\"a\": 0, \"b\": 0}}").patch("/experiments/patched")
                .then().statusCode(400).body("error", containsString("sum to 0"));
        given().contentType(ContentType.JSON).body("{\"weights\": {\"a\": -3}}").patch("/experiments/patched")
                .then().statusCode(400).body("error", containsString("weights.a"));
        given().contentType(ContentType.JSON).body("{\"weight\": {\"a\": 3}}").patch("/experiments/patched")
                .then().statusCode(400).body("error", containsString("unknown field 'weight'"));
        given().contentType(ContentType.JSON).body("{\"weights\": {\"a\": 1}}").patch("/experiments/nothing")
                .then().statusCode(404);
        given().get("/experiments/patched").then().body("variants.weight", equalTo(List.of(80, 20)));
    }

    @Test
    void seedPredictionsNameTheVariantAndCountItsErrors() {
        given().contentType(ContentType.JSON).body("{\"features\": {\"x\": 1}}").post("/api/v1/predictions").then()
                .statusCode(404).body("error", containsString("no experiment 'default'"));
        given().contentType(ContentType.JSON).body("""
                {"variants": [{"name": "a", "model_type": "absent_type", "weight": 3},
                              {"name": "b", "model_type": "absent_type", "model_version": "2", "weight": 1}]}
                """).put("/experiments/default").then().statusCode(201);
        given().contentType(ContentType.JSON).body("{\"features\": {\"x\": 1}}").post("/api/v1/predictions").then()
                .statusCode(404).header("X-Variant", "a").body("error", containsString("absent_type"));
        given().contentType(ContentType.JSON).body("{\"features\": {\"x\": 1}}").post("/api/v1/models/b/predictions")
                .then().statusCode(404).header("X-Variant", "b");
        given().contentType(ContentType.JSON).body("{\"features\": {\"x\": 1}}").post("/api/v1/models/c/predictions")
                .then().statusCode(404).body("error", containsString("no variant 'c'"));
        for (int i = 0; i < 4; i++) {
            given().contentType(ContentType.JSON).body("{\"features\": {\"x\": 1}}").post("/api/v1/ab/predictions")
                    .then().statusCode(404);
        }
        given().contentType(ContentType.JSON).body("{\"feature\": {\"x\": 1}}").post("/api/v1/ab/predictions").then()
                .statusCode(400).body("error", containsString("unknown field 'feature'"));
        given().contentType(ContentType.JSON).body("{\"features\": 3}").post("/api/v1/ab/predictions").then()
                .statusCode(400).body("error", containsString("'features' must be"));

        // The default request and three of the four split ones went to a; the named one and the fourth to b.
        given().get("/experiments/default/summary").then().statusCode(200)
                .body("variants.name", equalTo(List.of("a", "b")))
                .body("variants.requests", equalTo(List.of(4, 2)))
                .body("variants.errors", equalTo(List.of(4, 2)))
                .body("variants[0].share", equalTo(0.75f))
                .body("variants[0].latency_ms.p99", not(equalTo(null)));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("quiver_manager_experiment_requests_seconds_count{experiment=\"default\",role=\"primary\",variant=\"a\"} 4.0"))
                .body(containsString("quiver_manager_experiment_errors_total{experiment=\"default\",role=\"primary\",variant=\"b\"} 2.0"));
        given().delete("/experiments/default").then().statusCode(200);
    }

    /**
     * The variant is chosen, and named in X-Variant, before anything is sent, so a split over model
     * types no service serves shows the assignment alone: every request is a fast 404.
     */
    @Test
    void usersOverAnEightyTwentySplitLandWithinTwoPointsAndKeepTheirVariant() {
        given().contentType(ContentType.JSON).body("""
                {"variants": [{"name": "a", "model_type": "absent_type", "weight": 80},
                              {"name": "b", "model_type": "absent_type", "weight": 20}],
                 "sticky_header": "X-User-Id", "sticky_field": "user_id"}
                """).put("/experiments/default").then().statusCode(201);
        int users = 2_000;
        String[] first = new String[users];
        int onA = 0;
        for (int user = 0; user < users; user++) {
            first[user] = variantOf("user-" + user, FEATURES);
            onA += first[user].equals("a") ? 1 : 0;
        }
        double share = 100.0 * onA / users;
        System.out.printf("[experiments] %d users over 80/20 through the API: %.2f%% on a%n", users, share);
        assertEquals(80, share, 2, "share of users on a");
        for (int user = 0; user < users; user += 10) {
            assertEquals(first[user], variantOf("user-" + user, FEATURES), "user-" + user + " by header");
            assertEquals(first[user], variantOf(null, "{\"features\": {\"x\": 1}, \"user_id\": \"user-" + user + "\"}"),
                    "user-" + user + " by body field");
        }
        int unkeyedOnA = 0;
        for (int i = 0; i < 500; i++) {
            unkeyedOnA += variantOf(null, FEATURES).equals("a") ? 1 : 0;
        }
        assertEquals(400, unkeyedOnA, "unkeyed requests rotate exactly 80/20");
        given().delete("/experiments/default").then().statusCode(200);
    }

    private static final String FEATURES = "{\"features\": {\"x\": 1}}";

    /** The variant a split request was assigned; {@code user} goes in X-User-Id when not null. */
    private static String variantOf(String user, String body) {
        var request = given().contentType(ContentType.JSON).body(body);
        if (user != null) {
            request.header("X-User-Id", user);
        }
        return request.post("/api/v1/ab/predictions").then().statusCode(404).extract().header("X-Variant");
    }

    static Stream<Arguments> invalidAggregates() {
        return Stream.of(
                Arguments.of("{\"data\": [1]}", "either 'model_types' or 'experiment'"),
                Arguments.of("{\"model_types\": [\"t\"], \"experiment\": \"e\", \"data\": [1]}", "either 'model_types'"),
                Arguments.of("{\"model_types\": [\"t\"]}", "either 'data'"),
                Arguments.of("{\"model_types\": [], \"data\": [1]}", "array of 1 to 16"),
                Arguments.of("{\"model_types\": [\"t\", \"t\"], \"data\": [1]}", "twice"),
                Arguments.of("{\"model_types\": [\"t\"], \"data\": [1], \"combine\": \"median\"}", "none, mean, vote"),
                Arguments.of("{\"model_types\": [\"t\"], \"data\": [1], \"deadline_ms\": 0}", "deadline_ms"),
                Arguments.of("{\"model_types\": [\"t\"], \"data\": [1], \"deadline_ms\": 999999}", "deadline_ms"),
                Arguments.of("{\"model_types\": [\"t\"], \"data\": [1], \"extra\": 1}", "unknown field 'extra'"));
    }

    @ParameterizedTest
    @MethodSource("invalidAggregates")
    void invalidAggregatesAre400(String body, String problem) {
        given().contentType(ContentType.JSON).body(body).post("/predict/aggregate").then().statusCode(400)
                .body("error", containsString(problem));
    }

    @Test
    void anAggregateNoTargetAnsweredIs502ListingEachFailure() {
        given().contentType(ContentType.JSON).body("{\"model_types\": [\"absent_one\", \"absent_two\"], \"data\": [1]}")
                .post("/predict/aggregate").then().statusCode(502)
                .body("error", containsString("absent_one")).body("error", containsString("absent_two"));
        given().contentType(ContentType.JSON).body("{\"experiment\": \"nothing\", \"data\": [1]}")
                .post("/predict/aggregate").then().statusCode(404);
    }
}
