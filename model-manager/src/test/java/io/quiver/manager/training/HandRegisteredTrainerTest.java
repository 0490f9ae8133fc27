package io.quiver.manager.training;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quiver.manager.testing.TempDataDir;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A model-server registered by hand (seed 003's POST /services/register, no heartbeats) that
 * trains a model of a new type through the manager gets that type's /predict traffic once the job
 * has finished, within a health-check interval or so: the manager learns the type from the job.
 * A stub stands in for the model-server, so that the test decides when the job finishes.
 */
@QuarkusTest
@WithTestResource(TempDataDir.class)
@TestProfile(HandRegisteredTrainerTest.ChecksEverySecond.class)
class HandRegisteredTrainerTest {
    private static final String TYPE = "hand_trained";

    public static class ChecksEverySecond implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quiver.manager.health.interval", "1s");
        }
    }

    private HttpServer server;
    private volatile String state = "running";

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/ready", exchange -> reply(exchange, 200, "{\"ready\": true}"));
        server.createContext("/train", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestMethod().equals("POST")) {
                reply(exchange, 202, "{\"job_id\": \"job-1\", \"state\": \"queued\"}");
            } else if (exchange.getRequestURI().getPath().equals("/train/job-1")) {
                reply(exchange, 200, "{\"job_id\": \"job-1\", \"model_type\": \"" + TYPE + "\", \"state\": \"" + state
                        + "\", \"version\": \"1\"}");
            } else {
                reply(exchange, 404, "{\"error\": \"no such job\"}");
            }
        });
        server.createContext("/predict", exchange -> {
            exchange.getRequestBody().readAllBytes();
            reply(exchange, 200, "{\"predictions\": [1.0]}");
        });
        server.start();
        given().contentType(ContentType.JSON).body(Map.of("service_id", "hand-registered",
                        "service_url", "http://127.0.0.1:" + server.getAddress().getPort(),
                        "model_type", "hand_existing", "capabilities", java.util.List.of("prediction", "training")))
                .post("/services/register").then().statusCode(201);
    }

    @AfterEach
    void stopServer() {
        given().delete("/services/hand-registered");
        server.stop(0);
    }

    @Test
    void aTypeTrainedOnAHandRegisteredServerIsRoutedOnceTheJobFinished() {
        given().contentType(ContentType.JSON).body("{\"model_type\": \"" + TYPE + "\", \"config\": {}}")
                .post("/train").then().statusCode(202);
        given().contentType(ContentType.JSON).body("{\"model_type\": \"" + TYPE + "\", \"data\": [1]}")
                .post("/predict").then().statusCode(404);

        state = "succeeded";
        await("/predict to reach the server that trained " + TYPE).atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> given().contentType(ContentType.JSON).body("{\"model_type\": \"" + TYPE + "\", \"data\": [1]}")
                        .post("/predict").statusCode() == 200);
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
