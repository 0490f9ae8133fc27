package io.quiver.manager.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.examples.ReferenceModels;
import java.util.Map;
import java.util.Random;

/**
 * Reference document 001's prediction requests, {@code {"features": {...}}}, for the example
 * house_price model (type {@code regression}, versions 1 and 2), and the check of their answers.
 */
public final class HousePrices {
    public static final String MODEL_TYPE = "regression";
    private static final double RELATIVE_TOLERANCE = 1e-4;

    private HousePrices() {
    }

    /** sqft, rooms, age in plausible ranges. */
    public static double[] features(Random random) {
        return new double[] {500 + random.nextInt(2500), 1 + random.nextInt(6), random.nextInt(50)};
    }

    public static String body(double[] features) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ObjectNode named = body.putObject("features");
        named.put("sqft", features[0]);
        named.put("rooms", features[1]);
        named.put("age", features[2]);
        return body.toString();
    }

    /**
     * Null when the answer is a 200 naming its variant alike in header and body, from the version that
     * variant runs, with that version's reference price; else what is wrong with it.
     */
    public static String problem(Http.Answer answer, double[] features, Map<String, Integer> versionByVariant) {
        if (answer.status() != 200) {
            return "HTTP " + answer.status() + ": " + answer.body();
        }
        String variant = answer.headers().firstValue("X-Variant").orElse(null);
        if (variant == null || !versionByVariant.containsKey(variant)) {
            return "X-Variant " + variant + " is not one of " + versionByVariant.keySet();
        }
        JsonNode body = answer.json();
        if (!variant.equals(body.path("variant").asText())) {
            return "header says variant " + variant + " but the body says " + body.path("variant");
        }
        int version = versionByVariant.get(variant);
        if (!String.valueOf(version).equals(body.path("model_version").asText())) {
            return "variant " + variant + " should run version " + version + " but " + body.path("model_version") + " answered";
        }
        double expected = ReferenceModels.housePrice(version, features)[0];
        double got = body.path("predictions").path(0).asDouble(Double.NaN);
        if (!(Math.abs(got - expected) <= RELATIVE_TOLERANCE * Math.abs(expected))) {
            return "price " + got + " but version " + version + " gives " + expected;
        }
        return null;
    }

    public static String variant(Http.Answer answer) {
        return answer.headers().firstValue("X-Variant").orElse(null);
    }
}
