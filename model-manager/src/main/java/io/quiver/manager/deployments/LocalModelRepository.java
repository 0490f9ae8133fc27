package io.quiver.manager.deployments;

import io.quiver.common.error.BadGatewayException;
import io.quiver.common.error.NotFoundException;
import io.quiver.common.versions.VersionOrder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Quiver's own model repository as a registry: a model is a directory of the root, a version a
 * directory of the model's. Versions sort in {@link VersionOrder}, the model-server's, so {@code 10}
 * comes after {@code 9}.
 */
final class LocalModelRepository implements ModelRegistrySource {
    private final Path root;

    LocalModelRepository(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public String describe() {
        return "model repository " + root;
    }

    @Override
    public List<String> models() {
        if (!Files.isDirectory(root)) {
            // Unreachable, as a registry server that is down: not "no models", which would hide
            // a mistyped or unmounted repository path.
            throw new BadGatewayException("the " + describe() + " cannot be read: no such directory; "
                    + "set quiver.manager.deployments.repository (QUIVER_REPOSITORY)");
        }
        return directories(root).sorted().toList();
    }

    @Override
    public List<String> versions(String model) {
        if (!DeploymentName.isName(model) || !models().contains(model)) {
            throw new NotFoundException("no model '" + model + "' in the " + describe());
        }
        return directories(root.resolve(model)).sorted(VersionOrder.INSTANCE).toList();
    }

    @Override
    public ModelLocation locate(String model, String version) {
        if (!versions(model).contains(version)) {
            throw new NotFoundException("model '" + model + "' has no version '" + version + "' in the " + describe()
                    + "; GET /get_model_version_list/" + model + " lists its versions");
        }
        return placement(model, version);
    }

    @Override
    public ModelLocation placement(String model, String version) {
        return new ModelLocation(root, model, version);
    }

    private static Stream<String> directories(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Stream.empty();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(DeploymentName::isName).toList().stream();
        } catch (IOException e) {
            throw new BadGatewayException("the model repository cannot be read: " + dir + ": " + e.getMessage());
        }
    }
}
