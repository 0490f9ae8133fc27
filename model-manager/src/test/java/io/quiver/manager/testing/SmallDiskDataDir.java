package io.quiver.manager.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quiver.common.testing.SmallDisk;
import java.nio.file.Path;
import java.util.Map;

/**
 * The manager's data directory on a 512 KiB tmpfs of its own ({@link SmallDisk}), so that a test
 * can fill it up or turn it read-only; without root the tests that need it are skipped.
 */
public class SmallDiskDataDir implements QuarkusTestResourceLifecycleManager {
    private static SmallDisk disk;

    @Override
    public Map<String, String> start() {
        disk = SmallDisk.mount("512k");
        return Map.of("quiver.manager.registry.data-dir", dataDir().toString());
    }

    @Override
    public void stop() {
        disk.unmount();
    }

    public static SmallDisk disk() {
        return disk;
    }

    public static Path dataDir() {
        return disk.root().resolve("data");
    }
}
