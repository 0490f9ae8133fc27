package io.quiver.manager.deployments;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.common.files.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The running deployments, on disk before any answer says so: a manager killed at any moment finds
 * every process it started, to adopt or to stop. There are at most a port range of them, so each
 * change rewrites the whole file through a temporary file, forced to disk and renamed over the old
 * one: a crash leaves either the old list or the new one, never half of one.
 */
final class DeploymentStore {
    private static final Logger LOG = Logger.getLogger(DeploymentStore.class);
    private static final String FILE = "deployments.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Path file;

    DeploymentStore(Path dir) {
        this.dir = dir;
        this.file = dir.resolve(FILE);
    }

    List<StoredDeployment> load() {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return JSON.readValue(file.toFile(), new TypeReference<List<StoredDeployment>>() { });
        } catch (IOException e) {
            // Only the rename publishes a file, so this is damage from outside; starting with no
            // deployments is better than not starting, and the processes are then found by nobody.
            LOG.errorf(e, "cannot read %s; starting with no deployments", file);
            return List.of();
        }
    }

    synchronized void save(Collection<StoredDeployment> deployments) {
        byte[] content;
        try {
            content = JSON.writeValueAsBytes(List.copyOf(deployments));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the deployments as JSON", e);
        }
        DurableFiles.replace(file, content, "the deployments file");
    }
}
