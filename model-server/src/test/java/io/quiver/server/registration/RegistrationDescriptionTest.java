package io.quiver.server.registration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.server.repository.ModelDescriptor;
import io.quiver.server.serving.ModelInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The register and heartbeat bodies sent to the model-manager, for a given set of loaded models. */
class RegistrationDescriptionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ServiceIdentity IDENTITY = new ServiceIdentity("model-server-a-8080", "http://a:8080");

    @Test
    void theRegistrationNamesEveryModelAndEveryTypeAndNameRoutableAsModelType() throws IOException {
        JsonNode body = registration(Settings.defaults(),
                model("house_price", "1", "regression"), model("house_price", "2", "regression"),
                model("fraud_classifier", "1", "classifier"), model("untyped", "3", null));

        assertEquals("model-server-a-8080", body.get("service_id").asText());
        assertEquals("http://a:8080", body.get("service_url").asText());
        assertEquals("[\"classifier\",\"fraud_classifier\",\"house_price\",\"regression\",\"untyped\"]",
                body.get("model_types").toString());
        assertEquals("classifier", body.get("model_type").asText());
        assertEquals("[\"prediction\"]", body.get("capabilities").toString());
        assertEquals("[{\"name\":\"house_price\",\"version\":\"1\",\"model_type\":\"regression\"},"
                + "{\"name\":\"house_price\",\"version\":\"2\",\"model_type\":\"regression\"},"
                + "{\"name\":\"fraud_classifier\",\"version\":\"1\",\"model_type\":\"classifier\"},"
                + "{\"name\":\"untyped\",\"version\":\"3\",\"model_type\":\"untyped\"}]", body.get("models").toString());
        assertEquals(15, body.get("lease_seconds").asInt());
    }

    @Test
    void unsetLimitsAreLeftOutRatherThanSentAsNull() throws IOException {
        JsonNode body = registration(Settings.defaults(), model("house_price", "1", "regression"));
        assertFalse(body.has("max_concurrent_requests"));
        assertFalse(body.has("timeout"));
    }

    @Test
    void setLimitsAreSentWithTheTimeoutInWholeSeconds() throws IOException {
        JsonNode body = registration(Settings.defaults().withLimits(4, Duration.ofMillis(2500)),
                model("house_price", "1", "regression"));
        assertEquals(4, body.get("max_concurrent_requests").asInt());
        assertEquals(3, body.get("timeout").asInt());
    }

    @Test
    void oneDeclaredTypeSharedByAllModelsIsTheSingleModelType() throws IOException {
        JsonNode body = registration(Settings.defaults(), model("zeta", "1", "regression"), model("alpha", "1", "regression"));
        assertEquals("regression", body.get("model_type").asText());
        assertEquals("[\"alpha\",\"regression\",\"zeta\"]", body.get("model_types").toString());
    }

    @Test
    void withNoModelLoadedTheServiceIdStandsInForTheType() throws IOException {
        JsonNode body = registration(Settings.defaults());
        assertEquals("model-server-a-8080", body.get("model_type").asText());
        assertEquals("[]", body.get("model_types").toString());
        assertEquals("[]", body.get("models").toString());
    }

    @Test
    void theHeartbeatCarriesOnlyTheModels() throws IOException {
        JsonNode body = JSON.readTree(new ServiceDescription(IDENTITY, Settings.defaults())
                .heartbeat(List.of(model("house_price", "2", "regression"))));
        assertEquals("{\"model_types\":[\"house_price\",\"regression\"],"
                + "\"models\":[{\"name\":\"house_price\",\"version\":\"2\",\"model_type\":\"regression\"}]}", body.toString());
    }

    @Test
    void theLeaseIsThreeHeartbeatsRoundedUpToWholeSeconds() {
        assertEquals(15, ServiceDescription.leaseSeconds(Duration.ofSeconds(5)));
        assertEquals(5, ServiceDescription.leaseSeconds(Duration.ofMillis(1500)));
        assertEquals(1, ServiceDescription.leaseSeconds(Duration.ofMillis(200)));
        assertEquals(1, ServiceDescription.leaseSeconds(Duration.ofMillis(1)));
    }

    private static JsonNode registration(Settings settings, ModelInfo... loaded) throws IOException {
        return JSON.readTree(new ServiceDescription(IDENTITY, settings).registration(List.of(loaded)));
    }

    private static ModelInfo model(String name, String version, String type) {
        ModelDescriptor descriptor = new ModelDescriptor(type, null, null, null, null, null, null);
        return new ModelInfo(name, version, descriptor, null, Path.of(name, version, "model.onnx"), 100, Instant.EPOCH);
    }
}
