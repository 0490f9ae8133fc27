package io.quiver.server.repository;

import io.quiver.server.config.ServerConfig;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.PayloadTooLargeException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;

/**
 * Fetches a model from an http(s) URL into the repository, as {@code <root>/<name>/<version>/},
 * so that it is served again after a restart. The URL names either {@code .../model.onnx} or the
 * directory holding it; a {@code model.json} beside it is fetched when there is one. Files appear in
 * place only once complete.
 */
@ApplicationScoped
public class ModelDownloader {
    private final HttpClient client;
    private final RemoteFiles remote;
    private final long maxBytes;
    private final Duration timeout;

    ModelDownloader(ServerConfig config, RemoteFiles remote) {
        this.remote = remote;
        this.maxBytes = config.download().maxSize().asLongValue();
        this.timeout = config.download().timeout();
        this.client = RemoteFiles.client(timeout);
    }

    public ModelFiles fetch(String name, String version, String url, Path repository) {
        URI modelUri = parse(url);
        remote.check("model URL", modelUri);
        String path = modelUri.getPath() == null ? "" : modelUri.getPath();
        URI base = path.endsWith(".onnx") ? modelUri.resolve(".") : URI.create(modelUri + (path.endsWith("/") ? "" : "/"));
        if (!path.endsWith(".onnx")) {
            modelUri = base.resolve(ModelFiles.MODEL_FILE);
        }
        Path dir = repository.resolve(name).resolve(version);
        try {
            Files.createDirectories(dir);
            Path model = download(modelUri, dir, ModelFiles.MODEL_FILE, true).orElseThrow();
            Optional<Path> descriptor = download(base.resolve(ModelFiles.DESCRIPTOR_FILE), dir,
                    ModelFiles.DESCRIPTOR_FILE, false);
            if (descriptor.isEmpty()) {
                Files.deleteIfExists(dir.resolve(ModelFiles.DESCRIPTOR_FILE));
            }
            return new ModelFiles(name, version, model, descriptor);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write into " + dir, e);
        }
    }

    private Optional<Path> download(URI uri, Path dir, String fileName, boolean required) throws IOException {
        Path partial = Files.createTempFile(dir, "." + fileName, ".part");
        try {
            boolean found;
            try (OutputStream out = Files.newOutputStream(partial)) {
                found = remote.copyTo(client, "model URL", uri, timeout, maxBytes, out, () -> tooLarge(uri), !required);
            }
            if (!found) {
                return Optional.empty();
            }
            Path target = dir.resolve(fileName);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return Optional.of(target);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private PayloadTooLargeException tooLarge(URI uri) {
        return new PayloadTooLargeException(uri + " is larger than " + maxBytes
                + " bytes (quiver.download.max-size)");
    }

    private static URI parse(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getHost() == null) {
                throw new BadRequestException("'" + PathGuard.abbreviate(url) + "' has no host");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new BadRequestException("'" + PathGuard.abbreviate(url) + "' is not a valid URL: " + e.getReason());
        }
    }
}
