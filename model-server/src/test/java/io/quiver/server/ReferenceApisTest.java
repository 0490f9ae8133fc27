package io.quiver.server;

import static io.quiver.server.testing.Wire.array;
import static io.quiver.server.testing.Wire.assertAllClose;
import static io.quiver.server.testing.Wire.assertClose;
import static io.quiver.server.testing.Wire.getOk;
import static io.quiver.server.testing.Wire.object;
import static io.quiver.server.testing.Wire.postOk;
import static io.quiver.server.testing.Wire.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.Test;

/**
 * The row-oriented APIs the server took over from the reference documents (seed 002's /v1/infer,
 * seed 003's /predict, seed 004's /predictions) and MLflow's /invocations, each checked against
 * {@link ReferenceModels}. The test configuration points /invocations at house_price/1.
 */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
class ReferenceApisTest {
    private static final List<String> FEATURES = List.of("sqft", "rooms", "age");
    /** The fraud_classifier descriptor's labels, by class index. */
    private static final List<String> FRAUD_LABELS = List.of("legit", "fraud");
    private static final double[][] HOUSES = {{1500, 4, 12}, {640.25, 1, 70}, {3100.5, 6, 0.5}};

    // --- seed 002: POST /v1/infer -------------------------------------------------------------

    @Test
    void v1InferTakesRowsOfNamedFeaturesInAnyKeyOrder() {
        ArrayNode inputs = array();
        inputs.addObject().put("age", HOUSES[0][2]).put("sqft", HOUSES[0][0]).put("rooms", HOUSES[0][1]);
        inputs.addObject().put("rooms", HOUSES[1][1]).put("age", HOUSES[1][2]).put("sqft", HOUSES[1][0]);
        inputs.addObject().put("sqft", HOUSES[2][0]).put("rooms", HOUSES[2][1]).put("age", HOUSES[2][2]);
        ObjectNode body = object().put("model_id", "house_price").put("model_version", "1");
        body.set("inputs", inputs);

        JsonNode answer = postOk("/v1/infer", body);
        assertEquals("house_price", answer.path("model_id").asText());
        assertEquals("1", answer.path("model_version").asText());
        assertAllClose(housePrices(1, HOUSES), field(answer.path("predictions"), "price"), "price");
    }

    @Test
    void v1InferTakesRowsAsArraysAndDefaultsToTheLatestVersion() {
        ObjectNode body = object().put("model_id", "house_price");
        body.set("inputs", rows(HOUSES));

        JsonNode answer = postOk("/v1/infer", body);
        assertEquals("2", answer.path("model_version").asText());
        assertAllClose(housePrices(2, HOUSES), field(answer.path("predictions"), "price"), "price");
    }

    @Test
    void v1InferTakesSeveralInputsAsRowObjectsKeyedByInputName() {
        double[] a = {0.5, -4};
        long[] b = {6_000_000_000L, 3};
        int[] c = {1, -9};
        double[] d = {0.3, 7.25};
        boolean[] mask = {true, false};
        ObjectNode row = object();
        row.set("mask", array(mask));
        row.set("d", array(d));
        row.set("a", array(a));
        row.set("c", array(c[0], c[1]));
        row.set("b", array(b));
        ObjectNode body = object().put("model_id", "multi_input");
        body.putArray("inputs").add(row);

        JsonNode prediction = postOk("/v1/infer", body).path("predictions").get(0);
        assertAllClose(ReferenceModels.multiInputSum(a, b, c), prediction.path("sum"), "sum");
        assertAllClose(ReferenceModels.multiInputDoubled(d), prediction.path("doubled"), "doubled");
        assertAllClose(ReferenceModels.multiInputMasked(a, b, c, mask), prediction.path("masked"), "masked");
        long[] count = ReferenceModels.multiInputCount(b, c);
        assertEquals(count[0], prediction.path("count").get(0).longValue());
        assertEquals(count[1], prediction.path("count").get(1).longValue());
        boolean[] inverted = ReferenceModels.multiInputInverted(mask);
        assertEquals(List.of(inverted[0], inverted[1]), booleans(prediction.path("inverted")));
    }

    // --- seed 004: POST /predictions/{name} -----------------------------------------------------

    @Test
    void predictionsTakeColumnsOfIndexedCells() {
        ObjectNode body = object();
        for (int f = 0; f < FEATURES.size(); f++) {
            ObjectNode column = body.putObject(FEATURES.get(f));
            for (int r = 0; r < HOUSES.length; r++) {
                column.put(Integer.toString(r), HOUSES[r][f]);
            }
        }
        JsonNode answer = postOk("/predictions/house_price", body);
        assertEquals("house_price", answer.path("model_name").asText());
        assertEquals("2", answer.path("model_version").asText());
        assertAllClose(housePrices(2, HOUSES), answer.path("predictions"), "predictions");
    }

