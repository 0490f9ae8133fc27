package io.quiver.server.repository;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.examples.ExampleModels;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.ModelFileServer;
import io.quiver.server.testing.WhileStartupModelsLoad;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * A model-server answers HTTP while the models it loads at start are still coming: a request for
 * a model that is not loaded yet is told to retry (503 with Retry-After), not that the model does
 * not exist (404), which a client or a balancer takes for final. The startup model here is fetched
 * from an HTTP model source that holds every download until the test releases it.
 */
@QuarkusTest
@WhileStartupModelsLoad
@WithTestResource(ExampleRepository.class)
@WithTestResource(ModelsStillLoadingAtStartTest.HeldSource.class)
class ModelsStillLoadingAtStartTest {
    private static final String INFER = "/v2/models/appraisal/infer";
    private static final String BODY = "{\"inputs\": [{\"name\": \"features\", \"shape\": [1, 3], \"datatype\": \"FP32\","
            + " \"data\": [1200, 3, 20]}]}";

    /** house_price version 2 as {@code appraisal/1}, served by a file server that holds until released. */
    public static class HeldSource implements QuarkusTestResourceLifecycleManager {
        private ModelFileServer server;

        @Override
        public Map<String, String> start() {
            try {
                Path models = Files.createTempDirectory("quiver-held-source-");
                ExampleModels.writeRepository(models);
                Files.move(models.resolve("house_price/2"), Files.createDirectories(models.resolve("appraisal")).resolve("1"));
                server = new ModelFileServer(models, true);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("quiver.model-source", server.url(""), "quiver.startup-models", "appraisal/1");
        }

        @Override
        public void stop() {
            server.close();
        }
    }

    @Test
    void aModelNotLoadedYetIsRetryableUntilStartupLoadingIsOver() {
        given().get("/v2/health/ready").then().statusCode(503);
        given().contentType(ContentType.JSON).body(BODY).post(INFER).then().statusCode(503)
                .header("Retry-After", "1")
                .body("error", containsString("still loading its models at start"));
        given().get("/v2/models/appraisal").then().statusCode(503);
        // A model the server is not loading is not found, loading or not.
        given().contentType(ContentType.JSON).body(BODY).post("/v2/models/no_such_model/infer").then().statusCode(404);

        String source = ConfigProvider.getConfig().getValue("quiver.model-source", String.class);
        given().post(source + "release").then().statusCode(204);
        Awaitility.await("startup loading over").atMost(Duration.ofSeconds(60))
                .until(() -> given().get("/v2/health/ready").statusCode() == 200);

        given().contentType(ContentType.JSON).body(BODY).post(INFER).then().statusCode(200);
        given().contentType(ContentType.JSON).body(BODY).post("/v2/models/no_such_model/infer").then().statusCode(404)
                .body("error", containsString("is not loaded"));
    }
}
