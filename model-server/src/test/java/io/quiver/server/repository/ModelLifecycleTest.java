package io.quiver.server.repository;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.examples.ReferenceModels;
import io.quiver.server.testing.ExampleRepository;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(ExampleRepository.class)
class ModelLifecycleTest {

    @Test
    void aModelLoadedThroughV1IsListedServedAndUnloaded() {
        String dir = ExampleRepository.extraRoot().resolve("house_price/1").toString();
        given().contentType(ContentType.JSON)
                .body(Map.of("model_id", "lifecycle_v1", "version", "3.0.0", "registry_uri", dir))
                .post("/v1/models/load")
                .then().statusCode(200).body("versions", equalTo(List.of("3.0.0")));

        given().get("/v1/models").then().statusCode(200).body("models.name", hasItem("lifecycle_v1"));
        given().get("/v2/models/lifecycle_v1/versions/3.0.0").then().statusCode(200)
                .body("inputs[0].name", equalTo("features"));
        float price = given().contentType(ContentType.JSON)
                .body(Map.of("model_id", "lifecycle_v1", "model_version", "3.0.0",
                        "inputs", List.of(Map.of("sqft", 2.0, "rooms", 1.0, "age", 4.0))))
                .post("/v1/infer").then().statusCode(200).extract().path("predictions[0].price");
        assertClose(ReferenceModels.housePrice(1, new double[] {2, 1, 4})[0], price);

        given().delete("/v1/models/lifecycle_v1/3.0.0").then().statusCode(200).body("status", equalTo("unloaded"));
        given().get("/v1/models").then().body("models.name", not(hasItem("lifecycle_v1")));
        given().contentType(ContentType.JSON)
                .body(Map.of("model_id", "lifecycle_v1", "inputs", List.of(List.of(1, 2, 3))))
                .post("/v1/infer").then().statusCode(404).body("error", containsString("lifecycle_v1"));
        given().delete("/v1/models/lifecycle_v1/3.0.0").then().statusCode(404);
    }

    @Test
    void aModelDirectoryLoadedThroughModelsBringsEveryVersion() {
        String dir = ExampleRepository.extraRoot().resolve("house_price").toString();
        given().contentType(ContentType.JSON).body(Map.of("model_name", "lifecycle_mms", "url", dir))
                .post("/models")
                .then().statusCode(200).body("versions", equalTo(List.of("1", "2")));
        given().get("/models/lifecycle_mms").then().statusCode(200).body("versions.version", equalTo(List.of("1", "2")));

        float latest = given().contentType(ContentType.JSON)
                .body(Map.of("sqft", Map.of("0", 1), "rooms", Map.of("0", 2), "age", Map.of("0", 3)))
                .post("/predictions/lifecycle_mms").then().statusCode(200)
                .body("model_version", equalTo("2")).extract().path("predictions[0]");
        assertClose(ReferenceModels.housePrice(2, new double[] {1, 2, 3})[0], latest);

        given().delete("/models/lifecycle_mms").then().statusCode(200);
        given().get("/models").then().body("models.name", not(hasItem("lifecycle_mms")));
        given().delete("/models/lifecycle_mms").then().statusCode(404);
    }

    @Test
    void aFileUriAndABareModelFileLoadAsVersionOne() {
        String uri = ExampleRepository.extraRoot().resolve("fraud_classifier/1/model.onnx").toUri().toString();
        given().contentType(ContentType.JSON).body(Map.of("model_id", "lifecycle_file", "registry_uri", uri))
                .post("/v1/models/load").then().statusCode(200).body("versions", equalTo(List.of("1")))
                .body("models[0].model_type", equalTo("classifier"));
        given().delete("/v1/models/lifecycle_file/1").then().statusCode(200);
    }

    @Test
    void aDescriptorWithAMisspelledFieldIsRefused() throws Exception {
        java.nio.file.Path dir = ExampleRepository.extraRoot().resolve("typo/1");
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.copy(ExampleRepository.extraRoot().resolve("house_price/1/model.onnx"), dir.resolve("model.onnx"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        java.nio.file.Files.writeString(dir.resolve("model.json"), "{\"model_type\": \"regression\", \"fetaures\": [\"a\"]}");
        given().contentType(ContentType.JSON).body(Map.of("model_id", "typo", "registry_uri", dir.toString()))
                .post("/v1/models/load").then().statusCode(400).body("error", containsString("fetaures"));
    }

    @Test
    void aFileThatIsNotAnOnnxModelIsRefusedWithTheReason() throws Exception {
        java.nio.file.Path dir = ExampleRepository.extraRoot().resolve("garbage/1");
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.writeString(dir.resolve("model.onnx"), "this is not a protobuf");
        given().contentType(ContentType.JSON).body(Map.of("model_id", "garbage", "registry_uri", dir.toString()))
                .post("/v1/models/load").then().statusCode(400).body("error", containsString("as an ONNX model"));
        given().get("/health").then().statusCode(200);
    }

    static void assertClose(double expected, float actual) {
        org.junit.jupiter.api.Assertions.assertEquals(expected, actual, 1e-4 * Math.max(1, Math.abs(expected)));
    }
}
