package io.quiver.server.repository;

import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.NotFoundException;
import io.quiver.common.mlflow.ModelUri;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns what a load request names (a path, a {@code file:} URI, an {@code http(s):} URL, an
 * {@code s3://bucket/key} location, or an MLflow registry version {@code models:/name/version} or
 * {@code models:/name@alias}) into model versions on local disk, inside the allowed roots. A
 * directory may be an MLflow model directory ({@code MLmodel} naming its ONNX file).
 */
@ApplicationScoped
public class ModelSources {
    private final PathGuard guard;
    private final ModelDownloader downloader;
    private final MlflowModels mlflow;

    ModelSources(PathGuard guard, ModelDownloader downloader, MlflowModels mlflow) {
        this.guard = guard;
        this.downloader = downloader;
        this.mlflow = mlflow;
    }

    /**
     * @param version the version to load, or null for every version a model directory holds (a
     *                single file or version directory then becomes version "1"; an MLflow registry
     *                version keeps its number)
     */
    public List<ModelFiles> locate(String name, String version, String source) {
        PathGuard.checkName("model name", name);
        if (version != null) {
            PathGuard.checkName("version", version);
        }
        if (source == null || source.isBlank()) {
            throw new BadRequestException("a model location is required (a path, file: URI, http(s): URL, s3:// location "
                    + "or models:/ URI)");
        }
        String scheme = scheme(source);
        if (scheme.equals(ModelUri.SCHEME)) {
            return List.of(registered(name, version, source));
        }
        if (scheme.equals("http") || scheme.equals("https") || scheme.equals("s3")) {
            return List.of(downloader.fetch(name, version == null ? "1" : version, source, guard.repository()));
        }
        if (scheme.equals("file")) {
            return local(name, version, fileUriPath(source));
        }
        if (!scheme.isEmpty()) {
            throw new BadRequestException("models cannot be loaded from '" + scheme + ":' locations; "
                    + "use a path, a file: URI, an http(s): URL, an s3:// location or a models:/ URI");
        }
        return local(name, version, source);
    }

    /** A version of the MLflow registry, fetched into the repository unless its files are local. */
    private ModelFiles registered(String name, String version, String uri) {
        MlflowModels.Resolved resolved = mlflow.resolve(uri);
        String served = version == null ? resolved.version() : version;
        String location = resolved.location();
        String scheme = scheme(location);
        if (scheme.equals("file")) {
            return local(name, served, fileUriPath(location)).get(0);
        }
        if (scheme.isEmpty()) {
            return local(name, served, location).get(0);
        }
        return downloader.fetchMlflow(name, served, location, mlflow.client(), guard.repository());
    }

    private List<ModelFiles> local(String name, String version, String given) {
        Path real = guard.resolve(given);
        if (MlflowModelFile.isMlflowFile(real)) {
            real = real.getParent();
        }
        Path mlmodel = real.resolve(MlflowModelFile.FILE);
        if (Files.isRegularFile(mlmodel) && !Files.isRegularFile(real.resolve(ModelFiles.DESCRIPTOR_FILE))) {
            MlflowModelFile file = MlflowModelFile.read(mlmodel, PathGuard.abbreviate(given) + "/" + MlflowModelFile.FILE);
            return List.of(checked(new ModelFiles(name, version == null ? "1" : version, file.onnxFileBeside(mlmodel),
                    Optional.of(mlmodel))));
        }
        if (Files.isRegularFile(real)) {
            return List.of(checked(new ModelFiles(name, version == null ? "1" : version, real,
                    sibling(real.resolveSibling(ModelFiles.DESCRIPTOR_FILE)))));
        }
        if (Files.isRegularFile(real.resolve(ModelFiles.MODEL_FILE))) {
            return List.of(checked(ModelFiles.inDirectory(name, version == null ? "1" : version, real)));
        }
        List<ModelFiles> versions = RepositoryScanner.versionsOf(name, real);
        if (version != null) {
            versions = versions.stream().filter(v -> v.version().equals(version)).toList();
        }
        if (versions.isEmpty()) {
            throw new NotFoundException("no " + ModelFiles.MODEL_FILE + " under '" + PathGuard.abbreviate(given) + "'"
                    + (version == null ? "" : " for version " + version));
        }
        return versions.stream().map(this::checked).toList();
    }

    /** The model file and descriptor may themselves be links; each must stay inside the roots. */
    private ModelFiles checked(ModelFiles files) {
        Path model = guard.requireInside(files.model(), files.model().toString());
        Optional<Path> descriptor = files.descriptor().map(d -> guard.requireInside(d, d.toString()));
        return new ModelFiles(files.name(), files.version(), model, descriptor);
    }

    private static Optional<Path> sibling(Path descriptor) {
        return Files.isRegularFile(descriptor) ? Optional.of(descriptor) : Optional.empty();
    }

    /** The URI scheme of a model or data source, lower case; empty for a plain path. */
    public static String scheme(String source) {
        int colon = source.indexOf(':');
        // One letter before the colon is a Windows drive, not a scheme.
        if (colon < 2 || source.substring(0, colon).chars().anyMatch(c -> !Character.isLetterOrDigit(c)
                && c != '+' && c != '-' && c != '.')) {
            return "";
        }
        return source.substring(0, colon).toLowerCase(Locale.ROOT);
    }

    private static String fileUriPath(String source) {
        try {
            return Path.of(URI.create(source)).toString();
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw new BadRequestException("'" + PathGuard.abbreviate(source) + "' is not a valid file: URI");
        }
    }
}
