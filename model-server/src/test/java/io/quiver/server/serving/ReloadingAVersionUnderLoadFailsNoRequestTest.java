package io.quiver.server.serving;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.examples.ReferenceModels;
import io.quiver.server.testing.ExampleRepository;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Loading a model again under the same name and version swaps it while clients keep sending: every
 * request is answered, by the old model or the new one, never with an error.
 */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
class ReloadingAVersionUnderLoadFailsNoRequestTest {
    private static final int CLIENTS = 8;
    private static final int SWAPS = 20;
    private static final double[] ROW = {3, 1, 2};

    @Test
    void everyRequestDuringTwentySwapsGetsAnAnswerFromOneOfTheTwoModels() throws Exception {
        load("house_price/1");
        double v1 = ReferenceModels.housePrice(1, ROW)[0];
        double v2 = ReferenceModels.housePrice(2, ROW)[0];

        AtomicBoolean swapping = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        for (int c = 0; c < CLIENTS; c++) {
            clients.submit(() -> {
                while (swapping.get()) {
                    Response response = predict();
                    float price = response.statusCode() == 200 ? response.jsonPath().getFloat("predictions[0].price") : Float.NaN;
                    if (Math.abs(price - v1) > 1e-4 && Math.abs(price - v2) > 1e-4) {
                        failures.add(response.statusCode() + " " + response.asString());
                    }
                    answered.incrementAndGet();
                }
            });
        }
        for (int swap = 0; swap < SWAPS; swap++) {
            load(swap % 2 == 0 ? "house_price/2" : "house_price/1");
        }
        load("house_price/2");
        swapping.set(false);
        clients.shutdown();
        assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS));

        System.out.printf("%d swaps under %d clients: %d requests, %d failed%n", SWAPS + 1, CLIENTS, answered.get(),
                failures.size());
        assertTrue(failures.isEmpty(), "failed requests: " + failures.stream().limit(5).toList());
        assertTrue(answered.get() > SWAPS, "clients ran during the swaps");
        assertEquals(v2, predict().jsonPath().getFloat("predictions[0].price"), 1e-4, "the last load is served");
        given().delete("/models/swapped").then().statusCode(200);
    }

    private static void load(String dir) {
        given().contentType(ContentType.JSON)
                .body(Map.of("model_id", "swapped", "version", "1",
                        "registry_uri", ExampleRepository.extraRoot().resolve(dir).toString()))
                .post("/v1/models/load").then().statusCode(200);
    }

    private static Response predict() {
        return given().contentType(ContentType.JSON)
                .body(Map.of("model_id", "swapped", "inputs", List.of(Map.of("sqft", ROW[0], "rooms", ROW[1], "age", ROW[2]))))
                .post("/v1/infer");
    }
}
