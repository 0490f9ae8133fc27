package io.quiver.server.training;

import io.quiver.common.error.BadRequestException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The learners {@code config.algorithm} names. Each is trained by stochastic gradient descent
 * (Tribuo), epoch by epoch, on standardised inputs, and exported to ONNX with the standardisation
 * folded into the graph, so the served model takes the data's own units.
 */
enum Algorithm {
    /** Least squares on the features: y = w·x + b. */
    LINEAR_REGRESSION("linear-regression", Task.REGRESSION, 50),
    /** Multinomial logistic regression (softmax over w·x + b), two or more classes. */
    LOGISTIC_REGRESSION("logistic-regression", Task.CLASSIFICATION, 30),
    /** A second-order factorization machine: linear terms plus factorised pairwise interactions. */
    FACTORIZATION_MACHINE("factorization-machine", Task.REGRESSION, 50),
    /** Least squares of the next {@code horizon} values on the last {@code window} values. */
    LINEAR_AUTOREGRESSION("linear-autoregression", Task.FORECAST, 100);

    private final String wireName;
    private final Task task;
    private final int defaultEpochs;

    Algorithm(String wireName, Task task, int defaultEpochs) {
        this.wireName = wireName;
        this.task = task;
        this.defaultEpochs = defaultEpochs;
    }

    String wireName() {
        return wireName;
    }

    Task task() {
        return task;
    }

    int defaultEpochs() {
        return defaultEpochs;
    }

    /** Hyperparameter names this learner takes. */
    List<String> hyperparameters() {
        return this == FACTORIZATION_MACHINE
                ? List.of(Hyperparameters.EPOCHS, Hyperparameters.LEARNING_RATE, Hyperparameters.SEED,
                        Hyperparameters.MINIBATCH_SIZE, Hyperparameters.FACTORS, Hyperparameters.INIT_VARIANCE)
                : List.of(Hyperparameters.EPOCHS, Hyperparameters.LEARNING_RATE, Hyperparameters.SEED,
                        Hyperparameters.MINIBATCH_SIZE);
    }

    static List<String> known() {
        return Arrays.stream(values()).map(Algorithm::wireName).toList();
    }

    /** By name, ignoring case and taking '_' for '-'. */
    static Algorithm named(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return Arrays.stream(values()).filter(a -> a.wireName.equals(wanted)).findFirst()
                .orElseThrow(() -> new BadRequestException("unknown algorithm '" + abbreviate(name) + "'; known: "
                        + String.join(", ", known())));
    }

    static String abbreviate(String value) {
        return value.length() <= 100 ? value : value.substring(0, 100) + "...";
    }
}
