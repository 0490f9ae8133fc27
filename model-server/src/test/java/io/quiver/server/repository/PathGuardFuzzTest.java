package io.quiver.server.repository;

import static io.quiver.common.fuzz.ClientFaults.LONGEST_RUN;
import static io.quiver.common.fuzz.ClientFaults.refusedOrDecoded;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.quiver.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A model path or name a client gives ({@code registry_uri}, {@code url}, {@code model_type}):
 * resolved inside the allowed roots, or refused with a 4xx. Besides the verdict, a path that
 * resolves must lie inside a root: the guard's one promise. The roots are made once in a temporary
 * directory: a repository with a model and a link leading out of it, an allowed root, and a file
 * outside both.
 */
class PathGuardFuzzTest {
    private static final Path BASE;
    private static final PathGuard GUARD;

    static {
        try {
            BASE = Files.createTempDirectory("path-guard-fuzz").toRealPath();
            Path repository = Files.createDirectories(BASE.resolve("repository/house_price/1"));
            Files.writeString(repository.resolve("model.onnx"), "not a model");
            Path allowed = Files.createDirectories(BASE.resolve("allowed/models"));
            Path outside = Files.createDirectories(BASE.resolve("outside"));
            Files.writeString(outside.resolve("secret"), "secret");
            Files.createSymbolicLink(BASE.resolve("repository/escape"), outside);
            Files.createSymbolicLink(allowed.resolve("back"), BASE.resolve("repository/house_price"));
            GUARD = new PathGuard(config(BASE.resolve("repository"), List.of(BASE.resolve("allowed"))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The input is the path as given: absolute, or relative to the repository. */
    @FuzzTest(maxDuration = LONGEST_RUN)
    void clientPath(byte[] input) {
        String given = new String(input, StandardCharsets.UTF_8);
        refusedOrDecoded(() -> {
            Path resolved = GUARD.resolve(given);
            if (!resolved.startsWith(BASE.resolve("repository")) && !resolved.startsWith(BASE.resolve("allowed"))) {
                throw new AssertionError("'" + given + "' resolved to " + resolved + ", outside the roots");
            }
        });
    }

    /** The input is a model name or version, which becomes a directory name. */
    @FuzzTest(maxDuration = LONGEST_RUN)
    void modelName(byte[] input) {
        String given = new String(input, StandardCharsets.UTF_8);
        refusedOrDecoded(() -> {
            String name = PathGuard.checkName("model name", given);
            Path dir = BASE.resolve("repository").resolve(name).normalize();
            if (!dir.getParent().equals(BASE.resolve("repository"))) {
                throw new AssertionError("name '" + given + "' is no single directory in the repository: " + dir);
            }
        });
    }

    /** The two settings the guard reads; a stand-in, as the guard is made here without a server. */
    private static ServerConfig config(Path repository, List<Path> allowedRoots) {
        return (ServerConfig) Proxy.newProxyInstance(ServerConfig.class.getClassLoader(),
                new Class<?>[] {ServerConfig.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "repository" -> repository;
                    case "allowedRoots" -> Optional.of(allowedRoots);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
