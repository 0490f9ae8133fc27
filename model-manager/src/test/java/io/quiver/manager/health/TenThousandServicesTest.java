package io.quiver.manager.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quiver.manager.registry.ServiceRecord;
import io.quiver.manager.registry.ServiceRegistry;
import io.quiver.manager.testing.TempDataDir;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A registry of ten thousand services, every one of them health-checked against a slow /ready:
 * predictions for the few services of the requested type still go through, and the checker never
 * has more checks in flight than it is allowed.
 */
@QuarkusTest
@WithTestResource(TempDataDir.class)
@TestProfile(TenThousandServicesTest.BoundedChecks.class)
class TenThousandServicesTest {
    private static final int MAX_CHECKS = 8;
    private static final int OTHERS = 10_000;
    private static final String TYPE = "scale_type";

    public static class BoundedChecks implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quiver.manager.health.interval", "1s",
                    "quiver.manager.health.max-concurrent-checks", String.valueOf(MAX_CHECKS));
        }
    }

    @Inject
    ServiceRegistry registry;

    @Inject
    HealthChecker checker;

    @TestHTTPResource("/predict")
    URI predict;

    private HttpServer service;
    private ExecutorService serviceThreads;
    private final AtomicInteger readyInFlight = new AtomicInteger();
    private final AtomicInteger readyPeak = new AtomicInteger();
    private final AtomicInteger readyChecks = new AtomicInteger();

    @BeforeEach
    void startService() throws IOException {
        service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        serviceThreads = Executors.newFixedThreadPool(64);
        service.setExecutor(serviceThreads);
        service.createContext("/ready", exchange -> {
            readyPeak.accumulateAndGet(readyInFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                readyInFlight.decrementAndGet();
                readyChecks.incrementAndGet();
            }
            reply(exchange, "{\"ready\": true}");
        });
        service.createContext("/predict", exchange -> {
            exchange.getRequestBody().readAllBytes();
            reply(exchange, "{\"predictions\": [1.0]}");
        });
        service.start();
    }

    @AfterEach
    void stopService() {
        service.stop(0);
        serviceThreads.shutdownNow();
    }

    @Test
    void predictionsGoThroughWhileTenThousandServicesAreCheckedWithBoundedConcurrency() throws Exception {
        String url = "http://127.0.0.1:" + service.getAddress().getPort();
        for (int i = 0; i < OTHERS; i++) {
            registry.register(record("other-" + i, url, "other_type_" + (i % 100)));
        }
        for (int i = 0; i < 3; i++) {
            registry.register(record("scale-" + i, url, TYPE));
        }
        assertEquals(3, registry.serving(TYPE).size(), "the index holds only the services of the type");

        HttpClient client = HttpClient.newHttpClient();
        AtomicInteger served = new AtomicInteger();
        await("500 checks made and 200 predictions served").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(1)).pollInSameThread().until(() -> {
                    HttpResponse<String> answer = client.send(HttpRequest.newBuilder(predict)
                                    .timeout(Duration.ofSeconds(5))
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"model_type\": \"" + TYPE + "\", \"data\": [1]}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, answer.statusCode(), answer.body());
                    assertTrue(answer.headers().firstValue("X-Served-By").orElse("").startsWith("scale-"),
                            "served by a service of the requested type");
                    served.incrementAndGet();
                    return readyChecks.get() >= 500 && served.get() >= 200;
                });
        assertTrue(readyPeak.get() <= MAX_CHECKS, "at most " + MAX_CHECKS + " checks at once, saw " + readyPeak.get());
        assertTrue(checker.peakConcurrentChecks() <= MAX_CHECKS, "the checker's own count agrees");
        assertTrue(readyPeak.get() > 1, "checks run side by side, not one at a time");
    }

    private static ServiceRecord record(String id, String url, String type) {
        return new ServiceRecord(id, url, type, List.of(type), List.of("prediction"), List.of(), null, null, null,
                null, Instant.now());
    }

    private static void reply(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
