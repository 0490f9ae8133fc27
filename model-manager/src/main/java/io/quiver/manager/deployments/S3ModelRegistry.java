package io.quiver.manager.deployments;

import io.quiver.common.error.NotFoundException;
import io.quiver.common.versions.VersionOrder;
import io.quiver.common.s3.S3Location;
import io.quiver.common.s3.S3Storage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An S3 bucket as a registry ({@code s3://bucket/prefix}, reference document 002's
 * {@code registry_uri}): a model is a name below the prefix, a version a name below the model's,
 * holding {@code model.onnx}. The manager lists; each deployed model-server fetches its version from
 * S3 itself (its {@code quiver.model-source}) into {@code cache}, a repository the manager keeps,
 * reaching S3 as the manager does ({@code environment}: the endpoint, region and key pair).
 */
final class S3ModelRegistry implements ModelRegistrySource {
    private final S3Location root;
    private final S3Storage storage;
    private final Path cache;
    private final Map<String, String> environment;

    S3ModelRegistry(S3Location root, S3Storage storage, Path cache, Map<String, String> environment) {
        this.root = root;
        this.storage = storage;
        this.cache = cache.toAbsolutePath().normalize();
        this.environment = Map.copyOf(environment);
    }

    @Override
    public String describe() {
        return "S3 registry " + root;
    }

    @Override
    public List<String> models() {
        return storage.children(root).stream().filter(DeploymentName::isName).toList();
    }

    @Override
    public List<String> versions(String model) {
        if (!DeploymentName.isName(model)) {
            throw new NotFoundException("no model '" + model + "' in the " + describe());
        }
        List<String> versions = storage.children(root.resolve(model)).stream().filter(DeploymentName::isName)
                .sorted(VersionOrder.INSTANCE).toList();
        if (versions.isEmpty()) {
            throw new NotFoundException("no model '" + model + "' in the " + describe());
        }
        return versions;
    }

    @Override
    public ModelLocation locate(String model, String version) {
        if (!versions(model).contains(version) || !storage.exists(root.resolve(model, version, "model.onnx"))) {
            throw new NotFoundException("model '" + model + "' has no version '" + version + "' in the " + describe()
                    + " (no " + root.resolve(model, version, "model.onnx") + "); GET /get_model_version_list/" + model
                    + " lists its versions");
        }
        return placement(model, version);
    }

    @Override
    public void close() {
        storage.close();
    }

    @Override
    public ModelLocation placement(String model, String version) {
        return new ModelLocation(cache, model, version, Optional.of(root.toString()), environment);
    }
}
