package io.quiver.common.mlflow;

import java.net.URI;
import java.util.Optional;

/**
 * How a service reaches an MLflow tracking server, as both services configure it (a group of their
 * {@code @ConfigMapping}s); each setting left out falls back to MLflow's own environment variable
 * ({@link MlflowSettings#of}), so a process set up for the MLflow client needs nothing more.
 */
public interface MlflowConnection {
    /** The tracking server, {@code http(s)://host:port}; default {@code MLFLOW_TRACKING_URI}. */
    Optional<URI> trackingUri();

    /** Sent as {@code Authorization: Bearer}; default {@code MLFLOW_TRACKING_TOKEN}. */
    Optional<String> token();

    /** With the password, sent as HTTP basic auth; default {@code MLFLOW_TRACKING_USERNAME}. */
    Optional<String> username();

    /** Default {@code MLFLOW_TRACKING_PASSWORD}. */
    Optional<String> password();
}
