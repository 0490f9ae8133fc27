package io.quiver.server.repository;

import io.quiver.common.s3.S3Location;
import io.quiver.common.s3.S3Storage;
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
 * Fetches a model from an http(s) URL or an {@code s3://} location into the repository, as
 * {@code <root>/<name>/<version>/}, so that it is served again after a restart. The location names
 * either {@code .../model.onnx} or the directory holding it; a {@code model.json} beside it is
 * fetched when there is one. Files appear in place only once complete.
 */
@ApplicationScoped
public class ModelDownloader {
    private final HttpClient client;
    private final RemoteFiles remote;
    private final S3Stores s3;
    private final long maxBytes;
    private final Duration timeout;

    ModelDownloader(ServerConfig config, RemoteFiles remote, S3Stores s3) {
        this.remote = remote;
        this.s3 = s3;
        this.maxBytes = config.download().maxSize().asLongValue();
        this.timeout = config.download().timeout();
        this.client = RemoteFiles.client(timeout);
    }

    public ModelFiles fetch(String name, String version, String url, Path repository) {
        if (S3Location.isS3(url)) {
            return fetchS3(name, version, S3Location.parse(url), repository);
        }
        URI modelUri = parse(url);
        remote.check("model URL", modelUri);
        String path = modelUri.getPath() == null ? "" : modelUri.getPath();
        URI base = path.endsWith(".onnx") ? modelUri.resolve(".") : URI.create(modelUri + (path.endsWith("/") ? "" : "/"));
        URI model = path.endsWith(".onnx") ? modelUri : base.resolve(ModelFiles.MODEL_FILE);
        URI descriptor = base.resolve(ModelFiles.DESCRIPTOR_FILE);
        return place(name, version, repository,
                (out, required) -> remote.copyTo(client, "model URL", model, timeout, maxBytes, out,
                        () -> tooLarge(model.toString()), !required),
                (out, required) -> remote.copyTo(client, "model URL", descriptor, timeout, maxBytes, out,
                        () -> tooLarge(descriptor.toString()), !required));
    }

    private ModelFiles fetchS3(String name, String version, S3Location location, Path repository) {
        S3Storage storage = s3.storage(timeout);
        S3Location model = location.prefix().endsWith(".onnx") ? location : location.resolve(ModelFiles.MODEL_FILE);
        String prefix = model.prefix();
        S3Location descriptor = new S3Location(model.bucket(),
                prefix.contains("/") ? prefix.substring(0, prefix.lastIndexOf('/')) : "").resolve(ModelFiles.DESCRIPTOR_FILE);
        return place(name, version, repository,
                (out, required) -> storage.copyTo(model, out, maxBytes, () -> tooLarge(model.toString()), !required),
                (out, required) -> storage.copyTo(descriptor, out, maxBytes, () -> tooLarge(descriptor.toString()), !required));
    }

    /** Copies one remote file into {@code out}; false when it is missing and not {@code required}. */
    private interface Copier {
        boolean copy(OutputStream out, boolean required);
    }

    private ModelFiles place(String name, String version, Path repository, Copier model, Copier descriptorCopier) {
        Path dir = repository.resolve(name).resolve(version);
        try {
            Files.createDirectories(dir);
            Path modelFile = download(model, dir, ModelFiles.MODEL_FILE, true).orElseThrow();
            Optional<Path> descriptor = download(descriptorCopier, dir, ModelFiles.DESCRIPTOR_FILE, false);
            if (descriptor.isEmpty()) {
                Files.deleteIfExists(dir.resolve(ModelFiles.DESCRIPTOR_FILE));
            }
            return new ModelFiles(name, version, modelFile, descriptor);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write into " + dir, e);
        }
    }

    private Optional<Path> download(Copier copier, Path dir, String fileName, boolean required) throws IOException {
        Path partial = Files.createTempFile(dir, "." + fileName, ".part");
        try {
            boolean found;
            try (OutputStream out = Files.newOutputStream(partial)) {
                found = copier.copy(out, required);
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

    private PayloadTooLargeException tooLarge(String location) {
        return new PayloadTooLargeException(location + " is larger than " + maxBytes
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
