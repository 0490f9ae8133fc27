package io.quiver.server;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.Wire;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(ExampleRepository.class)
class ServesExampleModelsTest {

    @Test
    void everyModelInTheRepositoryIsLoadedAtStart() {
        // Loading runs in the background (and warms each model up), so readiness comes a moment after start.
        Wire.awaitReady();
        given().when().get("/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/v1/models").then().statusCode(200)
                .body("models.name", hasItems("house_price", "multi_input", "fraud_classifier", "lstm_forecaster"));
    }

    @Test
    void aSessionIsCountedAsItsFilePlusTheSessionOverhead() throws IOException {
        Wire.awaitReady();
        long file = Files.size(ExampleRepository.root().resolve("house_price").resolve("1").resolve("model.onnx"));
        JsonPath models = given().get("/v1/models").then().statusCode(200).extract().jsonPath();
        assertEquals(file + 64 * 1024,
                models.getLong("models.find { it.name == 'house_price' && it.version == '1' }.size_bytes"),
                "quiver.cache.session-overhead defaults to 64K");
    }
}
