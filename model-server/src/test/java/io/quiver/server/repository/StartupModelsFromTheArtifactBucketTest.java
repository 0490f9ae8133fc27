package io.quiver.server.repository;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.examples.ExampleModels;
import io.quiver.examples.ReferenceModels;
import io.quiver.examples.S3rverProcess;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.S3Bucket;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Reference document 002's {@code AWS_S3_BUCKET}, "S3 bucket for model artifacts": a server given
 * that bucket ({@code quiver.s3.bucket}, which {@code AWS_S3_BUCKET} sets) and no
 * {@code quiver.model-source} fetches a startup version its repository lacks from
 * {@code s3://<bucket>/<name>/<version>/}, from a real S3 server (s3rver).
 */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
@WithTestResource(StartupModelsFromTheArtifactBucketTest.ArtifactBucket.class)
class StartupModelsFromTheArtifactBucketTest {
    static final String BUCKET = "model-artifacts";

    /** s3rver whose bucket holds house_price version 2 as {@code appraisal/1/}, at the bucket's root. */
    public static class ArtifactBucket implements QuarkusTestResourceLifecycleManager {
        private static S3rverProcess server;

        @Override
        public Map<String, String> start() {
            server = new S3rverProcess(BUCKET);
            try (var client = server.client()) {
                Path models = Files.createTempDirectory("quiver-artifacts-");
                ExampleModels.writeRepository(models);
                S3Bucket.upload(client, BUCKET, models.resolve("house_price/2"), "appraisal/1");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("quiver.s3.bucket", BUCKET,
                    "quiver.startup-models", "appraisal/1",
                    "quiver.invocations-model", "appraisal",
                    "quiver.s3.endpoint", server.endpoint(),
                    "quiver.s3.access-key-id", S3rverProcess.ACCESS_KEY_ID,
                    "quiver.s3.secret-access-key", S3rverProcess.SECRET_ACCESS_KEY);
        }

        @Override
        public void stop() {
            server.close();
        }
    }

    @Test
    void aStartupVersionMissingLocallyIsFetchedFromTheBucketAndServed() {
        Awaitility.await("startup models loaded").atMost(Duration.ofSeconds(60))
                .until(() -> given().get("/v2/health/ready").statusCode() == 200);
        assertTrue(Files.isRegularFile(ExampleRepository.root().resolve("appraisal/1/model.onnx")),
                "kept in the repository for the next start");

        double[] row = {1200, 3, 20};
        Object prediction = given().contentType(ContentType.JSON).body(Map.of("inputs", List.of(List.of(1200, 3, 20))))
                .post("/invocations").then().statusCode(200).extract().path("predictions[0]");
        double price = ((Number) (prediction instanceof List<?> values ? values.get(0) : prediction)).doubleValue();
        double expected = ReferenceModels.housePrice(2, row)[0];
        assertEquals(expected, price, 1e-4 * Math.max(1, Math.abs(expected)));
    }
}
