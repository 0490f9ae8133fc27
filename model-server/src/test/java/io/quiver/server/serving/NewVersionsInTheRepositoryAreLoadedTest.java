package io.quiver.server.serving;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.arc.ClientProxy;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.examples.ReferenceModels;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.FastRepositoryPolling;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A version that appears in the shared repository (published by another replica, or copied in) is
 * loaded without a restart, and "latest" moves to it; a version unloaded on purpose stays unloaded;
 * a scan that fails does not end the watching.
 */
@QuarkusTest
@TestProfile(FastRepositoryPolling.class)
@WithTestResource(ExampleRepository.class)
class NewVersionsInTheRepositoryAreLoadedTest {
    @Inject
    ModelLoading loading;

    @Test
    void aVersionCopiedIntoTheRepositoryIsServedAsLatest() throws Exception {
        given().get("/ready").then().statusCode(200);
        Path staging = ExampleRepository.root().resolve(".staging-copy");
        Path source = ExampleRepository.extraRoot().resolve("house_price/2");
        copyVersion(source, staging);
        Files.move(staging, ExampleRepository.root().resolve("house_price/10"), StandardCopyOption.ATOMIC_MOVE);

        awaitLatest("house_price", "10");
        float price = given().contentType(ContentType.JSON)
                .body(Map.of("model_type", "house_price", "data", List.of(1, 2, 3)))
                .post("/predict").then().statusCode(200).extract().path("predictions[0]");
        assertEquals(ReferenceModels.housePrice(2, new double[] {1, 2, 3})[0], price, 1e-4);
    }

    @Test
    void aVersionUnloadedThroughTheApiIsNotLoadedAgain() throws Exception {
        given().get("/ready").then().statusCode(200);
        given().delete("/v1/models/multi_input/1").then().statusCode(200);
        // Another version appearing proves a scan ran after the unload.
        copyVersion(ExampleRepository.extraRoot().resolve("fraud_classifier/1"),
                ExampleRepository.root().resolve("fraud_classifier/5"));
        awaitLatest("fraud_classifier", "5");
        given().get("/v2/models/multi_input").then().statusCode(404);
    }

    @Test
    void aScanThatFailsIsFollowedByTheNext() throws Exception {
        given().get("/ready").then().statusCode(200);
        ModelLoading real = ClientProxy.unwrap(loading);
        AtomicInteger failing = new AtomicInteger(3);
        // The watcher asks first whether startup loading is done; here that question fails three times.
        QuarkusMock.installMockForType(new ModelLoading(null, null, null, null, null) {
            @Override
            public boolean startupDone() {
                if (failing.getAndDecrement() > 0) {
                    throw new IllegalStateException("a scan that fails");
                }
                return real.startupDone();
            }

            @Override
            public List<ModelInfo> load(String name, String version, String source) {
                return real.load(name, version, source);
            }
        }, ModelLoading.class);
        await().atMost(Duration.ofSeconds(15)).until(() -> failing.get() < 0);
        copyVersion(ExampleRepository.extraRoot().resolve("fraud_classifier/1"),
                ExampleRepository.root().resolve("fraud_classifier/8"));
        awaitLatest("fraud_classifier", "8");
    }

    private static void copyVersion(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (String file : List.of("model.onnx", "model.json")) {
            Files.copy(from.resolve(file), to.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void awaitLatest(String model, String version) {
        await().atMost(Duration.ofSeconds(15)).alias(model + " version " + version + " is loaded")
                .until(() -> given().get("/v2/models/" + model).then().extract().path("versions[-1]"), version::equals);
    }
}
