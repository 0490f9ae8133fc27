package io.quiver.manager.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.common.json.WireJson;
import io.quiver.manager.routing.Upstream;
import java.io.IOException;
import java.util.Optional;

/**
 * A model-server's /predict answer as experiments read it: {@code predictions} (one value or array per
 * row) and, for classifiers, {@code labels}. Comparing and combining answers needs their content;
 * plain forwarding never parses them.
 */
record PredictionAnswer(JsonNode body, JsonNode predictions, JsonNode labels) {
    /** Static, for the tests that read answers without CDI: the service's configuration all the same. */
    private static final ObjectMapper JSON = WireJson.configure(new ObjectMapper());

    /** The answer when it is a successful JSON answer with predictions; empty otherwise. */
    static Optional<PredictionAnswer> of(Upstream upstream) {
        if (upstream.status() < 200 || upstream.status() >= 300 || upstream.body() == null) {
            return Optional.empty();
        }
        try {
            JsonNode body = JSON.readTree(upstream.body());
            if (body == null || !body.isObject() || !body.path("predictions").isArray()) {
                return Optional.empty();
            }
            JsonNode labels = body.path("labels").isArray() ? body.get("labels") : null;
            return Optional.of(new PredictionAnswer(body, body.get("predictions"), labels));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Row {@code i}'s label when the answer has labels, else its prediction. */
    JsonNode vote(int row) {
        return labels != null && row < labels.size() ? labels.get(row) : predictions.get(row);
    }

    /**
     * Whether two answers agree: the same labels, and predictions of the same shape whose numbers
     * differ by at most {@code tolerance} of the larger magnitude and whose other values are equal.
     */
    boolean agrees(PredictionAnswer other, double tolerance) {
        if (labels != null && other.labels != null && !labels.equals(other.labels)) {
            return false;
        }
        return same(predictions, other.predictions, tolerance);
    }

    private static boolean same(JsonNode a, JsonNode b, double tolerance) {
        if (a.isNumber() && b.isNumber()) {
            double x = a.doubleValue();
            double y = b.doubleValue();
            return Math.abs(x - y) <= tolerance * Math.max(Math.abs(x), Math.abs(y)) || x == y;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!same(a.get(i), b.get(i), tolerance)) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }
}
