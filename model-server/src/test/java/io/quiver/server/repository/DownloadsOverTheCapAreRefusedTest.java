package io.quiver.server.repository;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.ModelFileServer;
import io.quiver.server.testing.TightLimits;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** quiver.download.max-size is 300 bytes here: the 228-byte model comes in, the 415-byte one does not. */
@QuarkusTest
@TestProfile(TightLimits.class)
@WithTestResource(ExampleRepository.class)
class DownloadsOverTheCapAreRefusedTest {

    @Test
    void aModelOverTheDownloadCapIs413AndLeavesNothingBehind() {
        try (ModelFileServer files = new ModelFileServer(ExampleRepository.outside())) {
            given().contentType(ContentType.JSON)
                    .body(Map.of("model_id", "too_big", "registry_uri", files.url("fraud_classifier/1/model.onnx")))
                    .post("/v1/models/load").then().statusCode(413).body("error", containsString("max-size"));
            given().contentType(ContentType.JSON)
                    .body(Map.of("model_id", "small_enough", "registry_uri", files.url("house_price/1/model.onnx")))
                    .post("/v1/models/load").then().statusCode(200);
        }
        assertFalse(Files.exists(ExampleRepository.root().resolve("too_big/1/model.onnx")));
        given().delete("/models/small_enough").then().statusCode(200);
    }
}
