package io.quiver.server.repository;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.TightLimits;
import io.restassured.http.ContentType;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** quiver.download.timeout is 1 s here: a model server that accepts the connection and never answers costs that. */
@QuarkusTest
@TestProfile(TightLimits.class)
@WithTestResource(ExampleRepository.class)
class DownloadsThatStallTimeOutTest {

    @Test
    void aModelUrlThatNeverAnswersIs502AfterTheTimeout() throws Exception {
        // Never accept()ed: the kernel completes the connection and the request waits unanswered.
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + silent.getLocalPort() + "/model.onnx";
            long start = System.nanoTime();
            given().contentType(ContentType.JSON)
                    .body(Map.of("model_id", "stalled", "registry_uri", url))
                    .post("/v1/models/load").then().statusCode(502).body("error", containsString("longer than 1 s"));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds < 10, "the load took " + seconds + " s with a 1 s download timeout");
        }
        assertFalse(Files.exists(ExampleRepository.root().resolve("stalled/1/model.onnx")));
    }
}
