package io.quiver.server.serving;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.common.error.NotFoundException;
import io.quiver.server.cache.ModelResidency;
import io.quiver.server.inference.OnnxModel;
import io.quiver.server.repository.ModelFiles;
import io.quiver.server.testing.ExampleRepository;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * What a model version holds (its workers, its ONNX Runtime session, its share of the memory
 * budget, its meters) is given back once the version is no longer served, however loads and
 * unloads interleave, and when a load fails half-way.
 */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
class LoadsAndUnloadsLeakNothingTest {
    private static final Duration LONG = Duration.ofSeconds(30);

    @Inject
    ModelRegistry registry;
    @Inject
    ModelResidency residency;
    @Inject
    MeterRegistry meters;

    private static ModelFiles housePrice(String name, String version) {
        return ModelFiles.inDirectory(name, version, ExampleRepository.extraRoot().resolve("house_price/1"));
    }

    @Test
    void loadsRacingUnloadsOfTheSameModelLeaveNothingBehind() throws Exception {
        long bytesBefore = residency.usedBytes();
        int sessionsBefore = OnnxModel.openSessions();
        AtomicBoolean racing = new AtomicBoolean(true);
        Thread unloader = new Thread(() -> {
            for (int i = 0; racing.get(); i++) {
                try {
                    if (i % 2 == 0) {
                        registry.unload("racer");
                    } else {
                        registry.unload("racer", "1");
                    }
                } catch (NotFoundException e) {
                    // Nothing loaded at this instant.
                }
            }
        }, "unloader");
        unloader.start();
        try {
            for (int i = 0; i < 300; i++) {
                registry.load(housePrice("racer", "1"));
            }
        } finally {
            racing.set(false);
            unloader.join();
        }
        try {
            registry.unload("racer");
        } catch (NotFoundException e) {
            // The unloader had the last word.
        }
        assertThrows(NotFoundException.class, () -> registry.resolve("racer", null));
        // A retired version frees its session once its workers have stopped, which takes a moment.
        await().atMost(LONG).untilAsserted(() -> {
            assertEquals(bytesBefore, residency.usedBytes(), "memory still counted for versions no longer served");
            assertEquals(sessionsBefore, OnnxModel.openSessions(), "sessions still open for versions no longer served");
        });
    }

    @Test
    void aLoadThatFailsAfterOpeningTheModelClosesItsSession() {
        meters.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if ("meters_refused".equals(id.getTag("model"))) {
                    throw new IllegalStateException("no meters for this model");
                }
                return id;
            }
        });
        long bytesBefore = residency.usedBytes();
        int sessionsBefore = OnnxModel.openSessions();

        assertThrows(IllegalStateException.class, () -> registry.load(housePrice("meters_refused", "1")));

        assertEquals(sessionsBefore, OnnxModel.openSessions(), "the failed load's session was closed");
        assertEquals(bytesBefore, residency.usedBytes());
        assertThrows(NotFoundException.class, () -> registry.resolve("meters_refused", null));
    }

    @Test
    void aHundredVersionsServedAndRetiredLeaveTheMeterCountWhereItWas() {
        serveAndRetire("0");
        List<String> before = metersOf("retiring");
        for (int version = 1; version <= 100; version++) {
            serveAndRetire(String.valueOf(version));
        }
        assertEquals(before, metersOf("retiring"));
    }

    /**
     * The meters that name a model. Counted rather than all meters, which the JVM and HTTP binders
     * add to lazily (a new kind of collection, a new status) while the test runs.
     */
    private List<String> metersOf(String model) {
        return meters.getMeters().stream().filter(m -> model.equals(m.getId().getTag("model")))
                .map(m -> m.getId().toString()).sorted().toList();
    }

    /** Loads a version as training publishes one, answers a request with it, and unloads it. */
    private static void serveAndRetire(String version) {
        String dir = ExampleRepository.extraRoot().resolve("house_price/1").toString();
        given().contentType(ContentType.JSON)
                .body(Map.of("model_id", "retiring", "version", version, "registry_uri", dir))
                .post("/v1/models/load").then().statusCode(200);
        given().contentType(ContentType.JSON)
                .body(Map.of("model_id", "retiring", "model_version", version,
                        "inputs", List.of(Map.of("sqft", 2.0, "rooms", 1.0, "age", 4.0))))
                .post("/v1/infer").then().statusCode(200);
        given().delete("/v1/models/retiring/" + version).then().statusCode(200);
    }
}
