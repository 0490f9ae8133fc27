package io.quiver.server.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quiver.examples.ExampleModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A fresh model repository per test run, written by the example-models generator, so that tests
 * serve real ONNX files and none live in git. {@link #root()} is where the repository is, and
 * {@link #outside()} a directory beside it that the server must refuse to read.
 */
public class ExampleRepository implements QuarkusTestResourceLifecycleManager {
    private static Path base;

    @Override
    public Map<String, String> start() {
        try {
            base = Files.createTempDirectory("quiver-test-");
            ExampleModels.writeRepository(root());
            ExampleModels.writeRepository(outside());
            ExampleModels.writeRepository(extraRoot());
            return Map.of(
                    "quiver.repository", root().toString(),
                    "quiver.allowed-roots", extraRoot().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        try (Stream<Path> files = Files.walk(base)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temp directory left behind is harmless.
        }
    }

    public static Path root() {
        return base.resolve("repository");
    }

    /** A directory the server was told it may also read (quiver.allowed-roots). */
    public static Path extraRoot() {
        return base.resolve("extra");
    }

    /** Models outside every allowed root. */
    public static Path outside() {
        return base.resolve("outside");
    }
}
