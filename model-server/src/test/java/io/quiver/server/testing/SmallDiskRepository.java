package io.quiver.server.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quiver.common.testing.SmallDisk;
import io.quiver.examples.ExampleModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The model repository on a 1 MiB tmpfs of its own ({@link SmallDisk}) holding the example models,
 * so that a test can fill it up under a download or a training job; a directory beside it, on the
 * ordinary disk, holds models to download. Without root the tests that need it are skipped.
 */
public class SmallDiskRepository implements QuarkusTestResourceLifecycleManager {
    private static SmallDisk disk;
    private static Path sources;

    @Override
    public Map<String, String> start() {
        disk = SmallDisk.mount("1m");
        try {
            Path repository = Files.createDirectories(disk.root().resolve("repository"));
            if (disk.mounted()) {
                ExampleModels.writeRepository(repository);
            }
            sources = Files.createTempDirectory("quiver-download-sources-");
            ExampleModels.writeRepository(sources);
            return Map.of("quiver.repository", repository.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        disk.unmount();
    }

    public static SmallDisk disk() {
        return disk;
    }

    public static Path repository() {
        return disk.root().resolve("repository");
    }

    /** Models to download, outside the repository. */
    public static Path sources() {
        return sources;
    }
}
