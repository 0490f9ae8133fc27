package io.quiver.manager.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.manager.routing.Upstream;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How answers are combined (mean, vote) and when a shadow agrees with the primary. */
class CombiningAnswersTest {

    @Test
    void meanAveragesEachPosition() {
        JsonNode combined = Combiner.MEAN.combine(List.of(answer("{\"predictions\": [1.0, [2, 4]]}"),
                answer("{\"predictions\": [3.0, [4, 8]]}")));
        assertEquals("[2.0,[3.0,6.0]]", combined.get("predictions").toString());
        assertEquals(2, combined.get("answers").asInt());
    }

    @Test
    void meanRefusesAnswersOfDifferentShapesAndLabels() {
        assertThrows(IllegalArgumentException.class, () -> Combiner.MEAN.combine(List.of(
                answer("{\"predictions\": [1.0, 2.0]}"), answer("{\"predictions\": [1.0]}"))));
        assertThrows(IllegalArgumentException.class, () -> Combiner.MEAN.combine(List.of(
                answer("{\"predictions\": [\"cat\"]}"), answer("{\"predictions\": [\"dog\"]}"))));
    }

    @Test
    void voteTakesTheMajorityLabelPerRowAndTiesGoToTheFirstListed() {
        JsonNode combined = Combiner.VOTE.combine(List.of(
                answer("{\"predictions\": [0, 1], \"labels\": [\"legit\", \"fraud\"]}"),
                answer("{\"predictions\": [1, 0], \"labels\": [\"fraud\", \"legit\"]}"),
                answer("{\"predictions\": [1, 1], \"labels\": [\"fraud\", \"fraud\"]}")));
        assertEquals("[\"fraud\",\"fraud\"]", combined.get("predictions").toString());
        JsonNode tie = Combiner.VOTE.combine(List.of(answer("{\"predictions\": [7]}"), answer("{\"predictions\": [9]}")));
        assertEquals("[7]", tie.get("predictions").toString());
        assertEquals(0.5, tie.get("support").get(0).asDouble());
    }

    @Test
    void numbersAgreeWithinTheRelativeToleranceAndLabelsMustBeEqual() {
        PredictionAnswer primary = answer("{\"predictions\": [100.0, 0.0], \"labels\": [\"a\", \"b\"]}");
        assertTrue(primary.agrees(answer("{\"predictions\": [100.05, 0.0], \"labels\": [\"a\", \"b\"]}"), 1e-3));
        assertFalse(primary.agrees(answer("{\"predictions\": [100.5, 0.0], \"labels\": [\"a\", \"b\"]}"), 1e-3));
        assertFalse(primary.agrees(answer("{\"predictions\": [100.0, 0.0], \"labels\": [\"a\", \"a\"]}"), 1e-3));
        assertFalse(primary.agrees(answer("{\"predictions\": [100.0], \"labels\": [\"a\"]}"), 1e-3));
    }

    @Test
    void onlySuccessfulAnswersWithPredictionsCount() {
        assertTrue(PredictionAnswer.of(upstream(500, "{\"predictions\": [1]}")).isEmpty());
        assertTrue(PredictionAnswer.of(upstream(200, "{\"error\": \"x\"}")).isEmpty());
        assertTrue(PredictionAnswer.of(upstream(200, "not json")).isEmpty());
    }

    private static PredictionAnswer answer(String json) {
        return PredictionAnswer.of(upstream(200, json)).orElseThrow();
    }

    private static Upstream upstream(int status, String body) {
        return new Upstream(status, "application/json", Buffer.buffer(body), null);
    }
}
