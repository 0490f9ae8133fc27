package io.quiver.server;

import static io.quiver.server.testing.Wire.array;
import static io.quiver.server.testing.Wire.assertAllClose;
import static io.quiver.server.testing.Wire.assertClose;
import static io.quiver.server.testing.Wire.flat;
import static io.quiver.server.testing.Wire.getOk;
import static io.quiver.server.testing.Wire.longs;
import static io.quiver.server.testing.Wire.object;
import static io.quiver.server.testing.Wire.output;
import static io.quiver.server.testing.Wire.outputNames;
import static io.quiver.server.testing.Wire.postOk;
import static io.quiver.server.testing.Wire.rows;
import static io.quiver.server.testing.Wire.shape;
import static io.quiver.server.testing.Wire.shapeOf;
import static io.quiver.server.testing.Wire.tensor;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.examples.ReferenceModels;
import io.quiver.server.testing.ExampleRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The Open Inference Protocol (KServe V2) as clients see it, every answer checked against {@link ReferenceModels}. */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
class OpenInferenceProtocolTest {
    /** sqft, rooms, age; every value exact in float32, so the reference sees what the model sees. */
    private static final double[][] HOUSES = {{1200, 3, 15}, {850.5, 2, 40}, {2400.25, 5, 1.5}};

    @Test
    void serverMetadataNamesTheServerAndItsVersion() {
        JsonNode server = getOk("/v2");
        assertEquals("quiver", server.path("name").asText());
        assertFalse(server.path("version").asText().isBlank(), server::toString);
        assertTrue(server.path("extensions").isArray(), server::toString);
    }

    @Test
    void serverIsLiveAndReady() {
        assertTrue(getOk("/v2/health/live").path("live").asBoolean(false));
        assertTrue(getOk("/v2/health/ready").path("ready").asBoolean(false));
    }

    @Test
    void modelMetadataListsInputsOutputsWithDynamicBatchAndEveryVersion() {
        JsonNode house = getOk("/v2/models/house_price");
        assertEquals("house_price", house.path("name").asText());
        assertEquals(List.of("1", "2"), texts(house.path("versions")));
        assertTensorSpecs(house.path("inputs"), spec("features", "FP32", -1, 3));
        assertTensorSpecs(house.path("outputs"), spec("price", "FP32", -1, 1));
    }

    @Test
    void modelMetadataGivesEachInputItsOwnDatatype() {
        JsonNode multi = getOk("/v2/models/multi_input");
        assertEquals(List.of("1"), texts(multi.path("versions")));
        assertTensorSpecs(multi.path("inputs"),
                spec("a", "FP32", -1, 2), spec("b", "INT64", -1, 2), spec("c", "INT32", -1, 2),
                spec("d", "FP64", -1, 2), spec("mask", "BOOL", -1, 2));
        assertTensorSpecs(multi.path("outputs"),
                spec("sum", "FP32", -1, 2), spec("doubled", "FP64", -1, 2), spec("masked", "FP32", -1, 2),
                spec("inverted", "BOOL", -1, 2), spec("count", "INT64", -1, 2));
    }