    @Test
    void predictionsTakePlainArrayColumnsAndAVersionParameter() {
        ObjectNode body = object();
        for (int f = 0; f < FEATURES.size(); f++) {
            ArrayNode column = body.putArray(FEATURES.get(f));
            for (double[] house : HOUSES) {
                column.add(house[f]);
            }
        }
        JsonNode answer = postOk("/predictions/house_price?version=1", body);
        assertEquals("1", answer.path("model_version").asText());
        assertAllClose(housePrices(1, HOUSES), answer.path("predictions"), "predictions");
    }

    @Test
    void predictionsComeInNumericOrderOfTheRowIndexes() {
        // Index "10" sorts before "9" as text; rows are ordered by index as a number.
        String[] indexes = {"10", "9", "100"};
        ObjectNode body = object();
        for (int f = 0; f < FEATURES.size(); f++) {
            ObjectNode column = body.putObject(FEATURES.get(f));
            for (int r = 0; r < HOUSES.length; r++) {
                column.put(indexes[r], HOUSES[r][f]);
            }
        }
        JsonNode answer = postOk("/predictions/house_price?version=1", body);
        double[] expected = {
            ReferenceModels.housePrice(1, HOUSES[1])[0], // 9
            ReferenceModels.housePrice(1, HOUSES[0])[0], // 10
            ReferenceModels.housePrice(1, HOUSES[2])[0], // 100
        };
        assertAllClose(expected, answer.path("predictions"), "predictions by index");
    }

    // --- seed 003: POST /predict ------------------------------------------------------------

    @Test
    void predictRoutesBySequenceModelTypeAndTakesOneSeries() {
        double[] series = new double[20];
        for (int t = 0; t < series.length; t++) {
            series[t] = (float) (0.01 * t);
        }
        ObjectNode body = object().put("model_type", "LSTM").put("model_version", "latest");
        body.set("data", array(series));

        JsonNode answer = postOk("/predict", body);
        assertEquals("LSTM", answer.path("model_type").asText());
        assertEquals("lstm_forecaster", answer.path("model_name").asText());
        assertEquals("1", answer.path("model_version").asText());
        assertAllClose(new double[] {ReferenceModels.lstmForecast(series)}, answer.path("predictions"), "forecast");
    }

    @Test
    void predictTakesAListOfSeriesForASequenceModel() {
        double[][] series = {OpenInferenceProtocolTest.series(12, 0.2), OpenInferenceProtocolTest.series(12, 1.7)};
        ObjectNode body = object().put("model_type", "lstm");
        body.set("data", rows(series));

        JsonNode answer = postOk("/predict", body);
        assertAllClose(new double[] {ReferenceModels.lstmForecast(series[0]), ReferenceModels.lstmForecast(series[1])},
                answer.path("predictions"), "forecasts");
    }

    @Test
    void predictTakesAModelNameAsModelTypeAndASingleFlatRow() {
        ObjectNode body = object().put("model_type", "house_price");
        body.set("data", array(HOUSES[0]));

        JsonNode answer = postOk("/predict", body);
        assertEquals("house_price", answer.path("model_name").asText());
        assertEquals("2", answer.path("model_version").asText());
        assertAllClose(new double[] {ReferenceModels.housePrice(2, HOUSES[0])[0]}, answer.path("predictions"), "price");
    }

    @Test
    void predictTakesAListOfRowsAndANumericVersion() {
        ObjectNode body = object().put("model_type", "house_price").put("model_version", 1);
        body.set("data", rows(HOUSES));

        JsonNode answer = postOk("/predict", body);
        assertEquals("1", answer.path("model_version").asText());
        assertAllClose(housePrices(1, HOUSES), answer.path("predictions"), "prices");
    }

    @Test
    void predictTakesRowsAsFeatureObjects() {
        ArrayNode data = array();
        for (double[] house : HOUSES) {
            data.addObject().put("rooms", house[1]).put("age", house[2]).put("sqft", house[0]);
        }
        ObjectNode body = object().put("model_type", "regression").put("model_version", "1");
        body.set("data", data);

        JsonNode answer = postOk("/predict", body);
        assertEquals("house_price", answer.path("model_name").asText());
        assertAllClose(housePrices(1, HOUSES), answer.path("predictions"), "prices");
    }

