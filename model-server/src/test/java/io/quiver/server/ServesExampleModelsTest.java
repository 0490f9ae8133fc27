package io.quiver.server;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.Wire;
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
}
