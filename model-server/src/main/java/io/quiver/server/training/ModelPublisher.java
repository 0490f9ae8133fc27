package io.quiver.server.training;

import io.quiver.server.repository.ModelFiles;
import io.quiver.server.repository.PathGuard;
import io.quiver.server.serving.ModelRegistry;
import io.quiver.server.serving.ModelSlot;
import io.quiver.common.error.NotFoundException;
import io.quiver.common.files.StorageUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Turns a trained model into a new version in the repository. The files are written into
 * {@code <repository>/.staging/<job>/} (hidden directories are not scanned), then the directory is
 * renamed to {@code <repository>/<name>/<version>} in one step, so a half-written version is never
 * visible; then it is loaded, and {@code latest} moves to it once it serves.
 */
@ApplicationScoped
public class ModelPublisher {
    static final String STAGING = ".staging";

    private final ModelRegistry registry;
    private final PathGuard guard;

    ModelPublisher(ModelRegistry registry, PathGuard guard) {
        this.registry = registry;
        this.guard = guard;
    }

    /** An empty directory for a job's files, on the repository's file system. */
    Path staging(String jobId) {
        Path dir = guard.repository().resolve(STAGING).resolve(jobId);
        try {
            discard(dir);
            Files.createDirectories(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /**
     * Moves the staged version into place as the next version of {@code name} and loads it. One
     * publication at a time, so that two jobs never take the same version. A job cancelled by now
     * publishes nothing; past the rename it is no longer cancelled.
     */
    synchronized String publish(String name, Path staged, TrainingJob job) {
        job.checkCancelled();
        Path modelDir = guard.repository().resolve(name);
        boolean newModel = !Files.isDirectory(modelDir);
        try {
            Files.createDirectories(modelDir);
            String version = nextVersion(name, modelDir).toString();
            Path target = modelDir.resolve(version);
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
            try {
                registry.load(ModelFiles.inDirectory(name, version, target));
            } catch (RuntimeException e) {
                discard(target);
                throw e;
            }
            return version;
        } catch (IOException | RuntimeException e) {
            if (newModel) {
                // A model directory with no version in it would be listed as a model with none.
                try {
                    Files.deleteIfExists(modelDir);
                } catch (IOException stillThere) {
                    e.addSuppressed(stillThere);
                }
            }
            if (e instanceof IOException io) {
                throw new StorageUnavailableException("model " + name + " into the repository", modelDir, io);
            }
            throw (RuntimeException) e;
        }
    }

    /**
     * One more than the highest numeric version on disk or loaded under that name, so that the new
     * version is the latest.
     */
    private BigInteger nextVersion(String name, Path modelDir) throws IOException {
        BigInteger highest = BigInteger.ZERO;
        try (Stream<Path> entries = Files.list(modelDir)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                highest = highest.max(numeric(entry.getFileName().toString()));
            }
        }
        try {
            for (ModelSlot slot : registry.slots(name)) {
                highest = highest.max(numeric(slot.info().version()));
            }
        } catch (NotFoundException e) {
            // Nothing of that name is loaded.
        }
        return highest.add(BigInteger.ONE);
    }

    private static BigInteger numeric(String version) {
        return !version.isEmpty() && version.length() < 40 && version.chars().allMatch(c -> c >= '0' && c <= '9')
                ? new BigInteger(version) : BigInteger.ZERO;
    }

    /** Deletes a directory and what it holds, if it is there. */
    static void discard(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
