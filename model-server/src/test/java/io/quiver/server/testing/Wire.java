package io.quiver.server.testing;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends JSON to the server under test and reads answers with Jackson, so that numbers keep their
 * full precision (REST Assured's own JSON path reads decimals as float and large integers lossily).
 */
public final class Wire {
    public static final ObjectMapper JSON = new ObjectMapper();
    /** Served outputs may differ from the double-precision reference by float32 rounding only. */
    public static final double TOLERANCE = 1e-4;

    private Wire() {
    }

    /** As a deployment would, waits for {@code GET /ready}: the models found at start are loaded. */
    public static void awaitReady() {
        await().atMost(Duration.ofSeconds(60)).alias("the models found at start are loaded")
                .until(() -> given().get("/ready").statusCode(), status -> status == 200);
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }

    public static ArrayNode array(double... values) {
        ArrayNode array = array();
        for (double v : values) {
            array.add(v);
        }
        return array;
    }

    public static ArrayNode array(long... values) {
        ArrayNode array = array();
        for (long v : values) {
            array.add(v);
        }
        return array;
    }

    public static ArrayNode array(boolean... values) {
        ArrayNode array = array();
        for (boolean v : values) {
            array.add(v);
        }
        return array;
    }

    /** Rows as a JSON array of arrays. */
    public static ArrayNode rows(double[]... rows) {
        ArrayNode array = array();
        for (double[] row : rows) {
            array.add(array(row));
        }
        return array;
    }

    /** Rows flattened in row-major order, as the V2 protocol's flat {@code data}. */
    public static ArrayNode flat(double[]... rows) {
        ArrayNode array = array();
        for (double[] row : rows) {
            for (double v : row) {
                array.add(v);
            }
        }
        return array;
    }

    /** A V2 input tensor. */
    public static ObjectNode tensor(String name, String datatype, long[] shape, JsonNode data) {
        ObjectNode tensor = object();
        tensor.put("name", name);
        tensor.put("datatype", datatype);
        tensor.set("shape", array(shape));
        tensor.set("data", data);
        return tensor;
    }

    public static String text(JsonNode body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new AssertionError("answer is not JSON: " + body, e);
        }
    }

    /** POSTs {@code body} as JSON and returns the answer, which must be 200 with a JSON body. */
    public static JsonNode postOk(String path, JsonNode body) {
        return postOk(path, text(body));
    }

    public static JsonNode postOk(String path, String body) {
        Response response = given().contentType(ContentType.JSON).body(body).when().post(path);
        return ok(response, "POST " + path + " " + abbreviated(body));
    }

    public static JsonNode getOk(String path) {
        return ok(given().when().get(path), "GET " + path);
    }

    private static JsonNode ok(Response response, String request) {
        String answer = response.asString();
        assertEquals(200, response.statusCode(), () -> request + " answered " + answer);
        assertTrue(response.contentType().startsWith("application/json"),
                () -> request + " answered content type " + response.contentType());
        return read(answer);
    }

    private static String abbreviated(String body) {
        return body.length() > 300 ? body.substring(0, 300) + "..." : body;
    }

    /** Passes when within {@link #TOLERANCE}, absolute or relative to the expected value. */
    public static void assertClose(double expected, JsonNode actual, String what) {
        if (actual == null || !actual.isNumber()) {
            fail(what + ": expected a number close to " + expected + ", got " + actual);
        }
        assertClose(expected, actual.doubleValue(), what);
    }

    public static void assertClose(double expected, double actual, String what) {
        double error = Math.abs(actual - expected);
        if (!(error <= TOLERANCE || error <= TOLERANCE * Math.abs(expected))) {
            fail(what + ": expected " + expected + " within " + TOLERANCE + ", got " + actual);
        }
    }

    /** {@code actual} is a JSON array of exactly these numbers, each within tolerance. */
    public static void assertAllClose(double[] expected, JsonNode actual, String what) {
        assertTrue(actual != null && actual.isArray(), () -> what + ": expected an array, got " + actual);
        assertEquals(expected.length, actual.size(), () -> what + ": " + actual);
        for (int i = 0; i < expected.length; i++) {
            assertClose(expected[i], actual.get(i), what + "[" + i + "]");
        }
    }

    /** The output tensor of a V2 answer by name; fails when absent. */
    public static JsonNode output(JsonNode answer, String name) {
        for (JsonNode output : answer.path("outputs")) {
            if (name.equals(output.path("name").asText())) {
                return output;
            }
        }
        throw new AssertionError("no output '" + name + "' in " + answer);
    }

    public static List<String> outputNames(JsonNode answer) {
        List<String> names = new ArrayList<>();
        answer.path("outputs").forEach(o -> names.add(o.path("name").asText()));
        return names;
    }

    public static long[] longs(JsonNode array) {
        long[] values = new long[array.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = array.get(i);
            assertTrue(v.isIntegralNumber(), () -> "expected an integer, got " + v + " in " + array);
            values[i] = v.longValue();
        }
        return values;
    }

    public static long[] shape(long... dims) {
        return dims;
    }

    /** A JSON array read as longs: the shape field of a tensor. */
    public static List<Long> shapeOf(JsonNode tensor) {
        List<Long> dims = new ArrayList<>();
        tensor.path("shape").forEach(d -> dims.add(d.longValue()));
        return dims;
    }

    /** Rounds to float32, the precision every FP32 input is served at, so that the reference sees the same value. */
    public static double f32(double v) {
        return (float) v;
    }
}
