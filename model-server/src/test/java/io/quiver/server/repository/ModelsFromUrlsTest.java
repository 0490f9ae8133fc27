package io.quiver.server.repository;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.examples.ReferenceModels;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.ModelFileServer;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(ExampleRepository.class)
class ModelsFromUrlsTest {

    @Test
    void aModelUrlIsDownloadedIntoTheRepositoryWithItsDescriptorAndServed() {
        try (ModelFileServer files = new ModelFileServer(ExampleRepository.outside())) {
            given().contentType(ContentType.JSON)
                    .body(Map.of("model_id", "from_url", "version", "7",
                            "registry_uri", files.url("fraud_classifier/1/model.onnx")))
                    .post("/v1/models/load").then().statusCode(200)
                    .body("models[0].model_type", equalTo("classifier"));
        }
        assertTrue(Files.isRegularFile(ExampleRepository.root().resolve("from_url/7/model.onnx")));
        assertTrue(Files.isRegularFile(ExampleRepository.root().resolve("from_url/7/model.json")));

        double[] row = {2, 30, 1, 12};
        List<Float> probabilities = given().contentType(ContentType.JSON)
                .body(Map.of("model_type", "from_url", "data", List.of(2, 30, 1, 12)))
                .post("/predict").then().statusCode(200).extract().path("predictions[0]");
        double[] expected = ReferenceModels.fraudProbabilities(row);
        ModelLifecycleTest.assertClose(expected[0], probabilities.get(0));
        ModelLifecycleTest.assertClose(expected[1], probabilities.get(1));
        given().delete("/models/from_url").then().statusCode(200);
    }

    @Test
    void aDirectoryUrlFetchesModelOnnxBelowIt() {
        try (ModelFileServer files = new ModelFileServer(ExampleRepository.outside())) {
            given().contentType(ContentType.JSON)
                    .body(Map.of("model_id", "from_dir_url", "registry_uri", files.url("house_price/2")))
                    .post("/v1/models/load").then().statusCode(200).body("versions", equalTo(List.of("1")));
        }
        given().delete("/models/from_dir_url").then().statusCode(200);
    }

    @Test
    void aUrlThatAnswers404Is502NamingTheUrl() {
        try (ModelFileServer files = new ModelFileServer(ExampleRepository.outside())) {
            given().contentType(ContentType.JSON)
                    .body(Map.of("model_id", "from_bad_url", "registry_uri", files.url("nothing/model.onnx")))
                    .post("/v1/models/load").then().statusCode(502).body("error", containsString("HTTP 404"));
        }
    }

    @Test
    void aUrlOfTheCloudMetadataServiceIs403BeforeAnythingIsSent() {
        for (String url : List.of("http://169.254.169.254/latest/meta-data/model.onnx",
                "http://[fe80::1]/model.onnx", "http://[::ffff:169.254.169.254]/model.onnx",
                "http://metadata.google.internal/computeMetadata/v1/model.onnx")) {
            given().contentType(ContentType.JSON)
                    .body(Map.of("model_id", "from_metadata", "registry_uri", url))
                    .post("/v1/models/load").then().statusCode(403)
                    .body("error", containsString("quiver.download.allowed-hosts and denied-hosts"));
        }
        assertFalse(Files.exists(ExampleRepository.root().resolve("from_metadata")));
    }

    @Test
    void aRedirectToADeniedHostIs403() {
        try (ModelFileServer files = new ModelFileServer(ExampleRepository.outside())) {
            files.redirect("moved/model.onnx", "http://169.254.169.254/latest/meta-data/iam");
            given().contentType(ContentType.JSON)
                    .body(Map.of("model_id", "from_redirect", "registry_uri", files.url("moved/model.onnx")))
                    .post("/v1/models/load").then().statusCode(403)
                    .body("error", containsString("169.254.169.254"));
        }
        assertFalse(Files.exists(ExampleRepository.root().resolve("from_redirect/1/model.onnx")));
    }

    @Test
    void aRedirectToAnAllowedHostIsFollowed() {
        try (ModelFileServer files = new ModelFileServer(ExampleRepository.outside())) {
            files.redirect("moved/model.onnx", files.url("house_price/1/model.onnx"));
            given().contentType(ContentType.JSON)
                    .body(Map.of("model_id", "from_moved", "registry_uri", files.url("moved/model.onnx")))
                    .post("/v1/models/load").then().statusCode(200);
        }
        given().delete("/models/from_moved").then().statusCode(200);
    }
}
