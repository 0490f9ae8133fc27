package io.quiver.server.extensions;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.server.testing.ExtensionsRepository;
import io.quiver.server.testing.Wire;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad requests to the repository, configuration and statistics endpoints: each answered with its
 * 4xx and the one error shape, naming what was wrong; none leaves the server unable to infer.
 */
@QuarkusTest
@WithTestResource(ExtensionsRepository.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExtensionBadRequestsTest {
    private static final String INDEX = "/v2/repository/index";
    private static final String LOAD_HOUSE = "/v2/repository/models/house_price/load";

    record Bad(String problem, String method, String path, String body, int status, String fragment) {
        @Override
        public String toString() {
            return problem;
        }
    }

    static Stream<Bad> catalogue() {
        return Stream.of(
                new Bad("index: malformed JSON", "POST", INDEX, "{\"ready\": ", 400, "malformed JSON"),
                new Bad("index: ready not a boolean", "POST", INDEX, "{\"ready\": \"yes\"}", 400,
                        "'ready' must be a boolean, got a string"),
                new Bad("index: ready a number", "POST", INDEX, "{\"ready\": 1}", 400, "'ready' must be a boolean"),
                new Bad("index: body an array", "POST", INDEX, "[]", 400, "must be a JSON object, got an array"),
                new Bad("index: misspelled field", "POST", INDEX, "{\"raedy\": true}", 400, "unknown field 'raedy'"),
                new Bad("index: GET instead of POST", "GET", INDEX, null, 405, "not allowed"),
                new Bad("load: malformed JSON", "POST", LOAD_HOUSE, "{\"parameters\": {", 400, "malformed JSON"),
                new Bad("load: parameters not an object", "POST", LOAD_HOUSE, "{\"parameters\": [1]}", 400,
                        "'parameters' must be an object, got an array"),
                new Bad("load: a config override", "POST", LOAD_HOUSE,
                        "{\"parameters\": {\"config\": \"{\\\"max_batch_size\\\": 8}\"}}", 400,
                        "parameter 'config' is not supported"),
                new Bad("load: model files in the request", "POST", LOAD_HOUSE,
                        "{\"parameters\": {\"file:1/model.onnx\": \"AAAA\"}}", 400,
                        "parameter 'file:1/model.onnx' is not supported"),
                new Bad("load: a model not in the repository", "POST", "/v2/repository/models/no_such_model/load", "{}",
                        404, "'no_such_model' is not in the repository"),
                new Bad("load: a name that is not a directory name", "POST", "/v2/repository/models/a..b/load", "{}",
                        400, "model name 'a..b' may hold only"),
                new Bad("unload: a model not loaded", "POST", "/v2/repository/models/no_such_model/unload", null,
                        404, "'no_such_model' is not loaded"),
                new Bad("unload: malformed JSON", "POST", "/v2/repository/models/house_price/unload", "{", 400,
                        "malformed JSON"),
                new Bad("config: unknown model", "GET", "/v2/models/no_such_model/config", null, 404,
                        "'no_such_model' is not loaded"),
                new Bad("config: unknown version", "GET", "/v2/models/house_price/versions/9/config", null, 404,
                        "has no version '9'"),
                new Bad("stats: unknown model", "GET", "/v2/models/no_such_model/stats", null, 404,
                        "'no_such_model' is not loaded"),
                new Bad("stats: unknown version", "GET", "/v2/models/house_price/versions/9/stats", null, 404,
                        "has no version '9'"),
                new Bad("stats: POST instead of GET", "POST", "/v2/models/stats", "{}", 405, "not allowed"));
    }

    @BeforeEach
    void startupLoadingIsDone() throws InterruptedException {
        TritonClient.awaitReady();
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogue")
    void isRefusedWithItsStatusAndAMessageNamingTheProblem(Bad bad) {
        RequestSpecification request = given().contentType(ContentType.JSON);
        if (bad.body() != null) {
            request.body(bad.body());
        }
        Response response = request.request(bad.method(), bad.path());
        String answer = response.asString();
        assertEquals(bad.status(), response.statusCode(), () -> bad + " answered " + answer);
        JsonNode error = Wire.read(answer);
        assertTrue(error.path("error").asText().contains(bad.fragment()), () -> bad + " answered " + answer);
        assertFalse(error.path("request_id").asText().isBlank(), () -> bad + " answered " + answer);
    }

    @Test
    @Order(2)
    void afterwardsTheServerStillInfers() {
        given().contentType(ContentType.JSON).body(TritonClient.houseRequest(2))
                .post("/v2/models/house_price/infer").then().statusCode(200);
        given().post(INDEX).then().statusCode(200);
    }
}
