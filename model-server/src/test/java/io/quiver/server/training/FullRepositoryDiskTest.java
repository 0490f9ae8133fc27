package io.quiver.server.training;

import static io.quiver.server.training.JobsClient.body;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.server.testing.ModelFileServer;
import io.quiver.server.testing.SmallDiskRepository;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The model repository fills up (a 1 MiB tmpfs the test fills) under a download and under a
 * training job's publish: the half-written version is never visible, the space it took is freed,
 * the client is told why, and once there is room the same request succeeds.
 */
@QuarkusTest
@WithTestResource(SmallDiskRepository.class)
class FullRepositoryDiskTest {
    /** What the tmpfs accounts a file by: a freed file gives back whole pages. */
    private static final long PAGE = 4096;

    @BeforeEach
    void needsTheSmallDisk() {
        Assumptions.assumeTrue(SmallDiskRepository.disk().mounted(), "mounting a tmpfs needs root");
    }

    @AfterEach
    void makeRoom() throws IOException {
        if (SmallDiskRepository.disk().mounted()) {
            SmallDiskRepository.disk().empty();
        }
    }

    @Test
    void aDownloadThatFillsTheDiskLeavesNothingBehind() throws IOException {
        Path big = Files.createDirectories(SmallDiskRepository.sources().resolve("big/1")).resolve("model.onnx");
        byte[] bytes = new byte[256 * 1024];
        new Random(7).nextBytes(bytes);
        Files.write(big, bytes);
        SmallDiskRepository.disk().fill(64 * 1024);
        long freeBefore = SmallDiskRepository.disk().free();

        try (ModelFileServer files = new ModelFileServer(SmallDiskRepository.sources())) {
            given().contentType(ContentType.JSON)
                    .body(Map.of("model_id", "too_big_for_the_disk", "registry_uri", files.url("big/1/model.onnx")))
                    .post("/v1/models/load").then().statusCode(503)
                    .body("error", containsString("No space left on device"));
            assertFalse(Files.exists(SmallDiskRepository.repository().resolve("too_big_for_the_disk")),
                    "no directory of the version that did not fit");
            assertEquals(List.of(), partialFiles());
            assertTrue(SmallDiskRepository.disk().free() >= freeBefore - PAGE,
                    "the partial download's space is freed: " + SmallDiskRepository.disk().free() + " of " + freeBefore);
            given().get("/v2/models/too_big_for_the_disk").then().statusCode(404);

            SmallDiskRepository.disk().empty();
            given().contentType(ContentType.JSON)
                    .body(Map.of("model_id", "fits_now", "registry_uri", files.url("house_price/1/model.onnx")))
                    .post("/v1/models/load").then().statusCode(200);
            given().get("/v2/models/fits_now/ready").then().statusCode(200);
        }
    }

    @Test
    void aTrainingJobThatFillsTheDiskPublishesNothing() throws IOException {
        SmallDiskRepository.disk().fill(0);
        String id = JobsClient.submit(body("trained_on_a_full_disk", inlineRegression()));
        JsonNode job = JobsClient.awaitFinished(id);
        assertEquals("failed", job.path("state").asText(), job::toString);
        assertTrue(job.path("error").asText().contains("No space left on device"), job::toString);
        assertFalse(job.has("version"), job::toString);
        assertFalse(Files.exists(SmallDiskRepository.repository().resolve("trained_on_a_full_disk")));
        given().get("/v2/models/trained_on_a_full_disk").then().statusCode(404);
        try (Stream<Path> staged = Files.walk(SmallDiskRepository.repository())) {
            assertEquals(List.of(), staged.filter(p -> p.toString().contains(id)).toList(), "the job's staging is gone");
        }

        SmallDiskRepository.disk().empty();
        JsonNode retried = JobsClient.awaitSuccess(JobsClient.submit(body("trained_on_a_full_disk", inlineRegression())));
        assertEquals("1", retried.path("version").asText(), retried::toString);
    }

    /** A linear regression of y = 2x + 1 on twelve inline rows. */
    private static ObjectNode inlineRegression() {
        ObjectNode config = JobsClient.regressionOnY();
        ArrayNode data = config.putArray("data");
        for (int x = 0; x < 12; x++) {
            data.addObject().put("x", x).put("y", 2 * x + 1);
        }
        return config;
    }

    private static List<Path> partialFiles() throws IOException {
        try (Stream<Path> files = Files.walk(SmallDiskRepository.repository())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
        }
    }
}
