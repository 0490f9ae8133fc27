package io.quiver.server.training;

import java.util.function.Supplier;

/**
 * A checked {@code POST /train}: what to train, on what, and how.
 *
 * @param modelType       the model the result is published as
 * @param algorithm       the learner
 * @param hyperparameters the learner's settings, defaults filled in
 * @param description     the descriptor's description, or null to describe the model from the request
 * @param dataSource      where the data came from, for the description: "inline rows", a path, a URL,
 *                        an s3:// location or a query
 * @param data            the data; already read and checked for inline data, local files and
 *                        query answers, read when the job runs for URLs and S3 objects
 * @param spec            what the learner takes from the data
 */
record TrainingRequest(String modelType, Algorithm algorithm, Hyperparameters hyperparameters, String description,
                       String dataSource, Supplier<TrainingData> data, DataSpec spec) {
}