    @Test
    void predictForAClassifierNamesTheLabels() {
        double[][] transactions = {{1.0, 5.0, 0.5, 2.0}, {2.0, 1.0, 1.0, 0.0}, {-1.0, 0.25, 0.125, 4.0}};
        ObjectNode body = object().put("model_type", "classifier");
        body.set("data", rows(transactions));

        JsonNode answer = postOk("/predict", body);
        assertEquals("fraud_classifier", answer.path("model_name").asText());
        List<String> expectedLabels = new ArrayList<>();
        for (int r = 0; r < transactions.length; r++) {
            double[] probabilities = ReferenceModels.fraudProbabilities(transactions[r]);
            assertAllClose(probabilities, answer.path("predictions").get(r), "probabilities of row " + r);
            assertAllClose(probabilities, answer.path("outputs").path("probabilities").get(r), "outputs.probabilities " + r);
            long label = ReferenceModels.fraudLabel(transactions[r]);
            assertEquals(label, answer.path("outputs").path("label").get(r).longValue(), "outputs.label " + r);
            expectedLabels.add(FRAUD_LABELS.get((int) label));
        }
        assertTrue(expectedLabels.containsAll(FRAUD_LABELS), "rows should cover both classes: " + expectedLabels);
        List<String> labels = new ArrayList<>();
        answer.path("labels").forEach(l -> labels.add(l.asText()));
        assertEquals(expectedLabels, labels);
    }

    // --- MLflow: POST /invocations, GET /ping -------------------------------------------------

    @Test
    void invocationsTakeADataframeSplitWithColumnsInAnyOrder() {
        List<String> columns = List.of("age", "sqft", "rooms");
        ObjectNode split = object();
        ArrayNode names = split.putArray("columns");
        columns.forEach(names::add);
        ArrayNode data = split.putArray("data");
        for (double[] house : HOUSES) {
            ArrayNode row = data.addArray();
            columns.forEach(c -> row.add(house[FEATURES.indexOf(c)]));
        }
        ObjectNode body = object();
        body.set("dataframe_split", split);
        assertAllClose(housePrices(1, HOUSES), postOk("/invocations", body).path("predictions"), "dataframe_split");
    }

    @Test
    void invocationsTakeDataframeRecords() {
        ObjectNode body = object();
        ArrayNode records = body.putArray("dataframe_records");
        for (double[] house : HOUSES) {
            records.addObject().put("age", house[2]).put("rooms", house[1]).put("sqft", house[0]);
        }
        assertAllClose(housePrices(1, HOUSES), postOk("/invocations", body).path("predictions"), "dataframe_records");
    }

    @Test
    void invocationsTakeInstances() {
        ObjectNode body = object();
        body.set("instances", rows(HOUSES));
        assertAllClose(housePrices(1, HOUSES), postOk("/invocations", body).path("predictions"), "instances");
    }

    @Test
    void invocationsTakeReferenceDocument000sDataAsOneRowOrSeveral() {
        ObjectNode one = object();
        ArrayNode row = one.putArray("data");
        for (double value : HOUSES[0]) {
            row.add(value);
        }
        assertAllClose(housePrices(1, new double[][] {HOUSES[0]}), postOk("/invocations", one).path("predictions"),
                "data, one row");
        ObjectNode several = object();
        several.set("data", rows(HOUSES));
        assertAllClose(housePrices(1, HOUSES), postOk("/invocations", several).path("predictions"), "data, rows");
    }

    @Test
    void invocationsTakeInputsAsAListOfRows() {
        ObjectNode body = object();
        body.set("inputs", rows(HOUSES));
        assertAllClose(housePrices(1, HOUSES), postOk("/invocations", body).path("predictions"), "inputs rows");
    }

    @Test
    void invocationsTakeInputsAsNamedTensors() {
        ObjectNode body = object();
        body.putObject("inputs").set("features", rows(HOUSES));
        assertAllClose(housePrices(1, HOUSES), postOk("/invocations", body).path("predictions"), "inputs tensors");
    }

    @Test
    void pingAnswersWhenReady() {
        assertTrue(getOk("/ping").path("ready").asBoolean(false));
    }

    private static double[] housePrices(int version, double[][] houses) {
        return OpenInferenceProtocolTest.housePrices(version, houses);
    }

    /** One field of each record in an array of records, as an array. */
    private static ArrayNode field(JsonNode records, String name) {
        ArrayNode values = array();
        records.forEach(r -> values.add(r.path(name)));
        return values;
    }

    private static List<Boolean> booleans(JsonNode array) {
        List<Boolean> values = new ArrayList<>();
        array.forEach(v -> {
            assertTrue(v.isBoolean(), () -> "expected JSON booleans: " + array);
            values.add(v.booleanValue());
        });
        return values;
    }
}
