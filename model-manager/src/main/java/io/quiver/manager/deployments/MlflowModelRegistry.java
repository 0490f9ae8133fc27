package io.quiver.manager.deployments;

import io.quiver.common.error.NotFoundException;
import io.quiver.common.mlflow.MlflowClient;
import io.quiver.common.mlflow.MlflowMessages.ModelVersion;
import io.quiver.common.mlflow.MlflowSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An MLflow tracking server's model registry ({@code quiver.manager.deployments.registry=mlflow}):
 * the registered models whose names are deployment names, and their versions that finished
 * registering. The manager lists; each deployed model-server fetches its version itself as
 * {@code models:/<model>/<version>} into {@code cache}, given the server's address and credentials
 * in its environment.
 */
final class MlflowModelRegistry implements ModelRegistrySource {
    /** What a model-server prefixes {@code /<model>/<version>} with to fetch from the registry. */
    static final String MODEL_SOURCE = "models:";

    private final MlflowClient client;
    private final MlflowSettings settings;
    private final Path cache;

    MlflowModelRegistry(MlflowClient client, MlflowSettings settings, Path cache) {
        this.client = client;
        this.settings = settings;
        this.cache = cache.toAbsolutePath().normalize();
    }

    @Override
    public String describe() {
        return client.describe();
    }

    @Override
    public List<String> models() {
        // A name that cannot be a deployment's (a space, a slash) is not offered for deployment.
        return client.modelNames().stream().filter(DeploymentName::isName).toList();
    }

    @Override
    public List<String> versions(String model) {
        if (!DeploymentName.isName(model)) {
            throw new NotFoundException("no model '" + model + "' in the " + describe());
        }
        return client.versions(model).stream().map(ModelVersion::version).filter(DeploymentName::isName).toList();
    }

    @Override
    public ModelLocation locate(String model, String version) {
        if (!DeploymentName.isName(model)) {
            throw new NotFoundException("no model '" + model + "' in the " + describe());
        }
        ModelVersion found = client.version(model, version);
        if (!found.ready()) {
            throw new NotFoundException("version " + version + " of model '" + model + "' is " + found.status()
                    + " in the " + describe() + ", not READY; GET /get_model_version_list/" + model
                    + " lists the versions ready to deploy");
        }
        return placement(model, version);
    }

    @Override
    public ModelLocation placement(String model, String version) {
        return new ModelLocation(cache, model, version, Optional.of(MODEL_SOURCE), settings.environment());
    }
}
