package io.quiver.server.binary;

import static io.quiver.server.binary.BinaryClient.HEADER;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.examples.OnnxModelWriter;
import io.quiver.examples.OnnxModelWriter.ElementType;
import io.quiver.examples.ReferenceModels;
import io.quiver.server.binary.BinaryClient.Answer;
import io.quiver.server.testing.ExampleRepository;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The binary tensor data extension, spoken by a client written from its specification. */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
class BinaryTensorDataTest {
    private static final long[] TWO_BY_TWO = {2, 2};

    @Test
    void serverListsTheExtension() {
        given().get("/v2").then().statusCode(200)
                .body("extensions", org.hamcrest.Matchers.hasItem("binary_tensor_data"));
    }

    @Test
    void housePriceBinaryInAndOut() {
        float[] houses = {1200, 3, 15, 850.5f, 2, 40};
        Response response = new BinaryClient()
                .binary("features", "FP32", new long[] {2, 3}, BinaryClient.fp32(houses))
                .output("price", true)
                .post("/v2/models/house_price/versions/1/infer");
        assertEquals(200, response.statusCode(), response.asString());
        assertEquals("application/octet-stream", response.contentType());
        Answer answer = Answer.of(response);
        JsonNode price = answer.output("price");
        assertEquals(8, price.path("parameters").path("binary_data_size").asInt());
        assertFalse(price.has("data"), price::toString);
        assertEquals("FP32", price.path("datatype").asText());
        float[] prices = answer.fp32("price");
        assertEquals(2, prices.length);
        for (int row = 0; row < 2; row++) {
            double[] features = {houses[row * 3], houses[row * 3 + 1], houses[row * 3 + 2]};
            double expected = ReferenceModels.housePrice(1, features)[0];
            assertEquals(expected, prices[row], Math.abs(expected) * 1e-5 + 1e-3);
        }
    }

    @Test
    void binaryInputJsonAnswerIsTheSameAsAllJson() {
        String json = "{\"inputs\": [{\"name\": \"features\", \"shape\": [1, 3], \"datatype\": \"FP32\","
                + " \"data\": [1200, 3, 15]}]}";
        JsonNode plain = Answer.of(given().contentType(ContentType.JSON).body(json)
                .post("/v2/models/house_price/versions/1/infer")).json();
        Response response = new BinaryClient()
                .binary("features", "FP32", new long[] {1, 3}, BinaryClient.fp32(1200, 3, 15))
                .post("/v2/models/house_price/versions/1/infer");
        assertEquals(200, response.statusCode(), response.asString());
        assertNull(response.header(HEADER), "an answer without binary outputs stays JSON");
        assertTrue(response.contentType().startsWith("application/json"), response.contentType());
        assertEquals(plain, Answer.of(response).json());
    }

    @Test
    void mixedJsonAndBinaryInputsWithEveryOutputInBinary() {
        Response response = new BinaryClient()
                .binary("a", "FP32", TWO_BY_TWO, BinaryClient.fp32(1.5f, 2, 3, 4))
                .json("b", "INT64", TWO_BY_TWO, List.of(10, 20, 30, 40))
                .binary("c", "INT32", TWO_BY_TWO, BinaryClient.int32(100, 200, 300, 400))
                .json("d", "FP64", TWO_BY_TWO, List.of(0.25, 1, 2, 3))
                .binary("mask", "BOOL", TWO_BY_TWO, BinaryClient.bool(true, false, false, true))
                .allBinary()
                .post("/v2/models/multi_input/infer");
        assertEquals(200, response.statusCode(), response.asString());
        Answer answer = Answer.of(response);
        assertEquals(5, answer.binary().size(), answer.json()::toString);
        assertArrayEquals(new float[] {111.5f, 222, 333, 444}, answer.fp32("sum"));
        assertArrayEquals(ReferenceModels.multiInputDoubled(new double[] {0.25, 1, 2, 3}), answer.fp64("doubled"));
        assertArrayEquals(new float[] {111.5f, 0, 0, 444}, answer.fp32("masked"));
        assertArrayEquals(new boolean[] {false, true, true, false}, answer.bool("inverted"));
        assertEquals(4, answer.int64("count").length);
        for (JsonNode output : answer.json().path("outputs")) {
            assertFalse(output.has("data"), output::toString);
            assertEquals(List.of(2L, 2L), List.of(output.path("shape").get(0).asLong(), output.path("shape").get(1).asLong()));
        }
    }

