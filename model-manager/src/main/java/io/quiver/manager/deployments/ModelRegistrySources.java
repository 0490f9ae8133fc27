package io.quiver.manager.deployments;

import io.quiver.common.mlflow.MlflowClient;
import io.quiver.common.mlflow.MlflowSettings;
import io.quiver.common.net.DestinationPolicy;
import io.quiver.common.s3.S3Location;
import io.quiver.common.s3.S3Settings;
import io.quiver.common.s3.S3Storage;
import io.quiver.manager.config.ManagerConfig;
import io.vertx.core.Vertx;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The registry deployments come from, as {@code quiver.manager.deployments.registry} says: absent
 * for the model repository, {@code s3://bucket/prefix} for a bucket, {@code mlflow} for an MLflow
 * tracking server (whose address is MLflow's {@code MLFLOW_TRACKING_URI}, so a manager set up for
 * the MLflow client needs one setting more: which registry to use, never chosen by a variable
 * that may be set for other reasons).
 */
@Singleton
class ModelRegistrySources {
    static final String MLFLOW = "mlflow";

    private MlflowTransport mlflowTransport;

    @Produces
    @Singleton
    ModelRegistrySource source(DeploymentsConfig config, ManagerConfig manager, Vertx vertx) {
        Path cache = manager.registry().dataDir().resolve("deployment-models");
        if (config.registry().isEmpty() || config.registry().get().isBlank()) {
            return new LocalModelRepository(config.repository());
        }
        String registry = config.registry().get().trim();
        if (registry.toLowerCase(Locale.ROOT).equals(MLFLOW)) {
            MlflowSettings settings = MlflowSettings.of(config.mlflow(), config.mlflow().timeout());
            mlflowTransport = new MlflowTransport(vertx, settings.timeout());
            return new MlflowModelRegistry(new MlflowClient(settings, mlflowTransport), settings, cache);
        }
        if (!S3Location.isS3(registry)) {
            throw new IllegalArgumentException("quiver.manager.deployments.registry (QUIVER_REGISTRY_URI) is '" + registry
                    + "': it takes s3://bucket/prefix, or mlflow for the tracking server MLFLOW_TRACKING_URI names");
        }
        S3Settings settings = S3Settings.of(config.s3(), config.s3().timeout());
        S3Storage storage = new S3Storage(settings,
                // The registry is the operator's setting, not a client's, so no host is refused.
                new DestinationPolicy(List.of(), List.of(), "quiver.manager.deployments.registry"));
        return new S3ModelRegistry(S3Location.parse(registry), storage, cache, settings.environment());
    }

    void close(@Disposes ModelRegistrySource source) {
        source.close();
        if (mlflowTransport != null) {
            mlflowTransport.close();
        }
    }
}
