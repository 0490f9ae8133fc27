package io.quiver.server.serving;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.examples.ReferenceModels;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.FastRepositoryPolling;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The life of a version under traffic: a new version published into the repository becomes
 * "latest" while clients keep sending, clients pinned to an older version keep their answers, and
 * retiring the newest version moves "latest" back, all without one failed request. Requests pinned
 * to a retired version get a 404 naming it once it is gone, never an error.
 */
@QuarkusTest
@TestProfile(FastRepositoryPolling.class)
@WithTestResource(ExampleRepository.class)
class LatestMovesAndRetiresUnderLoadTest {
    private static final int CLIENTS = 6;
    private static final List<Integer> ROW = List.of(3, 1, 2);
    private static final String NEW_VERSION = "20";

    @Test
    void latestMovesToAPublishedVersionAndBackWhenItIsRetiredWithoutAFailedRequest() throws Exception {
        given().get("/ready").then().statusCode(200);
        double[] row = ROW.stream().mapToDouble(Integer::doubleValue).toArray();
        // Version 20 holds version 1's weights, so the switch is visible in every answer.
        double published = ReferenceModels.housePrice(1, row)[0];
        double pinned = ReferenceModels.housePrice(2, row)[0];

        Traffic traffic = new Traffic();
        traffic.start(() -> {
            Response latest = predict(null);
            float price = latest.statusCode() == 200 ? latest.jsonPath().getFloat("predictions[0]") : Float.NaN;
            if (Math.abs(price - pinned) < 1e-4) {
                traffic.latestOld.incrementAndGet();
            } else if (Math.abs(price - published) < 1e-4) {
                traffic.latestNew.incrementAndGet();
            } else {
                traffic.failures.add("latest: " + latest.statusCode() + " " + latest.asString());
            }
            Response old = predict("2");
            if (old.statusCode() != 200 || Math.abs(old.jsonPath().getFloat("predictions[0]") - pinned) > 1e-4) {
                traffic.failures.add("pinned to 2: " + old.statusCode() + " " + old.asString());
            }
            Response retiring = predict(NEW_VERSION);
            if (retiring.statusCode() == 404) {
                assertBodyNames(retiring, traffic);
            } else if (retiring.statusCode() != 200
                    || Math.abs(retiring.jsonPath().getFloat("predictions[0]") - published) > 1e-4) {
                traffic.failures.add("pinned to 20: " + retiring.statusCode() + " " + retiring.asString());
            }
        });

        publish("house_price", "1", NEW_VERSION);
        await("clients to be answered by version 20", () -> traffic.latestNew.get() >= CLIENTS * 5);
        int oldBeforeRetire = traffic.latestOld.get();

        given().delete("/v1/models/house_price/" + NEW_VERSION).then().statusCode(200);
        await("clients to be answered by version 2 again", () -> traffic.latestOld.get() >= oldBeforeRetire + CLIENTS * 5);
        traffic.stop();

        System.out.printf("latest moved to %s and back under %d clients: %d answers by 2, %d by %s, %d failed%n",
                NEW_VERSION, CLIENTS, traffic.latestOld.get(), traffic.latestNew.get(), NEW_VERSION, traffic.failures.size());
        assertTrue(traffic.failures.isEmpty(), "failed requests: " + traffic.failures.stream().limit(5).toList());
        assertEquals(404, predict(NEW_VERSION).statusCode(), "a retired version stays retired");
        assertEquals(pinned, predict(null).jsonPath().getFloat("predictions[0]"), 1e-4);
    }

    private static void assertBodyNames(Response response, Traffic traffic) {
        String error = response.jsonPath().getString("error");
        if (error == null || !error.contains(NEW_VERSION)) {
            traffic.failures.add("404 without naming the version: " + response.asString());
        }
    }

    /** Copies a version's files into a new version directory the way a trainer publishes: staged, then renamed. */
    private static void publish(String model, String fromVersion, String toVersion) throws Exception {
        Path staging = ExampleRepository.root().resolve(".staging-" + toVersion);
        Files.createDirectories(staging);
        Path source = ExampleRepository.extraRoot().resolve(model).resolve(fromVersion);
        for (String file : List.of("model.onnx", "model.json")) {
            Files.copy(source.resolve(file), staging.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(staging, ExampleRepository.root().resolve(model).resolve(toVersion), StandardCopyOption.ATOMIC_MOVE);
    }

    private static Response predict(String version) {
        Map<String, Object> body = version == null
                ? Map.of("model_type", "house_price", "data", ROW)
                : Map.of("model_type", "house_price", "data", ROW, "model_version", version);
        return given().contentType(ContentType.JSON).body(body).post("/predict");
    }

    private static void await(String what, BooleanSupplier done) {
        Awaitility.await().atMost(Duration.ofSeconds(90)).alias(what).until(done::getAsBoolean);
    }

    /** Clients that repeat one round of requests until stopped, counting answers by version. */
    private static final class Traffic {
        final AtomicInteger latestOld = new AtomicInteger();
        final AtomicInteger latestNew = new AtomicInteger();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);

        void start(Runnable round) {
            for (int c = 0; c < CLIENTS; c++) {
                clients.submit(() -> {
                    while (running.get()) {
                        round.run();
                    }
                });
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            clients.shutdown();
            assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS), "clients stopped");
        }
    }
}