    @Test
    void onlyTheOutputsAskedForInBinaryAreBinary() {
        Response response = new BinaryClient()
                .json("a", "FP32", TWO_BY_TWO, List.of(1, 2, 3, 4))
                .json("b", "INT64", TWO_BY_TWO, List.of(1, 1, 1, 1))
                .json("c", "INT32", TWO_BY_TWO, List.of(0, 0, 0, 0))
                .json("d", "FP64", TWO_BY_TWO, List.of(1, 2, 3, 4))
                .json("mask", "BOOL", TWO_BY_TWO, List.of(true, true, true, true))
                .output("sum", true)
                .output("doubled", false)
                .post("/v2/models/multi_input/infer");
        assertEquals(200, response.statusCode(), response.asString());
        Answer answer = Answer.of(response);
        assertEquals(List.of("sum"), List.copyOf(answer.binary().keySet()));
        assertArrayEquals(new float[] {2, 3, 4, 5}, answer.fp32("sum"));
        JsonNode doubled = answer.output("doubled");
        assertEquals(List.of(2.0, 4.0, 6.0, 8.0), Wire.doubles(doubled.path("data")));
    }

    @Test
    void labelledOutputsKeepTheirLabelsBesideTheBinarySize() throws Exception {
        load("sklearn_logreg_int", "sklearn_logreg_int_binary");
        Response response = new BinaryClient()
                .binary("float_input", "FP32", new long[] {1, 4}, BinaryClient.fp32(5.1f, 3.5f, 1.4f, 0.2f))
                .allBinary()
                .post("/v2/models/sklearn_logreg_int_binary/infer");
        assertEquals(200, response.statusCode(), response.asString());
        Answer answer = Answer.of(response);
        JsonNode labelled = null;
        for (JsonNode output : answer.json().path("outputs")) {
            assertTrue(output.path("parameters").has("binary_data_size"), output::toString);
            if (output.path("parameters").has("labels")) {
                labelled = output;
            }
        }
        assertTrue(labelled != null, answer.json()::toString);
        assertEquals(labelled.path("shape").get(1).asInt(), labelled.path("parameters").path("labels").size());
    }

    @Test
    void bytesInputInBinary() throws Exception {
        loadUpper();
        Response response = new BinaryClient()
                .binary("text", "BYTES", new long[] {3}, BinaryClient.strings("hello", "", "Grüße 42"))
                .allBinary()
                .post("/v2/models/upper_binary/infer");
        assertEquals(200, response.statusCode(), response.asString());
        Answer answer = Answer.of(response);
        assertEquals(3, answer.strings("upper").length);
        assertEquals("HELLO", answer.strings("upper")[0]);
        assertEquals("", answer.strings("upper")[1]);
    }

    @Test
    void everyDatatypeRoundTripsInBinary() throws Exception {
        load("every_datatype", "every_datatype_binary");
        JsonNode metadata = given().get("/v2/models/every_datatype_binary").then().statusCode(200)
                .extract().as(JsonNode.class);
        BinaryClient client = new BinaryClient().allBinary();
        Map<String, byte[]> sent = new java.util.LinkedHashMap<>();
        for (JsonNode input : metadata.path("inputs")) {
            String type = input.path("datatype").asText();
            byte[] bytes = switch (type) {
                case "BOOL" -> BinaryClient.bool(true, false, false, true);
                case "UINT8", "INT8" -> BinaryClient.int8(0, 1, 127, 255);
                case "UINT16", "INT16" -> BinaryClient.int16(0, 1, 0x7fff, 0xffff);
                case "FP16" -> BinaryClient.int16(0x3c00, 0xc000, 0x3555, 0x7bff);
                case "BF16" -> BinaryClient.int16(0x3f80, 0xc000, 0x3eab, 0x7f7f);
                case "UINT32", "INT32" -> BinaryClient.int32(0, 1, Integer.MAX_VALUE, -1);
                case "UINT64", "INT64" -> BinaryClient.int64(0, 1, Long.MAX_VALUE, -1);
                case "FP32" -> BinaryClient.fp32(0, -1.5f, Float.MAX_VALUE, 1e-30f);
                case "FP64" -> BinaryClient.fp64(0, -1.5, Double.MAX_VALUE, 1e-300);
                case "BYTES" -> BinaryClient.strings("a", "", "ünï", "four");
                default -> throw new AssertionError(type);
            };
            String name = input.path("name").asText();
            client.binary(name, type, TWO_BY_TWO, bytes);
            sent.put(name.replaceFirst("^in_", "out_"), bytes);
        }
        assertEquals(14, sent.size(), metadata::toString);
        Response response = client.post("/v2/models/every_datatype_binary/infer");
        assertEquals(200, response.statusCode(), response.asString());
        Answer answer = Answer.of(response);
        for (Map.Entry<String, byte[]> e : sent.entrySet()) {
            assertArrayEquals(e.getValue(), answer.binary().get(e.getKey()), e.getKey() + " in " + answer.json());
        }
    }

