package io.quiver.server.extensions;

import static io.quiver.server.extensions.TritonClient.entry;
import static io.quiver.server.extensions.TritonClient.houseRequest;
import static io.quiver.server.extensions.TritonClient.index;
import static io.quiver.server.extensions.TritonClient.load;
import static io.quiver.server.extensions.TritonClient.unload;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.ExtensionsRepository;
import io.quiver.server.testing.Wire;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The model repository extension as tritonclient uses it: the index shows what is served and what
 * failed to load and why; load and unload by name change what is served.
 */
@QuarkusTest
@WithTestResource(ExtensionsRepository.class)
class ModelRepositoryExtensionTest {

    @BeforeEach
    void startupLoadingIsDone() throws InterruptedException {
        TritonClient.awaitReady();
    }

    @Test
    void serverMetadataListsTheExtensions() {
        List<String> names = new ArrayList<>();
        Wire.getOk("/v2").path("extensions").forEach(e -> names.add(e.asText()));
        assertTrue(names.containsAll(List.of("model_repository", "model_configuration", "statistics")),
                names::toString);
    }

    @Test
    void theIndexListsEveryReadyVersionAndTheModelThatFailedAtStartWithItsReason() {
        JsonNode index = index();
        for (String version : new String[] {"1", "2"}) {
            JsonNode house = entry(index, "house_price", version);
            assertNotNull(house, index::toString);
            assertEquals("READY", house.path("state").asText());
            assertTrue(house.has("reason"), house::toString);
        }
        JsonNode broken = entry(index, ExtensionsRepository.BROKEN, "1");
        assertNotNull(broken, index::toString);
        assertEquals("UNAVAILABLE", broken.path("state").asText());
        assertTrue(broken.path("reason").asText().contains("ONNX model"), broken::toString);
    }

    @Test
    void readyTrueListsOnlyReadyVersions() {
        JsonNode ready = index("{\"ready\": true}");
        assertNotNull(entry(ready, "house_price", "2"), ready::toString);
        assertNull(entry(ready, ExtensionsRepository.BROKEN, "1"), ready::toString);
        ready.forEach(e -> assertEquals("READY", e.path("state").asText(), e::toString));

        JsonNode all = index("{\"ready\": false}");
        assertNotNull(entry(all, ExtensionsRepository.BROKEN, "1"), all::toString);
        assertEquals(all, index("{}"));
    }

    @Test
    void readinessNamesTheModelsThatFailedAtStartWithTheReason() {
        given().get("/ready").then().statusCode(200)
                .body(containsString(ExtensionsRepository.BROKEN + "/1"))
                .body(containsString("ONNX model"));
    }

    @Test
    void unloadThenLoadChangesTheIndexAndWhatAnswers() {
        String model = "lstm_forecaster";
        String infer = "/v2/models/" + model + "/infer";
        String request = "{\"inputs\": [{\"name\": \"series\", \"datatype\": \"FP32\", \"shape\": [1, 3, 1], "
                + "\"data\": [1, 2, 3]}]}";
        given().contentType(ContentType.JSON).body(request).post(infer).then().statusCode(200);

        unload(model).then().statusCode(200);
        assertEquals("UNAVAILABLE", entry(index(), model, "1").path("state").asText());
        assertNull(entry(index("{\"ready\": true}"), model, "1"));
        given().contentType(ContentType.JSON).body(request).post(infer).then().statusCode(404)
                .body("error", containsString(model));
        given().get("/v2/models/" + model + "/ready").then().statusCode(404);

        load(model).then().statusCode(200);
        assertEquals("READY", entry(index(), model, "1").path("state").asText());
        given().contentType(ContentType.JSON).body(request).post(infer).then().statusCode(200);
    }

    @Test
    void aModelThatFailedAtStartLoadsOnceItsFileIsFixedAndLeavesTheFailures() throws Exception {
        String model = ExtensionsRepository.FIXABLE;
        assertEquals("UNAVAILABLE", entry(index(), model, "1").path("state").asText());
        load(model).then().statusCode(400).body("error", containsString("ONNX model"));

        Path version = ExampleRepository.root().resolve(model).resolve("1");
        Files.copy(ExampleRepository.extraRoot().resolve("house_price/1/model.onnx"), version.resolve("model.tmp"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.move(version.resolve("model.tmp"), version.resolve("model.onnx"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        load(model).then().statusCode(200);

        JsonNode fixed = entry(index(), model, "1");
        assertEquals("READY", fixed.path("state").asText(), fixed::toString);
        assertEquals("", fixed.path("reason").asText(), fixed::toString);
        given().contentType(ContentType.JSON).body(houseRequest(1)).post("/v2/models/" + model + "/infer")
                .then().statusCode(200);
        given().get("/ready").then().statusCode(200).body(not(containsString(model + "/1")));
    }

    @Test
    void aModelThatFailsAtALoadRequestIsListedWithTheReason() throws Exception {
        String model = "late_broken";
        ExtensionsRepository.writeBroken(ExampleRepository.root().resolve(model).resolve("3"));
        load(model).then().statusCode(400)
                .body("error", containsString(model))
                .body("error", containsString("ONNX model"));
        JsonNode failed = entry(index(), model, "3");
        assertNotNull(failed);
        assertEquals("UNAVAILABLE", failed.path("state").asText());
        assertTrue(failed.path("reason").asText().contains("ONNX model"), failed::toString);
        assertNull(entry(index("{\"ready\": true}"), model, "3"));
    }
}
