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
import io.quiver.server.testing.S3Bucket;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** s3:// model locations, read from a real S3 server (s3rver) that the test resource starts. */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
@WithTestResource(S3Bucket.class)
class ModelsFromS3Test {
    private static final String REGISTRY = "s3://" + S3Bucket.BUCKET + "/" + S3Bucket.PREFIX;

    @Test
    void aVersionDirectoryInABucketIsDownloadedWithItsDescriptorAndServed() {
        given().contentType(ContentType.JSON)
                .body(Map.of("model_id", "from_s3", "version", "3", "registry_uri", REGISTRY + "/fraud_classifier/1"))
                .post("/v1/models/load").then().statusCode(200)
                .body("models[0].model_type", equalTo("classifier"));
        assertTrue(Files.isRegularFile(ExampleRepository.root().resolve("from_s3/3/model.onnx")));
        assertTrue(Files.isRegularFile(ExampleRepository.root().resolve("from_s3/3/model.json")));

        double[] row = {2, 30, 1, 12};
        List<Float> probabilities = given().contentType(ContentType.JSON)
                .body(Map.of("model_type", "from_s3", "data", List.of(2, 30, 1, 12)))
                .post("/predict").then().statusCode(200).extract().path("predictions[0]");
        double[] expected = ReferenceModels.fraudProbabilities(row);
        ModelLifecycleTest.assertClose(expected[0], probabilities.get(0));
        ModelLifecycleTest.assertClose(expected[1], probabilities.get(1));
        given().delete("/models/from_s3").then().statusCode(200);
    }

    @Test
    void anObjectKeyEndingInOnnxIsTheModelFile() {
        given().contentType(ContentType.JSON)
                .body(Map.of("model_id", "from_s3_file", "registry_uri", REGISTRY + "/house_price/2/model.onnx"))
                .post("/v1/models/load").then().statusCode(200).body("versions", equalTo(List.of("1")));
        given().delete("/models/from_s3_file").then().statusCode(200);
    }

    @Test
    void aMissingObjectIs404NamingIt() {
        given().contentType(ContentType.JSON)
                .body(Map.of("model_id", "from_s3_missing", "registry_uri", REGISTRY + "/nothing/1"))
                .post("/v1/models/load").then().statusCode(404)
                .body("error", containsString(REGISTRY + "/nothing/1/model.onnx"));
        assertFalse(Files.isRegularFile(ExampleRepository.root().resolve("from_s3_missing/1/model.onnx")));
    }

    @Test
    void aMissingBucketIs404NamingIt() {
        given().contentType(ContentType.JSON)
                .body(Map.of("model_id", "from_s3_nobucket", "registry_uri", "s3://no-such-bucket/fraud_classifier/1"))
                .post("/v1/models/load").then().statusCode(404)
                .body("error", containsString("no-such-bucket"));
    }

    @Test
    void aMalformedS3LocationIs400() {
        given().contentType(ContentType.JSON)
                .body(Map.of("model_id", "from_s3_bad", "registry_uri", "s3://user:pw@host:9000/x"))
                .post("/v1/models/load").then().statusCode(400)
                .body("error", containsString("bucket"));
    }
}
