package io.quiver.server.extensions;

import static io.quiver.server.testing.Wire.getOk;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.server.testing.ExtensionsRepository;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The model configuration extension as Triton's clients read it: max_batch_size says whether the
 * model takes a batch, dims leave that dimension out, types are Triton's TYPE_ names, and
 * dynamic_batching appears only when requests are merged. The server's defaults apply: batching on,
 * at most 64 rows a run, 2 ms of delay, at most 4096 rows a request.
 */
@QuarkusTest
@WithTestResource(ExtensionsRepository.class)
class ModelConfigurationExtensionTest {

    @BeforeEach
    void startupLoadingIsDone() throws InterruptedException {
        TritonClient.awaitReady();
    }

    @Test
    void aModelWithADynamicBatchDimensionLeavesItOutOfItsDims() {
        JsonNode config = getOk("/v2/models/house_price/config");
        assertEquals("house_price", config.path("name").asText());
        assertEquals("onnxruntime_onnx", config.path("platform").asText());
        assertEquals("onnxruntime", config.path("backend").asText());
        assertEquals(64, config.path("max_batch_size").asInt(), config::toString);
        assertTensor(config.path("input").get(0), "features", "TYPE_FP32", 3);
        assertTensor(config.path("output").get(0), "price", "TYPE_FP32", 1);
    }

    @Test
    void aBatchingModelShowsItsDynamicBatching() {
        JsonNode batching = getOk("/v2/models/house_price/versions/1/config").path("dynamic_batching");
        assertTrue(batching.isObject(), batching::toString);
        assertEquals(2000, batching.path("max_queue_delay_microseconds").asLong(), batching::toString);
        assertTrue(batching.path("preferred_batch_size").isArray(), batching::toString);
    }

    @Test
    void aModelThatTakesABatchButDoesNotMergeRequestsHasNoDynamicBatching() {
        JsonNode config = getOk("/v2/models/" + ExtensionsRepository.UNBATCHED + "/config");
        assertEquals(4096, config.path("max_batch_size").asInt(), config::toString);
        assertFalse(config.has("dynamic_batching"), config::toString);
        assertTensor(config.path("input").get(0), "features", "TYPE_FP32", 3);
    }

    @Test
    void aModelWithAFixedFirstDimensionHasMaxBatchSizeZeroAndFullDims() {
        JsonNode config = getOk("/v2/models/" + ExtensionsRepository.FIXED_SHAPE + "/config");
        assertEquals(0, config.path("max_batch_size").asInt(), config::toString);
        assertFalse(config.has("dynamic_batching"), config::toString);
        assertTensor(config.path("input").get(0), "x", "TYPE_FP32", 2, 3);
        assertTensor(config.path("output").get(0), "y", "TYPE_FP32", 2, 3);
    }

    @Test
    void everyDatatypeHasItsTritonName() {
        JsonNode config = getOk("/v2/models/multi_input/config");
        List<String> inputs = new ArrayList<>();
        config.path("input").forEach(i -> inputs.add(i.path("name").asText() + ":" + i.path("data_type").asText()));
        assertEquals(List.of("a:TYPE_FP32", "b:TYPE_INT64", "c:TYPE_INT32", "d:TYPE_FP64", "mask:TYPE_BOOL"), inputs);
        List<String> outputs = new ArrayList<>();
        config.path("output").forEach(o -> outputs.add(o.path("data_type").asText()));
        assertTrue(outputs.contains("TYPE_BOOL") && outputs.contains("TYPE_FP64"), outputs::toString);
    }

    @Test
    void dynamicDimensionsAfterTheBatchAreMinusOne() {
        JsonNode config = getOk("/v2/models/lstm_forecaster/config");
        assertTensor(config.path("input").get(0), "series", "TYPE_FP32", -1, 1);
    }

    @Test
    void aVersionsConfigIsThatVersions() {
        JsonNode config = getOk("/v2/models/house_price/versions/2/config");
        assertEquals("house_price", config.path("name").asText());
        given().get("/v2/models/house_price/versions/7/config").then().statusCode(404)
                .body("error", containsString("no version '7'"));
    }

    private static void assertTensor(JsonNode tensor, String name, String type, long... dims) {
        assertEquals(name, tensor.path("name").asText(), tensor::toString);
        assertEquals(type, tensor.path("data_type").asText(), tensor::toString);
        List<Long> expected = new ArrayList<>();
        for (long d : dims) {
            expected.add(d);
        }
        List<Long> actual = new ArrayList<>();
        tensor.path("dims").forEach(d -> actual.add(d.asLong()));
        assertEquals(expected, actual, tensor::toString);
    }
}
