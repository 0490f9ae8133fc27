package io.quiver.server.protocol;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.Wire;
import io.restassured.http.ContentType;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Requests read into typed records (seed 002's /v1 API): what a client that gets the body wrong is
 * told, in the one error shape, naming the field as it wrote it; and bodies sent without a JSON
 * content type, as curl -d and many clients send them, are read all the same.
 */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
class TypedRequestBodiesTest {
    record Bad(String what, String body, String error) {
        @Override
        public String toString() {
            return what;
        }
    }

    static List<Bad> badLoads() {
        return List.of(
                new Bad("empty body", "", "request body is empty; expected JSON"),
                new Bad("null body", "null", "request body is empty; expected JSON"),
                new Bad("array body", "[]", "request body must be a JSON object, got an array"),
                new Bad("missing fields, each named", "{}",
                        "field 'model_id' is required; field 'registry_uri' is required"),
                new Bad("null field", "{\"model_id\": null, \"registry_uri\": \"x\"}", "field 'model_id' is required"),
                new Bad("array for text", "{\"model_id\": [\"a\"], \"registry_uri\": \"x\"}",
                        "field 'model_id' must be a string, got an array"),
                new Bad("object for text", "{\"model_id\": {\"a\": 1}, \"registry_uri\": \"x\"}",
                        "field 'model_id' must be a string, got an object"),
                new Bad("boolean for text", "{\"model_id\": true, \"registry_uri\": \"x\"}",
                        "field 'model_id' must be a string, got a boolean"),
                new Bad("misspelt field", "{\"model_id\": \"a\", \"registry_url\": \"x\"}",
                        "unknown field 'registry_url'"),
                new Bad("truncated JSON", "{\"model_id\": \"a\", ", "malformed JSON: Unexpected end-of-input"),
                new Bad("trailing content", "{\"model_id\": \"a\", \"registry_uri\": \"x\"} x", "malformed JSON"));
    }

    @BeforeEach
    void ready() throws InterruptedException {
        Wire.awaitReady();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badLoads")
    void aLoadRequestTheServerCannotReadIsA400NamingTheProblem(Bad bad) {
        given().body(bad.body()).contentType(ContentType.JSON)
                .post("/v1/models/load")
                .then().statusCode(400)
                .body("error", org.hamcrest.Matchers.startsWith(bad.error()))
                .body("request_id", notNullValue());
    }

    @Test
    void aBodyWithoutAJsonContentTypeIsReadAsJson() {
        given().body("{\"model_id\": \"typed_load\", \"registry_uri\": \"house_price/1\"}")
                .contentType("application/x-www-form-urlencoded")
                .post("/v1/models/load")
                .then().statusCode(200).body("model_id", equalTo("typed_load")).body("status", equalTo("loaded"));
        given().body("{\"model_id\": \"house_price\", \"inputs\": [[1.2, 3, 10]]}".getBytes())
                .post("/v1/infer")
                .then().statusCode(200).body("model_id", equalTo("house_price"));
    }

    @Test
    void inferenceRequestsIgnoreFieldsTheyDoNotKnowAsTheReferenceClientsExpect() {
        given().body("{\"model_id\": \"house_price\", \"model_version\": 1, \"client\": \"batch-job-7\", "
                        + "\"inputs\": [[1.2, 3, 10]]}")
                .contentType(ContentType.JSON)
                .post("/v1/infer")
                .then().statusCode(200).body("model_version", equalTo("1"));
    }
}
