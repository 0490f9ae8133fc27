package io.quiver.server.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quiver.examples.ExampleModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

    /** {@code house_price/1}'s model as version 1 of model {@code name}, with {@code descriptor} as its model.json. */
    public static void housePriceAs(String name, String descriptor) throws IOException {
        Path version = Files.createDirectories(root().resolve(name).resolve("1"));
        Files.copy(root().resolve("house_price/1/model.onnx"), version.resolve("model.onnx"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(version.resolve("model.json"), descriptor);
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
