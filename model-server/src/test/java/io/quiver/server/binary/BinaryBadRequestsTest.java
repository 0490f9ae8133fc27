package io.quiver.server.binary;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.server.binary.BinaryClient.Answer;
import io.quiver.server.testing.ExampleRepository;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Malformed binary requests get a 4xx naming the fault, never a 5xx, and the server keeps serving. */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
class BinaryBadRequestsTest {
    private static final String HOUSE = "/v2/models/house_price/versions/1/infer";
    private static final String UPPER = "/v2/models/upper_binary/infer";
    private static final byte[] ONE_HOUSE = BinaryClient.fp32(1200, 3, 15);

    /** A request: where it goes, its JSON, the bytes after it, and the header (null: none; "": the JSON's length). */
    record Bad(String path, String json, byte[] tail, String header) {
        Response post() {
            byte[] head = json.getBytes(StandardCharsets.UTF_8);
            byte[] body = BinaryClient.concat(head, tail);
            if (header == null) {
                return given().contentType(ContentType.JSON).body(body).post(path);
            }
            return BinaryClient.post(path, body, header.isEmpty() ? String.valueOf(head.length) : header);
        }
    }

    private static String house(String parameters) {
        return "{\"inputs\": [{\"name\": \"features\", \"shape\": [1, 3], \"datatype\": \"FP32\", " + parameters + "}]}";
    }

    private static String upper(long elements, int size) {
        return "{\"inputs\": [{\"name\": \"text\", \"shape\": [" + elements + "], \"datatype\": \"BYTES\","
                + " \"parameters\": {\"binary_data_size\": " + size + "}}]}";
    }

    static Stream<Arguments> badRequests() {
        String twelve = house("\"parameters\": {\"binary_data_size\": 12}");
        byte[] lengthPastEnd = BinaryClient.concat(BinaryClient.int32(100), "abc".getBytes(StandardCharsets.UTF_8));
        byte[] notUtf8 = BinaryClient.bytes(new byte[] {(byte) 0xc3, (byte) 0x28});
        return Stream.of(
                Arguments.of("header not a number", new Bad(HOUSE, twelve, ONE_HOUSE, "twelve"),
                        "Inference-Header-Content-Length must be a non-negative integer"),
                Arguments.of("header negative", new Bad(HOUSE, twelve, ONE_HOUSE, "-5"),
                        "Inference-Header-Content-Length must be a non-negative integer"),
                Arguments.of("header beyond the body", new Bad(HOUSE, twelve, ONE_HOUSE, "99999"),
                        "beyond the"),
                Arguments.of("header cuts the JSON", new Bad(HOUSE, twelve, ONE_HOUSE, "20"),
                        "malformed JSON"),
                Arguments.of("size negative", new Bad(HOUSE, house("\"parameters\": {\"binary_data_size\": -12}"),
                        ONE_HOUSE, ""), "binary_data_size must be a non-negative integer"),
                Arguments.of("size fractional", new Bad(HOUSE, house("\"parameters\": {\"binary_data_size\": 11.5}"),
                        ONE_HOUSE, ""), "binary_data_size must be a non-negative integer"),
                Arguments.of("size a string", new Bad(HOUSE, house("\"parameters\": {\"binary_data_size\": \"12\"}"),
                        ONE_HOUSE, ""), "binary_data_size must be a non-negative integer"),
                Arguments.of("size absurd", new Bad(HOUSE,
                        house("\"parameters\": {\"binary_data_size\": 1000000000000}"), ONE_HOUSE, ""),
                        "runs past the end of the body"),
                Arguments.of("bytes left over", new Bad(HOUSE, twelve, BinaryClient.concat(ONE_HOUSE, new byte[3]), ""),
                        "add up to 12 bytes but 15 bytes follow the JSON"),
                Arguments.of("size not the shape's", new Bad(HOUSE, house("\"parameters\": {\"binary_data_size\": 8}"),
                        BinaryClient.fp32(1, 2), ""), "takes 12"),
                Arguments.of("huge shape, small size", new Bad(HOUSE,
                        twelve.replace("[1, 3]", "[100000000, 3]"), ONE_HOUSE, ""), "takes 1200000000"),
                Arguments.of("both data and size", new Bad(HOUSE,
                        house("\"data\": [1, 2, 3], \"parameters\": {\"binary_data_size\": 12}"), ONE_HOUSE, ""),
                        "both 'data' and parameters.binary_data_size"),
                Arguments.of("size without the header", new Bad(HOUSE, twelve, new byte[0], null),
                        "no Inference-Header-Content-Length header"),
                Arguments.of("binary_data not a boolean", new Bad(HOUSE,
                        twelve.replace("}]}", "}], \"outputs\": [{\"name\": \"price\", \"parameters\": {\"binary_data\": \"yes\"}}]}"),
                        ONE_HOUSE, ""), "binary_data must be true or false"),
                Arguments.of("BYTES length past the input", new Bad(UPPER, upper(1, lengthPastEnd.length),
                        lengthPastEnd, ""), "element 0 has length 100 which runs past"),
                Arguments.of("BYTES not UTF-8", new Bad(UPPER, upper(1, notUtf8.length), notUtf8, ""),
                        "element 0 is not valid UTF-8"),
                Arguments.of("BYTES count the bytes cannot hold", new Bad(UPPER, upper(1_000_000_000, 10),
                        BinaryClient.strings("ab", ""), ""), "cannot hold 1000000000 BYTES elements"),
                Arguments.of("BYTES bytes left after the elements", new Bad(UPPER, upper(1, 10),
                        BinaryClient.concat(BinaryClient.strings("ab"), new byte[4]), ""), "bytes are left"));
    }

    @BeforeEach
    void loadStringModel() throws Exception {
        BinaryTensorDataTest.loadUpper();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void isRefusedNamingTheFault(String what, Bad request, String fragment) {
        Response response = request.post();
        int status = response.statusCode();
        assertTrue(status >= 400 && status < 500, what + " answered " + status + " " + response.asString());
        String error = response.jsonPath().getString("error");
        assertTrue(error != null && error.contains(fragment), what + ": '" + error + "' should name '" + fragment + "'");
    }

    @AfterEach
    void inferenceStillWorks() {
        Response response = new BinaryClient()
                .binary("features", "FP32", new long[] {1, 3}, ONE_HOUSE)
                .output("price", true)
                .post(HOUSE);
        assertEquals(200, response.statusCode(), response.asString());
        assertEquals(1, Answer.of(response).fp32("price").length);
        Response strings = new BinaryClient()
                .binary("text", "BYTES", new long[] {1}, BinaryClient.strings("ok"))
                .output("upper", true)
                .post(UPPER);
        assertEquals(200, strings.statusCode(), strings.asString());
        assertArrayEquals(new String[] {"OK"}, Answer.of(strings).strings("upper"));
    }
}
