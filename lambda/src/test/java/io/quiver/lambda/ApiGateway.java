package io.quiver.lambda;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.amazon.lambda.runtime.AmazonLambdaApi;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * Plays API Gateway's HTTP API in front of the function: each request becomes a payload-format-2.0
 * event, written by hand with the names API Gateway gives its fields (a plain mapper, not the
 * application's), and is handed to the function through Quarkus' mock Lambda event server, which
 * stands in for the Lambda service since none can run here. The function's answer is read the way
 * API Gateway reads it.
 */
final class ApiGateway {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiGateway() {
    }

    /** What API Gateway makes of the function's answer: a status, a content type and a body. */
    record Answer(int statusCode, String contentType, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new AssertionError("the body is not JSON: " + body, e);
            }
        }
    }

    /** A POST of a JSON body to {@code path}, as a client sends it to the API's default stage. */
    static Answer post(String path, JsonNode body) {
        return post(path, body.toString());
    }

    static Answer post(String path, String body) {
        ObjectNode event = JSON.createObjectNode()
                .put("version", "2.0")
                .put("routeKey", "$default")
                .put("rawPath", path)
                .put("rawQueryString", "");
        event.putObject("headers")
                .put("content-type", "application/json")
                .put("accept", "application/json")
                .put("content-length", Integer.toString(body.getBytes(StandardCharsets.UTF_8).length));
        ObjectNode context = event.putObject("requestContext")
                .put("accountId", "123456789012")
                .put("apiId", "quiver")
                .put("domainName", "quiver.execute-api.eu-west-1.amazonaws.com")
                .put("domainPrefix", "quiver")
                .put("requestId", UUID.randomUUID().toString())
                .put("routeKey", "$default")
                .put("stage", "$default")
                .put("timeEpoch", Instant.now().toEpochMilli());
        context.putObject("http")
                .put("method", "POST")
                .put("path", path)
                .put("protocol", "HTTP/1.1")
                .put("sourceIp", "192.0.2.1")
                .put("userAgent", "quiver-test");
        event.put("body", body).put("isBase64Encoded", false);

        String raw = given().contentType("application/json").body(event.toString())
                .when().post(AmazonLambdaApi.API_BASE_PATH_TEST)
                .then().statusCode(200).extract().asString();
        return answer(raw);
    }

    private static Answer answer(String raw) {
        JsonNode response;
        try {
            response = JSON.readTree(raw);
        } catch (JsonProcessingException e) {
            throw new AssertionError("the function's answer is not JSON: " + raw, e);
        }
        // API Gateway takes an answer without statusCode for a body to return with 200.
        assertTrue(response.path("statusCode").isInt(), "no statusCode in the function's answer: " + raw);
        String body = response.path("body").asText("");
        if (response.path("isBase64Encoded").asBoolean(false)) {
            body = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
        }
        return new Answer(response.path("statusCode").asInt(), contentType(response), body);
    }

    /** The handler may put headers in either map; API Gateway merges them. */
    private static String contentType(JsonNode response) {
        for (String map : new String[] {"headers", "multiValueHeaders"}) {
            var fields = response.path(map).fields();
            while (fields.hasNext()) {
                var header = fields.next();
                if (header.getKey().equalsIgnoreCase("content-type")) {
                    JsonNode value = header.getValue();
                    return value.isArray() ? value.get(0).asText() : value.asText();
                }
            }
        }
        return null;
    }
}
