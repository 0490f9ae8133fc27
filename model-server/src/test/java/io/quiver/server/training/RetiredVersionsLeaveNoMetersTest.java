package io.quiver.server.training;

import static io.quiver.server.training.JobsClient.body;
import static io.quiver.server.training.JobsClient.config;
import static io.quiver.server.training.JobsClient.predict;
import static io.quiver.server.training.JobsClient.rows;
import static io.quiver.server.training.JobsClient.train;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.Wire;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A server that trains a new version every so often and retires the old one exports the meters
 * of the versions it serves, not of every version it ever had.
 */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
class RetiredVersionsLeaveNoMetersTest {
    @Inject
    MeterRegistry meters;

    @Test
    void aHundredVersionsTrainedServedAndRetiredLeaveTheMeterCountWhereItWas() {
        trainServeAndRetire();
        List<String> before = metersOfTheModel();
        for (int cycle = 1; cycle <= 100; cycle++) {
            trainServeAndRetire();
        }
        assertEquals(before, metersOfTheModel());
    }

    /**
     * The meters that name the model. Counted rather than all meters, which the JVM and HTTP binders
     * add to lazily (a new kind of collection, a new status) while the test runs.
     */
    private List<String> metersOfTheModel() {
        return meters.getMeters().stream().filter(m -> "retrained".equals(m.getId().getTag("model")))
                .map(m -> m.getId().toString()).sorted().toList();
    }

    private static void trainServeAndRetire() {
        ObjectNode config = config("linear-regression");
        config.set("data", rows(20, 7, 0.05, (a, b) -> a + b));
        config.put("target", "y");
        config.set("hyperparameters", Wire.object().put("epochs", 1));
        String version = train(body("retrained", config)).path("version").asText();
        assertEquals(version, predict("retrained", Wire.object().put("a", 1).put("b", 2)).path("model_version").asText());
        given().delete("/v1/models/retrained/" + version).then().statusCode(200);
    }
}
