package io.quiver.manager.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The manager's data directory on a file system of its own, a 512 KiB tmpfs, so that a test can fill
 * it up or turn it read-only as a real disk does. Mounting needs root (CI has it); without it
 * {@link #mounted()} is false and the tests that need it are skipped.
 */
public class SmallDiskDataDir implements QuarkusTestResourceLifecycleManager {
    private static Path mount;
    private static boolean mounted;

    @Override
    public Map<String, String> start() {
        try {
            mount = Files.createTempDirectory("quiver-small-disk-");
            mounted = run("mount", "-t", "tmpfs", "-o", "size=512k,mode=0700", "tmpfs", mount.toString());
            return Map.of("quiver.manager.registry.data-dir", mount.resolve("data").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (mounted) {
            run("umount", "-l", mount.toString());
        }
    }

    public static boolean mounted() {
        return mounted;
    }

    public static Path dataDir() {
        return mount.resolve("data");
    }

    /** Fills the file system up with one file, which {@link #free} deletes. */
    public static void fill() throws IOException {
        byte[] chunk = new byte[16 * 1024];
        try (OutputStream out = Files.newOutputStream(mount.resolve("filler"))) {
            while (true) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
    }

    public static void free() throws IOException {
        Files.deleteIfExists(mount.resolve("filler"));
    }

    public static void readOnly(boolean readOnly) {
        if (!run("mount", "-o", "remount," + (readOnly ? "ro" : "rw"), mount.toString())) {
            throw new IllegalStateException("cannot remount " + mount + (readOnly ? " read-only" : " read-write"));
        }
    }

    private static boolean run(String... command) {
        try {
            Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
