package io.quiver.manager.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.examples.ReferenceModels;
import java.util.Random;

/** LSTM forecast requests for /predict, each with its own series, and the check of their answers. */
public final class Forecasts {
    /** Served forecasts may differ from the double-precision reference by float32 rounding only. */
    public static final double TOLERANCE = 1e-4;

    private Forecasts() {
    }

    /** A series of 3 to 12 values in [-1, 1]. */
    public static double[] series(Random random) {
        double[] series = new double[3 + random.nextInt(10)];
        for (int i = 0; i < series.length; i++) {
            series[i] = Math.round((random.nextDouble() * 2 - 1) * 1e4) / 1e4;
        }
        return series;
    }

    public static String body(double[] series) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("model_type", Mesh.MODEL_TYPE);
        var data = body.putArray("data");
        for (double v : series) {
            data.add(v);
        }
        return body.toString();
    }

    /** Null when the answer is a 200 with the reference forecast for the series, else what is wrong with it. */
    public static String problem(Http.Answer answer, double[] series) {
        if (answer.status() != 200) {
            return "HTTP " + answer.status() + " from " + answer.servedBy() + ": " + answer.body();
        }
        if (answer.servedBy() == null) {
            return "no X-Served-By header";
        }
        JsonNode predictions;
        try {
            predictions = Http.JSON.readTree(answer.body()).path("predictions");
        } catch (Exception e) {
            return "body is not JSON: " + answer.body();
        }
        if (predictions.size() != 1 || !predictions.get(0).isNumber()) {
            return "expected one forecast, got " + answer.body();
        }
        double expected = ReferenceModels.lstmForecast(series);
        double got = predictions.get(0).doubleValue();
        if (Math.abs(got - expected) > TOLERANCE) {
            return "forecast " + got + " from " + answer.servedBy() + " but the reference gives " + expected;
        }
        return null;
    }
}
