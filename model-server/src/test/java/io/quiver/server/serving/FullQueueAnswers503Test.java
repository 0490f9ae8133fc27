package io.quiver.server.serving;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.SlowModel;
import io.quiver.server.testing.TightLimits;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** With one worker and one queue slot, a burst gets fast 503s with Retry-After, and the rest correct answers. */
@QuarkusTest
@TestProfile(TightLimits.class)
@WithTestResource(ExampleRepository.class)
class FullQueueAnswers503Test {
    private static final int CLIENTS = 16;

    @Test
    void aBurstBeyondWorkersAndQueueIsRefusedNotQueuedWithoutBound() throws Exception {
        given().contentType(ContentType.JSON)
                .body(Map.of("model_id", "slow", "registry_uri",
                        SlowModel.write(ExampleRepository.extraRoot().resolve("slow/1")).toString()))
                .post("/v1/models/load").then().statusCode(200);
        double expected = SlowModel.expected(0.5);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            // The JDK client opens a connection per concurrent request; REST Assured's pools two.
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/predict"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model_type\": \"slow\", \"data\": [0.5]}")).build();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                answers.add(clients.submit(() -> {
                    start.await();
                    return http.send(request, HttpResponse.BodyHandlers.ofString());
                }));
            }
            start.countDown();
            int ok = 0;
            int refused = 0;
            for (Future<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get();
                JsonPath json = JsonPath.from(response.body());
                if (response.statusCode() == 200) {
                    ok++;
                    assertEquals(expected, json.getFloat("predictions[0]"), expected * 1e-3);
                } else {
                    assertEquals(503, response.statusCode(), response.body());
                    refused++;
                    assertEquals("2", response.headers().firstValue("Retry-After").orElse(null));
                    assertTrue(json.getString("error").contains("busy"));
                }
            }
            System.out.printf("burst of %d: %d answered, %d refused with 503%n", CLIENTS, ok, refused);
            assertTrue(refused > 0, "a burst of 16 long requests cannot all fit one worker and one queue slot");
            assertTrue(ok >= 2, "the worker and the queue slot are used");
        } finally {
            clients.shutdownNow();
            given().delete("/models/slow").then().statusCode(200);
        }
    }
}
