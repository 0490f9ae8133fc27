package io.quiver.server.training;

/** What a learner predicts, which decides the data it takes and how it is evaluated. */
enum Task {
    /** A number per row of features. */
    REGRESSION,
    /** A class per row of features. */
    CLASSIFICATION,
    /** The next values of a series from its last ones. */
    FORECAST
}