    @Test
    void modelMetadataShowsRankOneOutputsAndSeveralDynamicDimensions() {
        JsonNode fraud = getOk("/v2/models/fraud_classifier");
        assertTensorSpecs(fraud.path("inputs"), spec("features", "FP32", -1, 4));
        assertTensorSpecs(fraud.path("outputs"), spec("probabilities", "FP32", -1, 2), spec("label", "INT64", -1));
        JsonNode lstm = getOk("/v2/models/lstm_forecaster");
        assertTensorSpecs(lstm.path("inputs"), spec("series", "FP32", -1, -1, 1));
        assertTensorSpecs(lstm.path("outputs"), spec("forecast", "FP32", -1, 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "2"})
    void versionMetadataDescribesThatVersion(String version) {
        JsonNode metadata = getOk("/v2/models/house_price/versions/" + version);
        assertEquals("house_price", metadata.path("name").asText());
        assertTrue(texts(metadata.path("versions")).contains(version), metadata::toString);
        assertTensorSpecs(metadata.path("inputs"), spec("features", "FP32", -1, 3));
        assertTensorSpecs(metadata.path("outputs"), spec("price", "FP32", -1, 1));
    }

    @Test
    void modelAndEachVersionReportReady() {
        JsonNode model = getOk("/v2/models/house_price/ready");
        assertEquals("house_price", model.path("name").asText());
        assertTrue(model.path("ready").asBoolean(false), model::toString);
        for (String version : List.of("1", "2")) {
            JsonNode ready = getOk("/v2/models/house_price/versions/" + version + "/ready");
            assertEquals(version, ready.path("version").asText());
            assertTrue(ready.path("ready").asBoolean(false), ready::toString);
        }
    }

    static Stream<Arguments> unknownModelsAndVersions() {
        return Stream.of(
                Arguments.of("/v2/models/no_such_model", "no_such_model"),
                Arguments.of("/v2/models/no_such_model/ready", "no_such_model"),
                Arguments.of("/v2/models/no_such_model/versions/1", "no_such_model"),
                Arguments.of("/v2/models/no_such_model/versions/1/ready", "no_such_model"),
                Arguments.of("/v2/models/house_price/versions/3", "no version '3'"),
                Arguments.of("/v2/models/house_price/versions/3/ready", "no version '3'"),
                Arguments.of("/v2/models/multi_input/versions/2", "no version '2'"));
    }

    @ParameterizedTest
    @MethodSource("unknownModelsAndVersions")
    void unknownModelOrVersionIsNotFound(String path, String fragment) {
        given().when().get(path).then()
                .statusCode(404)
                .contentType("application/json")
                .body("error", containsString(fragment))
                .body("request_id", not(emptyString()));
    }

    @Test
    void inferWithFlatDataMatchesTheReference() {
        JsonNode answer = postOk("/v2/models/house_price/versions/1/infer",
                request(tensor("features", "FP32", shape(3, 3), flat(HOUSES))));
        assertEquals("house_price", answer.path("model_name").asText());
        assertEquals("1", answer.path("model_version").asText());
        JsonNode price = output(answer, "price");
        assertEquals("FP32", price.path("datatype").asText());
        assertEquals(List.of(3L, 1L), shapeOf(price));
        assertAllClose(housePrices(1, HOUSES), price.path("data"), "price");
    }

    @Test
    void inferWithNestedDataMatchesTheReference() {
        JsonNode answer = postOk("/v2/models/house_price/versions/1/infer",
                request(tensor("features", "FP32", shape(3, 3), rows(HOUSES))));
        JsonNode price = output(answer, "price");
        assertEquals(List.of(3L, 1L), shapeOf(price));
        assertAllClose(housePrices(1, HOUSES), price.path("data"), "price");
    }

    @Test
    void inferWithoutVersionUsesTheLatestAndEachVersionItsOwnWeights() {
        ObjectNode body = request(tensor("features", "FP32", shape(3, 3), flat(HOUSES)));
        JsonNode latest = postOk("/v2/models/house_price/infer", body);
        JsonNode v1 = postOk("/v2/models/house_price/versions/1/infer", body);
        JsonNode v2 = postOk("/v2/models/house_price/versions/2/infer", body);

        assertEquals("2", latest.path("model_version").asText());
        assertEquals("1", v1.path("model_version").asText());
        assertEquals("2", v2.path("model_version").asText());
        assertAllClose(housePrices(2, HOUSES), output(latest, "price").path("data"), "latest price");
        assertAllClose(housePrices(1, HOUSES), output(v1, "price").path("data"), "v1 price");
        assertAllClose(housePrices(2, HOUSES), output(v2, "price").path("data"), "v2 price");
        for (int r = 0; r < HOUSES.length; r++) {
            double expectedStep = ReferenceModels.housePrice(2, HOUSES[r])[0] - ReferenceModels.housePrice(1, HOUSES[r])[0];
            double servedStep = output(v2, "price").path("data").get(r).doubleValue()
                    - output(v1, "price").path("data").get(r).doubleValue();
            assertClose(expectedStep, servedStep, "v2 - v1 for row " + r);
        }
    }

    @Test
    void requestIdIsEchoed() {
        ObjectNode body = request(tensor("features", "FP32", shape(1, 3), flat(HOUSES[0])));
        body.put("id", "client-request-7f3a");
        JsonNode answer = postOk("/v2/models/house_price/infer", body);
        assertEquals("client-request-7f3a", answer.path("id").asText(), answer::toString);
    }

    @Test
    void everyDatatypeTravelsBothWaysThroughMultiInput() {
        double[] a = {1.5, -2.25, 0.125, 1024.0};
        // Above 2^31, and 2^53 + 1, which a double cannot hold: INT64 must not pass through floating point.
        long[] b = {3_000_000_000L, -7L, 9_007_199_254_740_993L, 0L};
        int[] c = {-2_000_000_000, 2_147_483_647, 11, -1};
        double[] d = {0.1, -1e-3, 12345.678901234, 2.5e100};
        boolean[] mask = {true, false, false, true};
        JsonNode answer = postOk("/v2/models/multi_input/infer", request(
                tensor("a", "FP32", shape(2, 2), array(a)),
                tensor("b", "INT64", shape(2, 2), array(b)),
                tensor("c", "INT32", shape(2, 2), array(toLongs(c))),
                tensor("d", "FP64", shape(2, 2), array(d)),
                tensor("mask", "BOOL", shape(2, 2), array(mask))));

        assertEquals(List.of("sum", "doubled", "masked", "inverted", "count"), outputNames(answer));
        assertOutput(answer, "sum", "FP32");
        assertOutput(answer, "doubled", "FP64");
        assertOutput(answer, "masked", "FP32");
        assertOutput(answer, "inverted", "BOOL");
        assertOutput(answer, "count", "INT64");
        assertAllClose(ReferenceModels.multiInputSum(a, b, c), output(answer, "sum").path("data"), "sum");
        assertAllClose(ReferenceModels.multiInputDoubled(d), output(answer, "doubled").path("data"), "doubled");
        assertAllClose(ReferenceModels.multiInputMasked(a, b, c, mask), output(answer, "masked").path("data"), "masked");
        assertArrayEquals(ReferenceModels.multiInputCount(b, c), longs(output(answer, "count").path("data")), "count");
        JsonNode inverted = output(answer, "inverted").path("data");
        boolean[] expectedInverted = ReferenceModels.multiInputInverted(mask);
        for (int i = 0; i < mask.length; i++) {
            assertTrue(inverted.get(i).isBoolean(), () -> "inverted holds JSON booleans: " + inverted);
            assertEquals(expectedInverted[i], inverted.get(i).booleanValue(), "inverted[" + i + "]");
        }
    }

    @Test
    void requestedOutputsAreTheOnlyOnesReturned() {
        double[] a = {1, 2};
        long[] b = {40, 50};
        int[] c = {-3, 4};
        double[] d = {0.5, 0.75};
        boolean[] mask = {false, true};
        ObjectNode body = request(
                tensor("a", "FP32", shape(1, 2), array(a)),
                tensor("b", "INT64", shape(1, 2), array(b)),
                tensor("c", "INT32", shape(1, 2), array(toLongs(c))),
                tensor("d", "FP64", shape(1, 2), array(d)),
                tensor("mask", "BOOL", shape(1, 2), array(mask)));
        ArrayNode wanted = array();
        wanted.addObject().put("name", "count");
        wanted.addObject().put("name", "doubled");
        body.set("outputs", wanted);

        JsonNode answer = postOk("/v2/models/multi_input/infer", body);
        assertEquals(Set.of("count", "doubled"), Set.copyOf(outputNames(answer)), answer::toString);
        assertEquals(2, outputNames(answer).size(), answer::toString);
        assertArrayEquals(ReferenceModels.multiInputCount(b, c), longs(output(answer, "count").path("data")));
        assertAllClose(ReferenceModels.multiInputDoubled(d), output(answer, "doubled").path("data"), "doubled");

        ArrayNode one = array();
        one.addObject().put("name", "masked");
        body.set("outputs", one);
        JsonNode masked = postOk("/v2/models/multi_input/infer", body);
        assertEquals(List.of("masked"), outputNames(masked));
        assertAllClose(ReferenceModels.multiInputMasked(a, b, c, mask), output(masked, "masked").path("data"), "masked");
    }

    @Test
    void fraudClassifierGivesProbabilitiesAndLabel() {
        double[][] transactions = {{2.0, 1.0, 1.0, 0.0}, {1.0, 5.0, 0.5, 2.0}, {0.25, 0.5, -0.75, 3.0}};
        List<Long> expectedLabels = new ArrayList<>();
        List<Double> expectedProbabilities = new ArrayList<>();
        for (double[] row : transactions) {
            expectedLabels.add(ReferenceModels.fraudLabel(row));
            for (double p : ReferenceModels.fraudProbabilities(row)) {
                expectedProbabilities.add(p);
            }
        }
        assertTrue(expectedLabels.contains(0L) && expectedLabels.contains(1L),
                "the rows should cover both classes, by the reference: " + expectedLabels);

        JsonNode answer = postOk("/v2/models/fraud_classifier/infer",
                request(tensor("features", "FP32", shape(3, 4), rows(transactions))));
        JsonNode probabilities = output(answer, "probabilities");
        assertEquals("FP32", probabilities.path("datatype").asText());
        assertEquals(List.of(3L, 2L), shapeOf(probabilities));
        assertAllClose(expectedProbabilities.stream().mapToDouble(Double::doubleValue).toArray(),
                probabilities.path("data"), "probabilities");
        JsonNode label = output(answer, "label");
        assertEquals("INT64", label.path("datatype").asText());
        assertEquals(List.of(3L), shapeOf(label));
        assertArrayEquals(expectedLabels.stream().mapToLong(Long::longValue).toArray(), longs(label.path("data")));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 24, 60})
    void lstmForecastsSeriesOfAnyLength(int length) {
        double[] series = series(length, 0.37);
        JsonNode answer = postOk("/v2/models/lstm_forecaster/infer",
                request(tensor("series", "FP32", shape(1, length, 1), array(series))));
        JsonNode forecast = output(answer, "forecast");
        assertEquals(List.of(1L, 1L), shapeOf(forecast));
        assertClose(ReferenceModels.lstmForecast(series), forecast.path("data").get(0), "forecast of " + length);
    }

