package io.quiver.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.examples.ReferenceModels;
import org.junit.jupiter.api.Test;

/**
 * The function answers API Gateway events with the model packaged inside it, over the Open Inference
 * Protocol and the row-shaped {@code /predict}, and turns a bad request into a 4xx JSON error, all
 * read as API Gateway reads a function's answer. The repository starts empty
 * ({@link EmptyRepository}), so whatever answers was copied out of the package.
 */
@QuarkusTest
@WithTestResource(EmptyRepository.class)
class PackagedModelsAnswerThroughApiGatewayTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double TOLERANCE = 1e-4;
    private static final double[][] HOUSES = {{1500, 4, 12}, {640.25, 1, 70}, {3100.5, 6, 0.5}};

    @Test
    void v2InferOfThePackagedModel() {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode features = body.putArray("inputs").addObject()
                .put("name", "features").put("datatype", "FP32");
        features.putArray("shape").add(HOUSES.length).add(3);
        ArrayNode data = features.putArray("data");
        for (double[] house : HOUSES) {
            for (double value : house) {
                data.add(value);
            }
        }

        ApiGateway.Answer answer = ApiGateway.post("/v2/models/house_price/infer", body);

        assertEquals(200, answer.statusCode(), answer.body());
        assertTrue(answer.contentType().startsWith("application/json"), answer.contentType());
        JsonNode result = answer.json();
        assertEquals("house_price", result.path("model_name").asText());
        assertEquals("2", result.path("model_version").asText(), "the latest packaged version answers");
        JsonNode price = result.path("outputs").get(0);
        assertEquals("price", price.path("name").asText());
        assertAllClose(prices(2), price.path("data"));
    }

    @Test
    void predictAnswersRowsOfTheUnifiedBody() {
        ObjectNode body = JSON.createObjectNode().put("model_type", "house_price").put("model_version", "1");
        ArrayNode rows = body.putArray("data");
        for (double[] house : HOUSES) {
            ArrayNode row = rows.addArray();
            for (double value : house) {
                row.add(value);
            }
        }

        ApiGateway.Answer answer = ApiGateway.post("/predict", body);

        assertEquals(200, answer.statusCode(), answer.body());
        JsonNode result = answer.json();
        assertEquals("house_price", result.path("model_name").asText());
        assertEquals("1", result.path("model_version").asText());
        assertAllClose(prices(1), result.path("predictions"));
    }

    @Test
    void aTensorOfTheWrongShapeIsA400NamingTheProblem() {
        String body = """
                {"inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 4], "data": [1, 2, 3, 4]}]}""";

        ApiGateway.Answer answer = ApiGateway.post("/v2/models/house_price/infer", body);

        assertEquals(400, answer.statusCode(), answer.body());
        assertTrue(answer.contentType().startsWith("application/json"), answer.contentType());
        String error = answer.json().path("error").asText();
        assertTrue(error.startsWith("input 'features' expects shape [?, 3], got [1, 4]"), error);
    }

    @Test
    void aModelTheFunctionDoesNotCarryIsA404() {
        ApiGateway.Answer answer = ApiGateway.post("/predict", "{\"model_type\": \"cnn\", \"data\": [1, 2, 3]}");

        assertEquals(404, answer.statusCode(), answer.body());
        assertTrue(answer.json().path("error").asText().contains("cnn"), answer.body());
    }

    private static double[] prices(int version) {
        double[] prices = new double[HOUSES.length];
        for (int r = 0; r < HOUSES.length; r++) {
            prices[r] = ReferenceModels.housePrice(version, HOUSES[r])[0];
        }
        return prices;
    }

    private static void assertAllClose(double[] expected, JsonNode actual) {
        assertEquals(expected.length, actual.size(), actual::toString);
        for (int i = 0; i < expected.length; i++) {
            double value = actual.get(i).isArray() ? actual.get(i).get(0).asDouble() : actual.get(i).asDouble();
            if (Math.abs(value - expected[i]) > TOLERANCE * Math.max(1, Math.abs(expected[i]))) {
                fail("element " + i + ": expected " + expected[i] + ", got " + value);
            }
        }
    }
}
