package io.quiver.server;

import static io.quiver.server.testing.Wire.assertAllClose;
import static io.quiver.server.testing.Wire.output;
import static io.quiver.server.testing.Wire.postOk;
import static io.quiver.server.testing.Wire.read;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.examples.ReferenceModels;
import io.quiver.server.testing.ExampleRepository;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad requests on every endpoint, each answered with its exact status and the one error shape,
 * {@code {"error": "...", "request_id": "..."}}, whose message names what was wrong. None may be
 * a 5xx, and none may leave the server unable to answer a good request afterwards.
 */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadRequestCatalogueTest {
    private static final String V2_HOUSE = "/v2/models/house_price/infer";
    private static final String V2_MULTI = "/v2/models/multi_input/infer";
    /** One more than quiver.limits.max-request-size (16M). */
    private static final int OVERSIZED_BODY = 17 * 1024 * 1024;

    /** A request and what its answer must be. {@code body} null sends none. */
    record Bad(String problem, String method, String path, String body, int status, String fragment) {
        @Override
        public String toString() {
            return problem;
        }
    }

    static Stream<Bad> catalogue() {
        return Stream.of(
                // The body itself
                post("malformed JSON", V2_HOUSE, "{\"inputs\": [", 400, "malformed JSON"),
                post("empty body", V2_HOUSE, null, 400, "request body is empty"),
                post("body a JSON string, not an object", V2_HOUSE, "\"features\"", 400,
                        "must be a JSON object, got a string"),
                post("JSON array at top level", V2_HOUSE, "[" + houseTensor("[1,3]", "[1,2,3]") + "]", 400,
                        "must be a JSON object, got an array"),
                // Leading zero bytes make Jackson read the body as UTF-32, which these bytes are not.
                post("typed body that reads as UTF-32 but is not", "/predict",
                        "\0\0\0{\"model_type\": \"house_price\", \"data\": [1,2,3]}", 400,
                        "malformed JSON: the body is not text in UTF-8, UTF-16 or UTF-32"),

                // V2 request structure
                post("missing inputs", V2_HOUSE, "{\"id\": \"x\"}", 400, "field 'inputs' is required"),
                post("inputs not an array", V2_HOUSE, "{\"inputs\": " + houseTensor("[1,3]", "[1,2,3]") + "}", 400,
                        "'inputs' must be a non-empty array"),
                post("inputs an empty array", V2_HOUSE, "{\"inputs\": []}", 400, "'inputs' must be a non-empty array"),
                post("shape far larger than its data", V2_HOUSE, v2(houseTensor("[1,700000000]", "[1,2,3]")), 400,
                        "input 'features' has 3 elements, expected 700000000"),
                post("input not an object", V2_HOUSE, "{\"inputs\": [5]}", 400, "inputs[0] must be an object"),
                post("input without data", V2_HOUSE,
                        "{\"inputs\": [{\"name\": \"features\", \"datatype\": \"FP32\", \"shape\": [1,3]}]}", 400,
                        "field 'data' is required"),
                post("outputs not an array", V2_HOUSE,
                        "{\"inputs\": [" + houseTensor("[1,3]", "[1,2,3]") + "], \"outputs\": \"price\"}", 400,
                        "'outputs' must be an array"),

                // V2 inputs against the signature
                post("unknown input name", V2_HOUSE,
                        v2(tensor("sqft", "FP32", "[1,3]", "[1,2,3]")), 400, "unknown input 'sqft'"),
                post("missing input", V2_MULTI, v2(multi(null)), 400, "missing input 'mask' (BOOL"),
                post("duplicate input", V2_HOUSE,
                        v2(houseTensor("[1,3]", "[1,2,3]"), houseTensor("[1,3]", "[4,5,6]")), 400,
                        "input 'features' is given twice"),
                post("wrong datatype for an input", V2_HOUSE,
                        v2(tensor("features", "FP64", "[1,3]", "[1,2,3]")), 400,
                        "input 'features' expects datatype FP32, got FP64"),
                post("unknown datatype name", V2_HOUSE,
                        v2(tensor("features", "FLOAT16", "[1,3]", "[1,2,3]")), 400,
                        "input 'features' has datatype 'FLOAT16'"),
                post("shape with a negative dimension", V2_HOUSE, v2(houseTensor("[-1,3]", "[1,2,3]")), 400,
                        "input 'features': shape[0] must be a non-negative integer, got -1"),
                post("shape asks for more elements than data has", V2_HOUSE, v2(houseTensor("[2,3]", "[1,2,3]")), 400,
                        "input 'features' has 3 elements, expected 6"),
                post("data has more elements than shape", V2_HOUSE, v2(houseTensor("[1,3]", "[1,2,3,4]")), 400,
                        "input 'features' has more than the 3 elements"),
                post("wrong rank", V2_HOUSE, v2(houseTensor("[3]", "[1,2,3]")), 400,
                        "input 'features' expects rank 2"),
                post("wrong fixed dimension", V2_HOUSE, v2(houseTensor("[1,4]", "[1,2,3,4]")), 400,
                        "input 'features' expects shape [?, 3], got [1, 4]"),
                post("wrong fixed trailing dimension of a sequence", "/v2/models/lstm_forecaster/infer",
                        v2(tensor("series", "FP32", "[1,3,2]", "[1,2,3,4,5,6]")), 400,
                        "input 'series' expects shape [?, ?, 1], got [1, 3, 2]"),
                post("inputs disagree on the batch dimension", V2_MULTI,
                        v2(multi(tensor("mask", "BOOL", "[2,2]", "[true,false,true,true]"))), 400,
                        "disagree on dimension 'batch': 1 vs 2"),
                post("non-numeric element", V2_HOUSE, v2(houseTensor("[1,3]", "[1,\"two\",3]")), 400,
                        "input 'features' element 1 must be a number"),
                post("non-integer for INT64", V2_MULTI, v2(multi(tensor("b", "INT64", "[1,2]", "[7,1.5]"))), 400,
                        "input 'b' element 1 must be a 64-bit integer, got 1.5"),
                post("INT64 beyond 64 bits", V2_MULTI,
                        v2(multi(tensor("b", "INT64", "[1,2]", "[9223372036854775808,1]"))), 400,
                        "input 'b' element 0 must be a 64-bit integer"),
                post("non-boolean for BOOL", V2_MULTI, v2(multi(tensor("mask", "BOOL", "[1,2]", "[1,0]"))), 400,
                        "input 'mask' element 0 must be true or false, got 1"),
                post("INT32 overflow", V2_MULTI, v2(multi(tensor("c", "INT32", "[1,2]", "[5,2147483648]"))), 400,
                        "input 'c' element 1 must be a 32-bit integer, got 2147483648"),
                post("unknown requested output", V2_HOUSE,
                        "{\"inputs\": [" + houseTensor("[1,3]", "[1,2,3]") + "], \"outputs\": [{\"name\": \"cost\"}]}",
                        400, "unknown output 'cost'; the model gives [price]"),
                post("zero rows", V2_HOUSE, v2(houseTensor("[0,3]", "[]")), 400, "input 'features' has no rows"),
                post("more rows than the batch limit", V2_HOUSE, v2(houseTensor("[4097,3]", zeros(4097 * 3))), 400,
                        "input 'features' has 4097 rows; at most 4096"),
                post("shape too large to hold", V2_HOUSE, v2(houseTensor("[100000,100000]", "[]")), 400,
                        "input 'features': shape [100000, 100000] is too large"),
                post("unknown model", "/v2/models/no_such_model/infer", v2(houseTensor("[1,3]", "[1,2,3]")), 404,
                        "model 'no_such_model' is not loaded"),
                post("unknown version", "/v2/models/house_price/versions/9/infer", v2(houseTensor("[1,3]", "[1,2,3]")),
                        404, "model 'house_price' has no version '9'"),

                // seed 002: /v1/infer
                post("v1 row missing a feature", "/v1/infer",
                        "{\"model_id\": \"house_price\", \"inputs\": [{\"sqft\": 1, \"rooms\": 2, \"age\": 3},"
                                + " {\"sqft\": 1, \"age\": 3}]}", 400,
                        "row 1 is missing feature 'rooms'"),
                post("v1 row with an unknown feature", "/v1/infer",
                        "{\"model_id\": \"house_price\", \"inputs\": [{\"sqft\": 1, \"rooms\": 2, \"age\": 3, \"pool\": 1}]}",
                        400, "row 0 has unknown feature 'pool'"),
                post("v1 rows of differing shapes", "/v1/infer",
                        "{\"model_id\": \"house_price\", \"inputs\": [[1,2,3], [4,5]]}", 400,
                        "input 'features' row 1 has shape [2] but row 0 has [3]"),
                post("v1 ragged nested row", "/v1/infer",
                        "{\"model_id\": \"lstm_forecaster\", \"inputs\": [[[0.1], [0.2, 0.3]]]}", 400,
                        "input 'series' row 0 is not rectangular"),
                post("v1 zero rows", "/v1/infer", "{\"model_id\": \"house_price\", \"inputs\": []}", 400,
                        "no rows to predict on"),
                post("v1 missing model_id", "/v1/infer", "{\"inputs\": [[1,2,3]]}", 400, "field 'model_id' is required"),
                post("v1 inputs not an array", "/v1/infer",
                        "{\"model_id\": \"house_price\", \"inputs\": {\"sqft\": 1}}", 400,
                        "'inputs' must be an array of rows, got an object"),
                post("v1 multi-input row not keyed by input name", "/v1/infer",
                        "{\"model_id\": \"multi_input\", \"inputs\": [[1,2]]}", 400,
                        "row 0 must be an object keyed by input name [a, b, c, d, mask]"),
                post("v1 unknown model", "/v1/infer", "{\"model_id\": \"no_such_model\", \"inputs\": [[1,2,3]]}", 404,
                        "model 'no_such_model' is not loaded"),

                // seed 004: /predictions/{name}
                post("predictions column with a non-integer index", "/predictions/house_price",
                        "{\"sqft\": {\"first\": 1}, \"rooms\": {\"first\": 2}, \"age\": {\"first\": 3}}", 400,
                        "column 'sqft' has row index 'first'; row indexes are integers"),
                post("predictions columns with differing indexes", "/predictions/house_price",
                        "{\"sqft\": {\"0\": 1, \"1\": 4}, \"rooms\": {\"0\": 2, \"2\": 5}, \"age\": {\"0\": 3, \"1\": 6}}",
                        400, "column 'rooms' has row indexes [0, 2] but column 'sqft' has [0, 1]"),
                post("predictions column neither object nor array", "/predictions/house_price",
                        "{\"sqft\": 5, \"rooms\": 2, \"age\": 3}", 400,
                        "column 'sqft' must be an object of row index to value, got a number"),
                post("predictions without columns", "/predictions/house_price", "{}", 400, "no columns"),
                post("predictions for an unknown model", "/predictions/no_such_model", "{\"sqft\": [1]}", 404,
                        "model 'no_such_model' is not loaded"),

                // seed 003: /predict
                post("predict missing model_type", "/predict", "{\"data\": [1,2,3]}", 400,
                        "field 'model_type' is required"),
                post("predict unknown model_type", "/predict", "{\"model_type\": \"cnn\", \"data\": [1,2,3]}", 404,
                        "no loaded model is named or has model_type 'cnn'"),
                post("predict missing data", "/predict", "{\"model_type\": \"house_price\"}", 400,
                        "field 'data' is required"),
                post("predict unknown version", "/predict",
                        "{\"model_type\": \"house_price\", \"data\": [1,2,3], \"model_version\": \"9\"}", 404,
                        "model 'house_price' has no version '9'"),
                post("predict row of the wrong width", "/predict", "{\"model_type\": \"house_price\", \"data\": [1,2]}",
                        400, "input 'features' expects shape [?, 3], got [1, 2]"),

                // MLflow: /invocations
                post("invocations with two formats at once", "/invocations",
                        "{\"inputs\": [[1,2,3]], \"instances\": [[1,2,3]]}", 400,
                        "send exactly one of [data, dataframe_records, dataframe_split, inputs, instances]; got [inputs, instances]"),
                post("invocations dataframe_split row of the wrong length", "/invocations",
                        "{\"dataframe_split\": {\"columns\": [\"sqft\", \"rooms\", \"age\"], \"data\": [[1,2,3], [4,5]]}}",
                        400, "dataframe_split row 1 must be an array of 3 values, one per column"),
                post("invocations with an unknown field", "/invocations", "{\"rows\": [[1,2,3]]}", 400,
                        "unknown field 'rows'"),
                post("invocations instances not an array", "/invocations", "{\"instances\": {\"sqft\": 1}}", 400,
                        "'instances' must be an array, got an object"),
                post("invocations ragged named tensor", "/invocations",
                        "{\"inputs\": {\"features\": [[1,2,3], [4,5]]}}", 400, "input 'features' is not rectangular"),
                post("invocations named tensor for an unknown input", "/invocations",
                        "{\"inputs\": {\"sqft\": [[1,2,3]]}}", 400, "unknown input 'sqft'"),

                // Routing
                new Bad("unknown endpoint", "GET", "/v3/models", null, 404, "no such endpoint: GET /v3/models"),
                post("unknown endpoint with a body", "/v2/models/house_price/explain", "{}", 404,
                        "no such endpoint: POST /v2/models/house_price/explain"),
                new Bad("wrong method on infer", "GET", V2_HOUSE, null, 405,
                        "method GET is not allowed on " + V2_HOUSE),
                new Bad("wrong method on predict", "DELETE", "/predict", null, 405,
                        "method DELETE is not allowed on /predict"),
                new Bad("wrong method on invocations", "PUT", "/invocations", "{\"instances\": [[1,2,3]]}", 405,
                        "method PUT is not allowed on /invocations"));
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogue")
    void isRefusedWithAnErrorThatNamesTheProblem(Bad bad) {
        RequestSpecification request = given().contentType(ContentType.JSON);
        if (bad.body() != null) {
            request.body(bad.body());
        }
        Response response = request.when().request(bad.method(), bad.path());
        assertErrorAnswer(bad, response.statusCode(), response.contentType(), response.header("X-Request-Id"),
                response.asString());
    }

    /** RequestGate refuses a declared Content-Length over the limit before reading the body. */
    @Order(2)
    @Test
    void bodyOverTheSizeLimitIsRefusedBeforeItIsRead() throws IOException, InterruptedException {
        byte[] body = new byte[OVERSIZED_BODY];
        Arrays.fill(body, (byte) ' ');
        byte[] start = "{\"inputs\": []".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(start, 0, body, 0, start.length);
        body[body.length - 1] = '}';
        // Expect: 100-continue, as curl and most clients send for a large body: the refusal comes
        // before the body, so the answer cannot be lost to a reset of a half-sent request.
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUri() + V2_HOUSE))
                .expectContinue(true)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertErrorAnswer(new Bad("body of 17 MiB over the 16 MiB limit", "POST", V2_HOUSE, null, 413,
                        "request body of " + OVERSIZED_BODY + " bytes is over the limit of " + (16 * 1024 * 1024)),
                response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                response.headers().firstValue("X-Request-Id").orElse(null), response.body());
    }

    @Order(3)
    @Test
    void errorCarriesTheClientsRequestId() {
        Response response = given().contentType(ContentType.JSON).header("X-Request-Id", "catalogue-trace-0042")
                .body("{\"inputs\": []}").when().post(V2_HOUSE);
        assertEquals(400, response.statusCode());
        assertEquals("catalogue-trace-0042", read(response.asString()).path("request_id").asText());
        assertEquals("catalogue-trace-0042", response.header("X-Request-Id"));
    }

    /**
     * Content after the JSON value is malformed, not ignored: {@code {...}}} or two concatenated
     * objects must not be served as if only the first had been sent.
     */
    @Order(4)
    @Test
    void trailingContentAfterTheJsonObjectIsMalformed() {
        Response response = given().contentType(ContentType.JSON)
                .body(v2(houseTensor("[1,3]", "[1,2,3]")) + "}").when().post(V2_HOUSE);
        assertErrorAnswer(new Bad("trailing brace", "POST", V2_HOUSE, null, 400, "malformed JSON"),
                response.statusCode(), response.contentType(), response.header("X-Request-Id"), response.asString());
    }

    /**
     * Nested V2 data must have the declared shape, not only its element count: shape [2,3] with data
     * [[1,2],[3,4,5,6]] must not be re-cut into rows [1,2,3] and [4,5,6].
     */
    @Order(5)
    @Test
    void raggedNestedV2DataIsRefusedEvenWhenItsCountMatches() {
        Response response = given().contentType(ContentType.JSON)
                .body(v2(houseTensor("[2,3]", "[[1,2],[3,4,5,6]]"))).when().post(V2_HOUSE);
        assertErrorAnswer(new Bad("ragged nested data", "POST", V2_HOUSE, null, 400, "input 'features'"),
                response.statusCode(), response.contentType(), response.header("X-Request-Id"), response.asString());
    }

    /**
     * An FP32 element beyond float range (1e39) is refused, as INT32 overflow is, rather than
     * becoming +Infinity.
     */
    @Order(6)
    @Test
    void fp32ElementBeyondFloatRangeIsRefused() {
        Response response = given().contentType(ContentType.JSON)
                .body(v2(houseTensor("[1,3]", "[1e39,2,3]"))).when().post(V2_HOUSE);
        assertErrorAnswer(new Bad("FP32 overflow", "POST", V2_HOUSE, null, 400, "input 'features' element 0"),
                response.statusCode(), response.contentType(), response.header("X-Request-Id"), response.asString());
    }

    @Order(100)
    @Test
    void serverStillAnswersGoodRequestsCorrectlyAfterTheCatalogue() {
        double[][] houses = {{1750, 3, 22}, {980.5, 2, 61.25}};
        JsonNode answer = postOk(V2_HOUSE, v2(houseTensor("[2,3]", "[[1750,3,22],[980.5,2,61.25]]")));
        assertAllClose(OpenInferenceProtocolTest.housePrices(2, houses), output(answer, "price").path("data"), "price");
        JsonNode rows = postOk("/invocations", "{\"instances\": [[1750,3,22],[980.5,2,61.25]]}");
        assertAllClose(OpenInferenceProtocolTest.housePrices(1, houses), rows.path("predictions"), "predictions");
        JsonNode forecast = postOk("/predict", "{\"model_type\": \"LSTM\", \"data\": [0.5, 0.25, -0.125]}");
        assertAllClose(new double[] {ReferenceModels.lstmForecast(new double[] {0.5, 0.25, -0.125})},
                forecast.path("predictions"), "forecast");
    }

    private static void assertErrorAnswer(Bad bad, int status, String contentType, String requestIdHeader, String body) {
        String context = bad.problem() + ": " + bad.method() + " " + bad.path() + " answered " + status + " " + body;
        assertTrue(status < 500, () -> "a client error must not be a server error; " + context);
        assertEquals(bad.status(), status, context);
        assertTrue(contentType != null && contentType.startsWith("application/json"),
                () -> "content type " + contentType + "; " + context);
        JsonNode error = read(body);
        assertTrue(error.path("error").isTextual(), () -> "no error string; " + context);
        assertTrue(error.path("error").asText().contains(bad.fragment()),
                () -> "error should contain \"" + bad.fragment() + "\"; " + context);
        assertTrue(error.path("request_id").isTextual(), () -> "no request_id; " + context);
        assertFalse(error.path("request_id").asText().isBlank(), () -> "blank request_id; " + context);
        assertEquals(requestIdHeader, error.path("request_id").asText(), () -> "request_id vs header; " + context);
    }

    private static String baseUri() {
        return RestAssured.baseURI + ":" + RestAssured.port;
    }

    private static Bad post(String problem, String path, String body, int status, String fragment) {
        return new Bad(problem, "POST", path, body, status, fragment);
    }

    private static String v2(String... tensors) {
        return "{\"inputs\": [" + String.join(", ", tensors) + "]}";
    }

    private static String tensor(String name, String datatype, String shape, String data) {
        return "{\"name\": \"" + name + "\", \"datatype\": \"" + datatype + "\", \"shape\": " + shape
                + ", \"data\": " + data + "}";
    }

    private static String houseTensor(String shape, String data) {
        return tensor("features", "FP32", shape, data);
    }

    /**
     * A valid one-row multi_input request with {@code replacement} in place of the input of the
     * same name, or without {@code mask} when {@code replacement} is null.
     */
    private static String[] multi(String replacement) {
        String[] tensors = {
            tensor("a", "FP32", "[1,2]", "[1.5,2]"),
            tensor("b", "INT64", "[1,2]", "[3,4]"),
            tensor("c", "INT32", "[1,2]", "[5,6]"),
            tensor("d", "FP64", "[1,2]", "[0.5,0.25]"),
            tensor("mask", "BOOL", "[1,2]", "[true,false]"),
        };
        if (replacement == null) {
            return Arrays.copyOf(tensors, 4);
        }
        for (int i = 0; i < tensors.length; i++) {
            String name = tensors[i].substring(0, tensors[i].indexOf("\", \"datatype"));
            if (replacement.startsWith(name + "\"")) {
                tensors[i] = replacement;
            }
        }
        return tensors;
    }

    private static String zeros(int count) {
        return "[" + String.join(",", Collections.nCopies(count, "0")) + "]";
    }
}
