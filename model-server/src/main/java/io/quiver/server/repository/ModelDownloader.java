package io.quiver.server.repository;

import io.quiver.common.s3.S3Location;
import io.quiver.common.s3.S3Storage;
import io.quiver.server.config.ServerConfig;
import io.quiver.common.error.BadGatewayException;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.mlflow.MlflowClient;
import io.quiver.common.error.PayloadTooLargeException;
import io.quiver.common.files.DurableFiles;
import io.quiver.common.files.StorageUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Fetches a model from an http(s) URL or an {@code s3://} location into the repository, as
 * {@code <root>/<name>/<version>/}, so that it is served again after a restart. The location names
 * either {@code .../model.onnx} or the directory holding it; a {@code model.json} beside it is
 * fetched when there is one. An MLflow model directory (a registry version's files) is fetched as
 * its {@code MLmodel} and the ONNX file that names, kept as {@code model.onnx}. Files appear in place
 * only once complete, each under the same size cap and timeout.
 */
@ApplicationScoped
public class ModelDownloader {
    private static final Logger LOG = Logger.getLogger(ModelDownloader.class);
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

    /**
     * Fetches the MLflow model directory at {@code location}, an artifact location a tracking server
     * gave ({@code mlflow-artifacts:}, http(s) or {@code s3://}): its {@code MLmodel} first, checked
     * before anything else is fetched, then the ONNX file it names. The {@code MLmodel} is placed
     * before {@code model.onnx}, so that whoever sees the model also finds its signature.
     */
    public ModelFiles fetchMlflow(String name, String version, String location, MlflowClient mlflow, Path repository) {
        RemoteDirectory remote = mlflowDirectory(location, mlflow);
        Path dir = repository.resolve(name).resolve(version);
        try {
            Files.createDirectories(dir);
            Path mlmodelPart = fetchPartial(remote.copier(MlflowModelFile.FILE), dir, MlflowModelFile.FILE, true).orElseThrow();
            try {
                MlflowModelFile mlmodel = MlflowModelFile.read(mlmodelPart, remote.locate(MlflowModelFile.FILE));
                Path modelPart = fetchPartial(remote.copier(mlmodel.onnxModel()), dir, ModelFiles.MODEL_FILE, true)
                        .orElseThrow();
                try {
                    // A model.json left from an earlier fetch of this version would win over the MLmodel.
                    Files.deleteIfExists(dir.resolve(ModelFiles.DESCRIPTOR_FILE));
                    Path descriptor = placeFile(mlmodelPart, dir.resolve(MlflowModelFile.FILE));
                    Path model = placeFile(modelPart, dir.resolve(ModelFiles.MODEL_FILE));
                    return new ModelFiles(name, version, model, Optional.of(descriptor));
                } finally {
                    Files.deleteIfExists(modelPart);
                }
            } finally {
                Files.deleteIfExists(mlmodelPart);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write into " + dir, e);
        }
    }

    /** Files below a remote directory, one at a time. */
    private interface RemoteDirectory {
        /** How messages name {@code file}. */
        String locate(String file);

        Copier copier(String file);
    }

    private RemoteDirectory mlflowDirectory(String location, MlflowClient mlflow) {
        if (S3Location.isS3(location)) {
            S3Location base = S3Location.parse(location);
            return new RemoteDirectory() {
                public String locate(String file) {
                    return base.resolve(file).toString();
                }

                public Copier copier(String file) {
                    S3Location object = base.resolve(file);
                    return (out, required) -> s3.storage(timeout).copyTo(object, out, maxBytes, () -> tooLarge(object.toString()), !required);
                }
            };
        }
        String trimmed = location.replaceAll("/+$", "");
        return new RemoteDirectory() {
            public String locate(String file) {
                return trimmed + "/" + file;
            }

            public Copier copier(String file) {
                URI uri = mlflow.artifactUrl(location, file).orElseGet(() -> {
                    URI base = parse(trimmed + "/");
                    String scheme = base.getScheme().toLowerCase(java.util.Locale.ROOT);
                    if (!scheme.equals("http") && !scheme.equals("https")) {
                        throw new BadGatewayException("the " + mlflow.describe() + " keeps this version at '"
                                + PathGuard.abbreviate(location) + "', which cannot be fetched from here: "
                                + "served are mlflow-artifacts:, http(s):, s3:// and local paths");
                    }
                    return base.resolve(file);
                });
                Map<String, String> headers = mlflow.headersFor(uri);
                // Credentials go to the tracking server alone, and so do its meanings of 401 and 403.
                IntFunction<RuntimeException> failure = headers.isEmpty()
                        ? status -> new BadGatewayException("fetching " + locate(file) + " answered HTTP " + status)
                        : status -> mlflow.failure(locate(file), status);
                return (out, required) -> remote.copyTo(client, "MLflow artifact", uri, headers, timeout, maxBytes, out,
                        () -> tooLarge(locate(file)), !required, failure);
            }
        };
    }

    /** Copies one remote file into {@code out}; false when it is missing and not {@code required}. */
    private interface Copier {
        boolean copy(OutputStream out, boolean required);
    }

    /**
     * Downloads a version into {@code <repository>/<name>/<version>}. A download that fails (the
     * source, the cap, a disk that fills up) leaves nothing behind: its partial file is deleted, and
     * so are the directories it made, so no half-written version is ever listed.
     */
    private ModelFiles place(String name, String version, Path repository, Copier model, Copier descriptorCopier) {
        Path modelDir = repository.resolve(name);
        Path dir = modelDir.resolve(version);
        boolean newModel = !Files.isDirectory(modelDir);
        boolean newVersion = !Files.isDirectory(dir);
        try {
            Files.createDirectories(dir);
            Path modelFile = download(model, dir, ModelFiles.MODEL_FILE, true).orElseThrow();
            Optional<Path> descriptor = download(descriptorCopier, dir, ModelFiles.DESCRIPTOR_FILE, false);
            if (descriptor.isEmpty()) {
                Files.deleteIfExists(dir.resolve(ModelFiles.DESCRIPTOR_FILE));
            }
            return new ModelFiles(name, version, modelFile, descriptor);
        } catch (IOException | RuntimeException e) {
            removeIfMade(newVersion ? dir : null, newModel ? modelDir : null);
            if (e instanceof IOException io) {
                throw new StorageUnavailableException("model " + name + " version " + version, dir, io);
            }
            throw (RuntimeException) e;
        }
    }

    /** Deletes the directories a failed download made (each null when it was there before). */
    private static void removeIfMade(Path versionDir, Path modelDir) {
        for (Path dir : new Path[] {versionDir, modelDir}) {
            if (dir != null) {
                try {
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    LOG.warnf("cannot remove %s after a failed download: %s", dir, e.getMessage());
                }
            }
        }
    }

    private Optional<Path> download(Copier copier, Path dir, String fileName, boolean required) throws IOException {
        Optional<Path> partial = fetchPartial(copier, dir, fileName, required);
        try {
            return partial.isEmpty() ? Optional.empty() : Optional.of(placeFile(partial.get(), dir.resolve(fileName)));
        } finally {
            if (partial.isPresent()) {
                Files.deleteIfExists(partial.get());
            }
        }
    }

    /** The file, complete, in a hidden partial file of {@code dir}; empty when missing and not required. */
    private static Optional<Path> fetchPartial(Copier copier, Path dir, String fileName, boolean required) throws IOException {
        Path partial = Files.createTempFile(dir, "." + fileName, ".part");
        boolean found = false;
        try {
            try (OutputStream out = DurableFiles.refusalsAreUnavailable(Files.newOutputStream(partial),
                    "the downloaded " + fileName, partial)) {
                found = copier.copy(out, required);
            }
            return found ? Optional.of(partial) : Optional.empty();
        } finally {
            if (!found) {
                Files.deleteIfExists(partial);
            }
        }
    }

    /** Puts a complete file in place in one step, replacing the one there. */
    private static Path placeFile(Path partial, Path target) throws IOException {
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return target;
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
