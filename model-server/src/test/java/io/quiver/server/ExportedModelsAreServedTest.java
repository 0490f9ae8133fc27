package io.quiver.server;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.examples.ExporterReference;
import io.quiver.server.testing.ExporterRepository;
import io.quiver.server.testing.Wire;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Models as the public exporters write them (skl2onnx's classifiers with ZipMap, a half-precision
 * and a UINT8-pixel torch export, an identity over every tensor type) are served over V2 and the
 * row APIs, with answers checked against values computed without ONNX Runtime.
 */
@QuarkusTest
@WithTestResource(ExporterRepository.class)
class ExportedModelsAreServedTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final float[][] IRIS = {
            {5.1f, 3.5f, 1.4f, 0.2f}, {6.4f, 3.2f, 4.5f, 1.5f}, {6.3f, 3.3f, 6.0f, 2.5f}};

    @BeforeEach
    void modelsFoundAtStartAreLoaded() throws InterruptedException {
        Wire.awaitReady();
    }

    @Test
    void zipMapProbabilitiesBecomeALabelledTensorOverV2() throws Exception {
        JsonNode answer = infer("sklearn_logreg_int", tensor("float_input", "FP32", "[3,4]", irisData()));
        JsonNode probabilities = output(answer, "output_probability");
        assertEquals("FP32", probabilities.get("datatype").asText());
        assertEquals("[3,3]", probabilities.get("shape").toString());
        assertEquals("[\"0\",\"1\",\"2\"]", probabilities.at("/parameters/labels").toString());
        JsonNode labels = output(answer, "output_label");
        for (int r = 0; r < IRIS.length; r++) {
            double[] expected = ExporterReference.logisticRegressionProbabilities(IRIS[r]);
            for (int c = 0; c < 3; c++) {
                assertEquals(expected[c], probabilities.get("data").get(r * 3 + c).asDouble(), 1e-5, "row " + r);
            }
            assertEquals(ExporterReference.logisticRegressionLabel(IRIS[r]), labels.get("data").get(r).asLong());
        }
        JsonNode metadata = JSON.readTree(given().get("/v2/models/sklearn_forest_int").then().statusCode(200)
                .extract().asString());
        assertEquals("[\"0\",\"1\",\"2\"]", outputSpec(metadata, "output_probability").at("/parameters/labels").toString());
        assertEquals("[-1,3]", outputSpec(metadata, "output_probability").get("shape").toString());
    }

    @Test
    void aRandomForestsProbabilitiesMatchItsTrees() throws Exception {
        JsonNode probabilities = output(infer("sklearn_forest_int", tensor("float_input", "FP32", "[3,4]", irisData())),
                "output_probability");
        for (int r = 0; r < IRIS.length; r++) {
            double[] expected = ExporterReference.forestProbabilities(IRIS[r]);
            for (int c = 0; c < 3; c++) {
                assertEquals(expected[c], probabilities.get("data").get(r * 3 + c).asDouble(), 1e-6);
            }
        }
    }

    @Test
    void rowApisAnswerProbabilitiesKeyedByClassLabel() throws Exception {
        String rows = "[" + String.join(",", rowsOf(IRIS)) + "]";
        JsonNode answer = JSON.readTree(given().contentType("application/json")
                .body("{\"model_id\": \"sklearn_logreg_str\", \"inputs\": " + rows + "}").post("/v1/infer")
                .then().statusCode(200).extract().asString());
        String[] species = ExporterReference.irisSpecies();
        for (int r = 0; r < IRIS.length; r++) {
            JsonNode record = answer.get("predictions").get(r);
            assertEquals(ExporterReference.logisticRegressionSpecies(IRIS[r]), record.get("output_label").asText());
            double[] expected = ExporterReference.logisticRegressionProbabilities(IRIS[r]);
            for (int c = 0; c < 3; c++) {
                assertEquals(expected[c], record.get("output_probability").get(species[c]).asDouble(), 1e-5);
            }
        }
        JsonNode v2 = infer("sklearn_logreg_str", tensor("float_input", "FP32", "[3,4]", irisData()));
        assertEquals("BYTES", output(v2, "output_label").get("datatype").asText());
        assertEquals("[\"setosa\",\"versicolor\",\"virginica\"]",
                output(v2, "output_probability").at("/parameters/labels").toString());
    }

    @Test
    void aHalfPrecisionModelTakesAndGivesFp16() throws Exception {
        float[] row = {0.5f, -1.25f, 2.0f, 0.1f};
        JsonNode out = output(infer("torch_fp16_mlp", tensor("input", "FP16", "[1,4]",
                "[0.5,-1.25,2.0,0.1]")), "output");
        assertEquals("FP16", out.get("datatype").asText());
        float[] expected = ExporterReference.halfMlp(row);
        for (int j = 0; j < expected.length; j++) {
            assertEquals(expected[j], out.get("data").get(j).floatValue(), Math.ulp(expected[j]) * 8192 + 1e-3,
                    "output " + j);
        }
    }

    @Test
    void uint8PixelsAreTakenAndCheckedForRange() throws Exception {
        int[][][] image = new int[3][4][4];
        StringBuilder data = new StringBuilder("[");
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    image[c][y][x] = (c * 97 + y * 31 + x * 17) % 256;
                    data.append(data.length() > 1 ? "," : "").append(image[c][y][x]);
                }
            }
        }
        JsonNode logits = output(infer("torch_uint8_image", tensor("pixels", "UINT8", "[1,3,4,4]", data + "]")),
                "logits");
        double[] expected = ExporterReference.imageLogits(image);
        for (int j = 0; j < expected.length; j++) {
            assertEquals(expected[j], logits.get("data").get(j).asDouble(), 1e-4);
        }
        given().contentType("application/json")
                .body(v2(tensor("pixels", "UINT8", "[1,3,4,4]", data.toString().replaceFirst("\\[\\d+", "[256") + "]")))
                .post("/v2/models/torch_uint8_image/infer")
                .then().statusCode(400)
                .body("error", containsString("input 'pixels' element 0 must be an unsigned 8-bit integer (0 to 255), got 256"));
    }

    @Test
    void everyDatatypeGoesInAndComesBackOverJson() throws Exception {
        List<String> inputs = List.of(
                tensor("in_uint8", "UINT8", "[1,2]", "[0,255]"),
                tensor("in_uint16", "UINT16", "[1,2]", "[0,65535]"),
                tensor("in_uint32", "UINT32", "[1,2]", "[1,4294967295]"),
                tensor("in_uint64", "UINT64", "[1,2]", "[2,18446744073709551615]"),
                tensor("in_int8", "INT8", "[1,2]", "[-128,127]"),
                tensor("in_int16", "INT16", "[1,2]", "[-32768,32767]"),
                tensor("in_int32", "INT32", "[1,2]", "[-2147483648,2147483647]"),
                tensor("in_int64", "INT64", "[1,2]", "[-9223372036854775808,9223372036854775807]"),
                tensor("in_float16", "FP16", "[1,2]", "[0.1,65504]"),
                tensor("in_bfloat16", "BF16", "[1,2]", "[0.1,-3.0e38]"),
                tensor("in_float", "FP32", "[1,2]", "[1.5,-2.25]"),
                tensor("in_double", "FP64", "[1,2]", "[1.0E-300,3.5]"),
                tensor("in_bool", "BOOL", "[1,2]", "[true,false]"),
                tensor("in_string", "BYTES", "[1,2]", "[\"a\",\"é\"]"));
        JsonNode answer = infer("every_datatype", String.join(",", inputs));
        assertEquals("[0,255]", output(answer, "out_uint8").get("data").toString());
        assertEquals("[0,65535]", output(answer, "out_uint16").get("data").toString());
        assertEquals("[1,4294967295]", output(answer, "out_uint32").get("data").toString());
        assertEquals("[2,18446744073709551615]", output(answer, "out_uint64").get("data").toString());
        assertEquals("[-128,127]", output(answer, "out_int8").get("data").toString());
        assertEquals("[-32768,32767]", output(answer, "out_int16").get("data").toString());
        assertEquals("[-2147483648,2147483647]", output(answer, "out_int32").get("data").toString());
        assertEquals("[-9223372036854775808,9223372036854775807]", output(answer, "out_int64").get("data").toString());
        // 0.1 is not a half: the nearest FP16 is 0.0999755859375 and the nearest BF16 0.10009765625.
        assertEquals(0.0999755859375, output(answer, "out_float16").get("data").get(0).asDouble(), 0);
        assertEquals(65504.0, output(answer, "out_float16").get("data").get(1).asDouble(), 0);
        assertEquals(0.10009765625, output(answer, "out_bfloat16").get("data").get(0).asDouble(), 0);
        assertEquals("[1.5,-2.25]", output(answer, "out_float").get("data").toString());
        assertEquals("[true,false]", output(answer, "out_bool").get("data").toString());
        assertEquals("[\"a\",\"é\"]", output(answer, "out_string").get("data").toString());
        for (String type : List.of("UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "FP16", "BF16")) {
            String name = "out_" + type.toLowerCase().replace("fp16", "float16").replace("bf16", "bfloat16");
            assertEquals(type, output(answer, name).get("datatype").asText(), name);
        }
        JsonNode metadata = JSON.readTree(given().get("/v2/models/every_datatype").then().statusCode(200)
                .extract().asString());
        assertEquals("UINT64", outputSpec(metadata, "out_uint64").get("datatype").asText());
        assertEquals("[-1,2]", outputSpec(metadata, "out_uint64").get("shape").toString());
    }

    @Test
    void valuesBeyondATypesRangeAreRefusedNamingInputAndValue() {
        String[][] cases = {
                {"in_int8", "INT8", "[1,2]", "[0,128]", "input 'in_int8' element 1 must be an 8-bit integer (-128 to 127), got 128"},
                {"in_uint64", "UINT64", "[1,2]", "[-1,0]", "element 0 must be an unsigned 64-bit integer"},
                {"in_uint32", "UINT32", "[1,2]", "[1.5,0]", "element 0 must be an unsigned 32-bit integer (0 to 4294967295), got 1.5"},
                {"in_float16", "FP16", "[1,2]", "[70000,0]", "element 0 must be within the FP16 range (about ±65504), got 70000"},
                {"in_uint8", "FP32", "[1,2]", "[1,2]", "input 'in_uint8' expects datatype UINT8, got FP32"},
        };
        for (String[] c : cases) {
            given().contentType("application/json").body(v2(tensor(c[0], c[1], c[2], c[3])))
                    .post("/v2/models/every_datatype/infer")
                    .then().statusCode(400).body("error", containsString(c[4]));
        }
    }

    private static JsonNode infer(String model, String tensors) throws Exception {
        return JSON.readTree(given().contentType("application/json").body(v2(tensors))
                .post("/v2/models/" + model + "/infer").then().statusCode(200).extract().asString());
    }

    private static String v2(String tensors) {
        return "{\"inputs\": [" + tensors + "]}";
    }

    private static String tensor(String name, String type, String shape, String data) {
        return "{\"name\": \"" + name + "\", \"datatype\": \"" + type + "\", \"shape\": " + shape + ", \"data\": " + data + "}";
    }

    private static JsonNode output(JsonNode answer, String name) {
        for (JsonNode output : answer.get("outputs")) {
            if (output.get("name").asText().equals(name)) {
                return output;
            }
        }
        throw new AssertionError("no output " + name + " in " + answer);
    }

    private static JsonNode outputSpec(JsonNode metadata, String name) {
        for (JsonNode output : metadata.get("outputs")) {
            if (output.get("name").asText().equals(name)) {
                return output;
            }
        }
        throw new AssertionError("no output " + name + " in " + metadata);
    }

    private static String irisData() {
        return "[" + String.join(",", rowsOf(IRIS)) + "]";
    }

    private static List<String> rowsOf(float[][] rows) {
        List<String> out = new ArrayList<>();
        for (float[] row : rows) {
            StringBuilder text = new StringBuilder("[");
            for (int i = 0; i < row.length; i++) {
                text.append(i > 0 ? "," : "").append(row[i]);
            }
            out.add(text.append("]").toString());
        }
        return out;
    }
}
