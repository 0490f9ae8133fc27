package io.quiver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.TightLimits;
import io.quiver.server.testing.Wire;
import io.restassured.RestAssured;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A body sent in chunks declares no length, so it cannot be refused before it is read: it is read
 * up to the configured limit (4 KiB here) and refused with the JSON error once it passes it, while
 * a chunked body within the limit is served as any other.
 */
@QuarkusTest
@TestProfile(TightLimits.class)
@WithTestResource(ExampleRepository.class)
class RequestBodyLimitTest {

    /** The models load in the background at start; until then an inference is answered 503. */
    @BeforeEach
    void startupLoadingIsDone() {
        Wire.awaitReady();
    }
    private static final String INFER = "/v2/models/house_price/infer";

    private static HttpResponse<String> postChunked(byte[] body) throws Exception {
        // A publisher of unknown length: the JDK client sends it with Transfer-Encoding: chunked.
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + INFER))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build();
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aChunkedBodyOverTheConfiguredLimitGetsTheJsonError() throws Exception {
        byte[] body = ("{\"inputs\": [], \"padding\": \"" + "x".repeat(8 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> answer = postChunked(body);
        assertEquals(413, answer.statusCode(), answer.body());
        assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertTrue(answer.body().contains("\"error\":\"request body is over the limit of 4096 bytes\""), answer.body());
    }

    @Test
    void aChunkedBodyWithinTheLimitIsServed() throws Exception {
        byte[] body = "{\"inputs\": [{\"name\": \"features\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1200.0, 3.0, 10.0]}]}"
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> answer = postChunked(body);
        assertEquals(200, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains("\"name\":\"price\""), answer.body());
    }
}
