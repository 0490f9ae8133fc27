package io.quiver.lambda;

import io.quarkus.runtime.StartupEvent;
import io.quiver.server.config.ServerConfig;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Copies the models packaged in the function into the model repository before the model-server
 * loads it. The package is read-only (unpacked under {@code /var/task}, or a jar in an image),
 * while the server reads a directory it may also write (training publishes there), so the
 * repository is under {@code /tmp}, the only writable place a function has, and is filled at every
 * cold start.
 */
@ApplicationScoped
class PackagedModels {
    private static final Logger LOG = Logger.getLogger(PackagedModels.class);

    private final ServerConfig server;
    private final LambdaConfig lambda;

    PackagedModels(ServerConfig server, LambdaConfig lambda) {
        this.server = server;
        this.lambda = lambda;
    }

    /** Before every default-priority observer, among them the model-server's start-up loading. */
    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        Path repository = server.repository().toAbsolutePath();
        try {
            int copied = copyInto(repository);
            LOG.infof("%d packaged model files copied into %s", copied, repository);
        } catch (IOException e) {
            // A function without its models has nothing to answer with: the init fails, and Lambda
            // reports it as the function's init error.
            throw new UncheckedIOException("cannot copy the packaged models into " + repository, e);
        }
    }

    /** From a directory when Lambda has unpacked the package, from the jar when the classes are in one. */
    private int copyInto(Path repository) throws IOException {
        URL folder = Thread.currentThread().getContextClassLoader().getResource(lambda.packagedModels());
        if (folder == null) {
            LOG.warnf("no packaged models: %s is not on the class path", lambda.packagedModels());
            return 0;
        }
        URI location;
        try {
            location = folder.toURI();
        } catch (URISyntaxException e) {
            throw new IOException("the packaged models' location is not a URI: " + folder, e);
        }
        if (!"jar".equals(location.getScheme())) {
            return copyTree(Path.of(location), repository);
        }
        try (FileSystem jar = FileSystems.newFileSystem(location, Map.of())) {
            return copyTree(jar.provider().getPath(location), repository);
        }
    }

    private static int copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            LOG.warnf("no packaged models at %s", from.toUri());
            return 0;
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(from)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path file : files) {
            // Path.toString, not resolve(Path): the two paths belong to different file systems.
            Path target = to.resolve(from.relativize(file).toString());
            Files.createDirectories(target.getParent());
            Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return files.size();
    }
}