    /** Loads one of the exporter models that the example-models build writes (ExporterModels) as {@code id}. */
    private static void load(String exporterModel, String id) throws Exception {
        Path exported = Path.of("..", "example-models", "target", "exporter-repository", exporterModel, "1",
                "model.onnx");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(exported), "build example-models first");
        Path dir = ExampleRepository.extraRoot().resolve(id + "/1");
        Files.createDirectories(dir);
        Files.copy(exported, dir.resolve("model.onnx"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        given().contentType(ContentType.JSON).body(Map.of("model_id", id, "registry_uri", dir.toString()))
                .post("/v1/models/load").then().statusCode(200);
    }

    static void loadUpper() throws Exception {
        Path dir = ExampleRepository.extraRoot().resolve("upper_binary/1");
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.onnx"), OnnxModelWriter.graph("upper_binary")
                .input("text", ElementType.STRING, "batch")
                .output("upper", ElementType.STRING, "batch")
                .node("StringNormalizer", List.of("text"), List.of("upper"),
                        OnnxModelWriter.Attribute.string("case_change_action", "UPPER"),
                        OnnxModelWriter.Attribute.string("locale", "C"))
                .toByteArray());
        given().contentType(ContentType.JSON).body(Map.of("model_id", "upper_binary", "registry_uri", dir.toString()))
                .post("/v1/models/load").then().statusCode(200);
    }

    /** Reads JSON arrays for assertions. */
    static final class Wire {
        static List<Double> doubles(JsonNode array) {
            List<Double> out = new java.util.ArrayList<>();
            array.forEach(v -> out.add(v.asDouble()));
            return out;
        }
    }

    /**
     * A client that asks before sending its body (Expect: 100-continue, as curl does for bodies over
     * 1 MB and Java's client when told to) is told to go on, and answered: one that is never told
     * waits for good, or, as curl does, a second before sending anyway.
     */
    @Test
    void aClientThatAsksBeforeSendingALargeBodyIsToldToGoOn() throws Exception {
        float[] houses = new float[3 * 4000];
        for (int i = 0; i < houses.length; i++) {
            houses[i] = 1 + i % 97;
        }
        BinaryClient client = new BinaryClient().binary("features", "FP32", new long[] {4000, 3}, BinaryClient.fp32(houses));
        HttpRequest request = HttpRequest.newBuilder(URI.create(
                        "http://localhost:" + RestAssured.port + "/v2/models/house_price/versions/1/infer"))
                .expectContinue(true)
                .timeout(Duration.ofSeconds(20))
                .header(HEADER, String.valueOf(client.jsonBytes().length))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(client.body()))
                .build();
        HttpResponse<String> answer = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1).build()
                .send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        JsonNode price = BinaryClient.JSON.readTree(answer.body()).path("outputs").get(0);
        assertEquals(4000, price.path("data").size());
        double expected = ReferenceModels.housePrice(1, new double[] {houses[0], houses[1], houses[2]})[0];
        assertEquals(expected, price.path("data").get(0).asDouble(), Math.abs(expected) * 1e-5 + 1e-3);
    }
}