    @Test
    void lstmForecastsABatchOfTwoSeries() {
        double[] first = series(9, 0.11);
        double[] second = series(9, 2.9);
        ArrayNode nested = array();
        for (double[] s : List.of(first, second)) {
            ArrayNode steps = nested.addArray();
            for (double v : s) {
                steps.addArray().add(v);
            }
        }
        JsonNode answer = postOk("/v2/models/lstm_forecaster/infer",
                request(tensor("series", "FP32", shape(2, 9, 1), nested)));
        JsonNode forecast = output(answer, "forecast");
        assertEquals(List.of(2L, 1L), shapeOf(forecast));
        assertAllClose(new double[] {ReferenceModels.lstmForecast(first), ReferenceModels.lstmForecast(second)},
                forecast.path("data"), "forecasts");
    }

    /** A wave of float32-exact values in [-1, 1] that differs with {@code phase}. */
    static double[] series(int length, double phase) {
        double[] values = new double[length];
        for (int t = 0; t < length; t++) {
            values[t] = (float) Math.sin(0.45 * t + phase);
        }
        return values;
    }

    static double[] housePrices(int version, double[][] houses) {
        double[] prices = new double[houses.length];
        for (int r = 0; r < houses.length; r++) {
            prices[r] = ReferenceModels.housePrice(version, houses[r])[0];
        }
        return prices;
    }

    private static ObjectNode request(ObjectNode... inputs) {
        ObjectNode body = object();
        ArrayNode list = body.putArray("inputs");
        for (ObjectNode input : inputs) {
            list.add(input);
        }
        return body;
    }

    private static long[] toLongs(int[] values) {
        long[] longs = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            longs[i] = values[i];
        }
        return longs;
    }

    private static void assertOutput(JsonNode answer, String name, String datatype) {
        JsonNode tensor = output(answer, name);
        assertEquals(datatype, tensor.path("datatype").asText(), name);
        assertEquals(List.of(2L, 2L), shapeOf(tensor), name);
    }

    private record Spec(String name, String datatype, List<Long> shape) {
    }

    private static Spec spec(String name, String datatype, long... shape) {
        return new Spec(name, datatype, java.util.Arrays.stream(shape).boxed().toList());
    }

    private static void assertTensorSpecs(JsonNode specs, Spec... expected) {
        List<Spec> actual = new ArrayList<>();
        specs.forEach(s -> actual.add(new Spec(s.path("name").asText(), s.path("datatype").asText(), shapeOf(s))));
        assertEquals(List.of(expected), actual);
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(v -> texts.add(v.asText()));
        return texts;
    }
}
