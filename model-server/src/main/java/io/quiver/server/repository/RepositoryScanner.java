package io.quiver.server.repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Finds the model versions below a directory laid out as {@code <name>/<version>/model.onnx}. */
public final class RepositoryScanner {
    private RepositoryScanner() {
    }

    /** Every version of every model under {@code root}; hidden directories are skipped. */
    public static List<ModelFiles> scan(Path root) {
        List<ModelFiles> found = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return found;
        }
        for (Path modelDir : children(root)) {
            found.addAll(versionsOf(modelDir.getFileName().toString(), modelDir));
        }
        return found;
    }

    /** The versions in one model directory, {@code <dir>/<version>/model.onnx}. */
    public static List<ModelFiles> versionsOf(String name, Path modelDir) {
        List<ModelFiles> found = new ArrayList<>();
        for (Path versionDir : children(modelDir)) {
            if (Files.isRegularFile(versionDir.resolve(ModelFiles.MODEL_FILE))) {
                found.add(ModelFiles.inDirectory(name, versionDir.getFileName().toString(), versionDir));
            }
        }
        return found;
    }

    private static List<Path> children(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
