package io.quiver.server.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.json.JsonBodies;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings of a learner, from {@code config.hyperparameters}; every one has a default. Names a
 * learner does not take are refused, so that a typo cannot pass silently.
 *
 * @param epochs        passes over the training rows
 * @param learningRate  AdaGrad's initial learning rate
 * @param seed          seeds the held-out split, the shuffling between epochs and the initial weights
 * @param minibatchSize rows per gradient step
 * @param factors       factorization machine only: size of each feature's factor vector
 * @param initVariance  factorization machine only: variance of the factors' random initial values
 */
record Hyperparameters(int epochs, double learningRate, long seed, int minibatchSize, int factors, double initVariance) {
    static final String EPOCHS = "epochs";
    static final String LEARNING_RATE = "learning_rate";
    static final String SEED = "seed";
    static final String MINIBATCH_SIZE = "minibatch_size";
    static final String FACTORS = "factors";
    static final String INIT_VARIANCE = "init_variance";

    static final double DEFAULT_LEARNING_RATE = 0.1;
    static final long DEFAULT_SEED = 42;
    static final int DEFAULT_MINIBATCH_SIZE = 1;
    static final int DEFAULT_FACTORS = 8;
    static final double DEFAULT_INIT_VARIANCE = 0.1;
    static final int MAX_EPOCHS = 100_000;

    static Hyperparameters parse(JsonNode given, Algorithm algorithm) {
        if (given != null && !given.isNull() && !given.isObject()) {
            throw new BadRequestException("config.hyperparameters must be an object, got " + JsonBodies.kind(given));
        }
        JsonNode h = given == null || given.isNull() ? JsonNodeFactory.instance.objectNode() : given;
        Iterator<String> names = h.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!algorithm.hyperparameters().contains(name)) {
                throw new BadRequestException("unknown hyperparameter '" + Algorithm.abbreviate(name) + "' for "
                        + algorithm.wireName() + "; it takes " + algorithm.hyperparameters());
            }
        }
        return new Hyperparameters(
                integer(h, EPOCHS, algorithm.defaultEpochs(), 1, MAX_EPOCHS),
                positive(h, LEARNING_RATE, DEFAULT_LEARNING_RATE, 100),
                h.has(SEED) ? longValue(h, SEED) : DEFAULT_SEED,
                integer(h, MINIBATCH_SIZE, DEFAULT_MINIBATCH_SIZE, 1, 100_000),
                integer(h, FACTORS, DEFAULT_FACTORS, 1, 256),
                positive(h, INIT_VARIANCE, DEFAULT_INIT_VARIANCE, 10));
    }

    /** The values in effect, by name, as the job and the descriptor report them. */
    Map<String, Object> asMap(Algorithm algorithm) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(EPOCHS, epochs);
        map.put(LEARNING_RATE, learningRate);
        map.put(SEED, seed);
        map.put(MINIBATCH_SIZE, minibatchSize);
        if (algorithm.hyperparameters().contains(FACTORS)) {
            map.put(FACTORS, factors);
            map.put(INIT_VARIANCE, initVariance);
        }
        return map;
    }

    private static int integer(JsonNode h, String name, int fallback, int min, int max) {
        if (!h.has(name)) {
            return fallback;
        }
        long value = longValue(h, name);
        if (value < min || value > max) {
            throw new BadRequestException("hyperparameter '" + name + "' must be between " + min + " and " + max
                    + ", got " + value);
        }
        return (int) value;
    }

    private static long longValue(JsonNode h, String name) {
        JsonNode v = h.get(name);
        if (!v.isIntegralNumber() && !(v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()))) {
            throw new BadRequestException("hyperparameter '" + name + "' must be an integer, got " + v);
        }
        if (v.isBigInteger() && !v.canConvertToLong()) {
            throw new BadRequestException("hyperparameter '" + name + "' is out of range: " + v);
        }
        return v.longValue();
    }

    private static double positive(JsonNode h, String name, double fallback, double max) {
        if (!h.has(name)) {
            return fallback;
        }
        JsonNode v = h.get(name);
        if (!v.isNumber() || !(v.doubleValue() > 0) || v.doubleValue() > max) {
            throw new BadRequestException("hyperparameter '" + name + "' must be a number above 0 and at most " + max
                    + ", got " + v);
        }
        return v.doubleValue();
    }
}
