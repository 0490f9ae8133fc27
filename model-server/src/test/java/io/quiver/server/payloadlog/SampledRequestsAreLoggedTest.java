package io.quiver.server.payloadlog;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.grpc.inference.GRPCInferenceServiceGrpc;
import io.quiver.grpc.inference.InferTensorContents;
import io.quiver.grpc.inference.ModelInferRequest;
import io.quiver.grpc.inference.ModelInferResponse;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.Wire;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Inference calls over every protocol, and the records the payload log writes of them to its file
 * and POSTs to a collector (a real HTTP server the test starts, see {@link Collector}).
 */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
@WithTestResource(Collector.class)
class SampledRequestsAreLoggedTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @BeforeEach
    void modelsAreLoaded() {
        Wire.awaitReady();
    }

    @Test
    void everyProtocolIsLoggedWithModelVersionRequestIdOutcomeTimingsAndBodies() throws Exception {
        Map<String, String> protocols = new LinkedHashMap<>();
        String v2 = post("/v2/models/house_price/versions/1/infer", v2Request(1200, 3, 10));
        protocols.put(v2, "v2-rest");
        protocols.put(postBinary(), "v2-rest");
        protocols.put(grpc(), "v2-grpc");
        protocols.put(post("/v1/infer", "{\"model_id\": \"house_price\", \"model_version\": \"1\", "
                + "\"inputs\": [{\"sqft\": 1200, \"rooms\": 3, \"age\": 10}]}"), "v1");
        protocols.put(post("/predictions/house_price?version=1",
                "{\"sqft\": {\"0\": 1200}, \"rooms\": {\"0\": 3}, \"age\": {\"0\": 10}}"), "predictions");
        protocols.put(post("/predict", "{\"model_type\": \"house_price\", \"model_version\": \"1\", "
                + "\"data\": [1200, 3, 10]}"), "predict");
        protocols.put(post("/invocations", "{\"dataframe_split\": {\"columns\": [\"sqft\", \"rooms\", \"age\"], "
                + "\"data\": [[1200, 3, 10]]}}"), "mlflow");

        Map<String, JsonNode> records = awaitRecords(protocols.keySet());
        double price = records.get(v2).path("data").path("response").path("outputs").get(0).path("data").get(0).asDouble();
        for (Map.Entry<String, String> call : protocols.entrySet()) {
            JsonNode event = records.get(call.getKey());
            assertEquals("1.0", event.path("specversion").asText());
            assertEquals(PayloadLog.TYPE, event.path("type").asText());
            assertEquals("/quiver/model-server", event.path("source").asText());
            assertEquals("application/json", event.path("datacontenttype").asText());
            assertFalse(event.path("id").asText().isEmpty());
            assertFalse(event.path("time").asText().isEmpty());
            JsonNode data = event.path("data");
            assertEquals(call.getValue(), data.path("protocol").asText(), data.toString());
            assertEquals("house_price", data.path("model").asText());
            assertEquals("1", data.path("version").asText());
            assertEquals("ok", data.path("outcome").asText());
            assertEquals(200, data.path("status").asInt());
            assertTrue(data.path("latency_ms").asDouble() > 0, data.toString());
            assertTrue(data.path("compute_ms").asDouble() > 0, data.toString());
            assertTrue(data.path("queue_ms").asDouble() >= 0, data.toString());
            assertTrue(data.path("request").isObject(), data.toString());
            assertFalse(data.path("request_truncated").asBoolean());
            assertFalse(data.path("response_truncated").asBoolean());
            JsonNode output = data.path("response").path("outputs").get(0);
            assertEquals("price", output.path("name").asText());
            assertEquals(price, output.path("data").get(0).asDouble(), 1e-3, "every protocol ran the same row");
        }
        // The body as the client sent it where it is JSON; the decoded tensors where it is not.
        assertEquals(1200, records.get(v2).path("data").path("request").path("inputs").get(0).path("data").get(0).asInt());
        JsonNode grpcInputs = records.get(keyOf(protocols, "v2-grpc")).path("data").path("request").path("inputs");
        assertEquals("features", grpcInputs.get(0).path("name").asText());
        assertEquals(3, grpcInputs.get(0).path("data").size());
        JsonNode binary = records.get(new ArrayList<>(protocols.keySet()).get(1)).path("data").path("request");
        assertEquals(12, binary.path("inputs").get(0).path("parameters").path("binary_data_size").asInt(),
                "binary inputs are logged by their size: " + binary);
        assertEquals(1200, records.get(keyOf(protocols, "v1")).path("data").path("request").path("inputs").get(0)
                .path("sqft").asInt());
    }

    @Test
    void aRefusedRequestIsLoggedWithItsStatusAndError() throws Exception {
        String id = UUID.randomUUID().toString();
        given().header("X-Request-Id", id).contentType(ContentType.JSON).body(v2Request(1200, 3))
                .post("/v2/models/house_price/versions/1/infer").then().statusCode(400);
        JsonNode data = awaitRecords(Set.of(id)).get(id).path("data");
        assertEquals("invalid", data.path("outcome").asText());
        assertEquals(400, data.path("status").asInt());
        assertTrue(data.path("error").asText().contains("features"), data.toString());
        assertTrue(data.path("response").isNull());
        assertEquals(2, data.path("request").path("inputs").get(0).path("data").size());
    }

    @Test
    void rateZeroLogsNoRequestAndRateOneLogsEvery() throws Exception {
        for (int i = 0; i < 10; i++) {
            post("/predict", "{\"model_type\": \"LSTM\", \"data\": [0.1, 0.2, 0.3, 0.4]}");
        }
        Set<String> logged = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            logged.add(post("/v2/models/house_price/infer", v2Request(1000 + i, 2, 5)));
        }
        // The file is written in the order records were made: the forecaster's calls came first.
        assertEquals(10, awaitRecords(logged).size());
        assertTrue(LoggingServer.fileRecords().stream().noneMatch(r -> r.path("data").path("model").asText()
                .equals("lstm_forecaster")), "lstm_forecaster is sampled at the default rate, 0");
    }

    @Test
    void aModelsDescriptorGivesItsRateWhenTheServerNamesNone() throws Exception {
        // The forecaster again, under a name the server's sample-rates do not know: its descriptor decides.
        Path version = ExampleRepository.extraRoot().resolve("described_forecaster/1");
        Files.createDirectories(version);
        Files.copy(ExampleRepository.root().resolve("lstm_forecaster/1/model.onnx"), version.resolve("model.onnx"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(version.resolve("model.json"), "{\"model_type\": \"described_lstm\", "
                + "\"input_layout\": \"sequence\", \"payload_log\": {\"sample_rate\": 1}}");
        given().contentType(ContentType.JSON).body("{\"model_id\": \"described_forecaster\", \"registry_uri\": \""
                + version.getParent() + "\"}").post("/v1/models/load").then().statusCode(200);
        try {
            String id = post("/predict", "{\"model_type\": \"described_lstm\", \"data\": [0.1, 0.2, 0.3]}");
            assertEquals("described_forecaster", awaitRecords(Set.of(id)).get(id).path("data").path("model").asText());

            Files.writeString(version.resolve("model.json"), "{\"payload_log\": {\"sample_rate\": 2}}");
            given().contentType(ContentType.JSON).body("{\"model_id\": \"described_forecaster\", \"version\": \"1\", "
                    + "\"registry_uri\": \"" + version.getParent() + "\"}").post("/v1/models/load")
                    .then().statusCode(400).body("error", containsString("payload_log.sample_rate must be between 0 and 1"));
        } finally {
            given().delete("/models/described_forecaster").then().statusCode(200);
        }
    }

    @Test
    void aBodyOverTheCapIsCutAndMarkedTruncated() throws Exception {
        float[] rows = new float[300 * 3];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = 1000 + i;
        }
        String request = v2Request(rows);
        assertTrue(request.length() > 4096);
        String id = post("/v2/models/house_price/infer", request);
        JsonNode data = awaitRecords(Set.of(id)).get(id).path("data");
        assertTrue(data.path("request_truncated").asBoolean());
        assertTrue(data.path("request").isTextual(), "cut JSON is kept as a string");
        int kept = data.path("request").asText().getBytes(StandardCharsets.UTF_8).length;
        assertTrue(kept <= 1024 && kept > 900, "kept " + kept + " bytes of a 1K cap");
        assertTrue(request.replace(" ", "").startsWith(data.path("request").asText().substring(0, 40)));
        assertTrue(data.path("response_truncated").asBoolean(), "300 prices are over 1K too");
        assertTrue(data.path("response").asText().startsWith("{\"model_name\":\"house_price\""));
    }

    @Test
    void configuredFieldsAndTensorsAreRedacted() throws Exception {
        String id = post("/predictions/fraud_classifier",
                "{\"amount\": [250.0], \"age\": [41], \"distance\": [3.5], \"hour\": [23]}");
        JsonNode data = awaitRecords(Set.of(id)).get(id).path("data");
        assertEquals(BodyWriter.REDACTED, data.path("request").path("age").asText(), data.toString());
        assertEquals(250.0, data.path("request").path("amount").get(0).asDouble());
        Map<String, JsonNode> outputs = new LinkedHashMap<>();
        data.path("response").path("outputs").forEach(o -> outputs.put(o.path("name").asText(), o));
        assertEquals(BodyWriter.REDACTED, outputs.get("label").path("data").asText(), "a tensor named label");
        assertEquals(2, outputs.get("probabilities").path("data").size());
    }

    @Test
    void theCollectorReceivesCloudEventBatches() throws Exception {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            ids.add(post("/v2/models/house_price/infer", v2Request(900 + i, 1, 1)));
        }
        await().atMost(WAIT).alias("the collector has a record of each call").until(() ->
                Collector.batches().stream().flatMap(b -> b.events().stream())
                        .map(e -> e.path("data").path("request_id").asText()).toList().containsAll(ids));
        for (Collector.Batch batch : Collector.batches()) {
            assertEquals(HttpSink.CONTENT_TYPE, batch.contentType());
            assertTrue(batch.events().size() >= 1 && batch.events().size() <= 5, "batch-size is 5");
            for (JsonNode event : batch.events()) {
                assertEquals("1.0", event.path("specversion").asText());
                assertEquals(PayloadLog.TYPE, event.path("type").asText());
                assertNotNull(event.path("data").path("model").textValue());
            }
        }
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("quiver_payload_log_records_total{outcome=\"written\",sink=\"http\"}"), metrics);
    }

    // --- calls ------------------------------------------------------------------------------------

    /** Posts JSON with a fresh request id, expects 200, and answers the id. */
    private static String post(String path, String body) {
        String id = UUID.randomUUID().toString();
        given().header("X-Request-Id", id).contentType(ContentType.JSON).body(body).post(path)
                .then().statusCode(200);
        return id;
    }

    private static String v2Request(float... rowMajor) {
        StringBuilder data = new StringBuilder();
        for (float v : rowMajor) {
            data.append(data.length() == 0 ? "" : ", ").append(v);
        }
        return "{\"inputs\": [{\"name\": \"features\", \"datatype\": \"FP32\", \"shape\": [" + rowMajor.length / 3
                + ", 3], \"data\": [" + data + "]}]}";
    }

    /** One row as binary tensor data: the JSON says the size, 12 bytes of three floats follow. */
    private static String postBinary() throws Exception {
        byte[] header = ("{\"inputs\": [{\"name\": \"features\", \"datatype\": \"FP32\", \"shape\": [1, 3], "
                + "\"parameters\": {\"binary_data_size\": 12}}]}").getBytes(StandardCharsets.UTF_8);
        ByteBuffer floats = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1200).putFloat(3).putFloat(10);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(header);
        body.write(floats.array());
        String id = UUID.randomUUID().toString();
        given().header("X-Request-Id", id).header("Inference-Header-Content-Length", header.length)
                .contentType("application/octet-stream").body(body.toByteArray())
                .post("/v2/models/house_price/versions/1/infer").then().statusCode(200);
        return id;
    }

    private static String grpc() throws InterruptedException {
        String id = UUID.randomUUID().toString();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext().build();
        try {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER), id);
            ModelInferResponse answer = GRPCInferenceServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .modelInfer(ModelInferRequest.newBuilder().setModelName("house_price").setModelVersion("1")
                            .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("features")
                                    .setDatatype("FP32").addShape(1).addShape(3)
                                    .setContents(InferTensorContents.newBuilder().addFp32Contents(1200)
                                            .addFp32Contents(3).addFp32Contents(10)))
                            .build());
            assertEquals("house_price", answer.getModelName());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        return id;
    }

    // --- records ----------------------------------------------------------------------------------

    /** Waits until the file holds a record of each id, and answers them by id. */
    private static Map<String, JsonNode> awaitRecords(Set<String> ids) {
        return await().atMost(WAIT).alias("the file has a record of each of " + ids).until(() -> {
            Map<String, JsonNode> found = new LinkedHashMap<>();
            for (JsonNode record : LoggingServer.fileRecords()) {
                String id = record.path("data").path("request_id").asText();
                if (ids.contains(id)) {
                    found.put(id, record);
                }
            }
            return found;
        }, found -> found.keySet().containsAll(ids));
    }

    private static String keyOf(Map<String, String> protocols, String protocol) {
        return protocols.entrySet().stream().filter(e -> e.getValue().equals(protocol)).findFirst().orElseThrow().getKey();
    }
}
