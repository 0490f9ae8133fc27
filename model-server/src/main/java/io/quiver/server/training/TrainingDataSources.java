package io.quiver.server.training;

import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.NotFoundException;
import io.quiver.common.error.PayloadTooLargeException;
import io.quiver.common.s3.S3Location;
import io.quiver.server.config.ServerConfig;
import io.quiver.server.repository.ModelSources;
import io.quiver.server.repository.PathGuard;
import io.quiver.server.repository.RemoteFiles;
import io.quiver.server.repository.S3Stores;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Where {@code config.data_uri} points: a file inside the allowed roots (the repository and
 * {@code quiver.allowed-roots}, checked as model paths are), an http(s) URL, or an object in the
 * server's S3 store. Each is read up to {@code quiver.training.max-data-size}, a remote one within
 * {@code quiver.training.data-timeout}.
 *
 * <p>Model registry locations ({@code models:/name/version}) are refused: a registry hands out
 * models, and the data set a model was trained on is not among what it serves. MLflow run
 * artifacts ({@code runs:/...}) could be data, but MLflow keeps them in an artifact store, mostly
 * S3, whose own address reads them without a second client for MLflow's API.
 */
@ApplicationScoped
public class TrainingDataSources {
    private static final String ACCEPTED = "config.data_uri takes a path, a file: URI, an http(s): URL or an s3://bucket/key "
            + "object, and config.data_source a database query";
    /** MLflow's names for a run's files, which a user may try for data. */
    private static final Set<String> MLFLOW_ARTIFACTS = Set.of("runs", "mlflow-artifacts");
    private final PathGuard guard;
    private final long maxBytes;
    private final Duration timeout;
    private final HttpClient client;
    private final RemoteFiles remoteFiles;
    private final S3Stores s3;

    TrainingDataSources(PathGuard guard, RemoteFiles remoteFiles, S3Stores s3, ServerConfig config) {
        this.guard = guard;
        this.remoteFiles = remoteFiles;
        this.s3 = s3;
        this.maxBytes = config.training().maxDataSize().asLongValue();
        this.timeout = config.training().dataTimeout();
        this.client = RemoteFiles.client(timeout);
    }

    /** A checked location: a local file now readable, or a URL or S3 object fetched when the job runs. */
    sealed interface Location permits Local, Remote, S3Object {
        String shown();
    }

    record Local(Path file, String shown) implements Location {
    }

    record Remote(URI uri, String shown) implements Location {
    }

    record S3Object(S3Location location, String shown) implements Location {
    }

    Location locate(String given) {
        if (given.isBlank()) {
            throw new BadRequestException("config.data_uri is empty");
        }
        String scheme = ModelSources.scheme(given);
        if (S3Location.isS3(given)) {
            return s3Object(given);
        }
        if (scheme.equals("http") || scheme.equals("https")) {
            try {
                URI uri = new URI(given);
                if (uri.getHost() == null) {
                    throw new BadRequestException("config.data_uri '" + PathGuard.abbreviate(given) + "' has no host");
                }
                remoteFiles.check("config.data_uri", uri);
                return new Remote(uri, given);
            } catch (URISyntaxException e) {
                throw new BadRequestException("config.data_uri '" + PathGuard.abbreviate(given) + "' is not a valid URL: "
                        + e.getReason());
            }
        }
        String path = given;
        if (scheme.equals("file")) {
            try {
                path = Path.of(URI.create(given)).toString();
            } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                throw new BadRequestException("config.data_uri '" + PathGuard.abbreviate(given) + "' is not a valid file: URI");
            }
        } else if (!scheme.isEmpty()) {
            throw new BadRequestException("training data cannot be read from '" + scheme + ":' locations"
                    + (scheme.equals("models") ? " (a model registry holds models, not data sets)"
                            : MLFLOW_ARTIFACTS.contains(scheme) ? " (an MLflow artifact is read from where it is stored: "
                            + "its s3:// or http(s) address)" : "")
                    + "; " + ACCEPTED);
        }
        Path real;
        try {
            real = guard.resolve(path);
        } catch (NotFoundException e) {
            throw new BadRequestException("config.data_uri: no file at '" + PathGuard.abbreviate(given) + "'");
        }
        if (!Files.isRegularFile(real)) {
            throw new BadRequestException("config.data_uri '" + PathGuard.abbreviate(given) + "' is not a file");
        }
        return new Local(real, given);
    }

    /**
     * The object must exist now, so that a wrong key or refused credentials is the client's answer
     * rather than a failed job; it is read when the job runs, as URLs are.
     */
    private S3Object s3Object(String given) {
        S3Location location;
        try {
            location = S3Location.parse(given);
        } catch (BadRequestException e) {
            throw new BadRequestException("config.data_uri: " + e.getMessage());
        }
        if (location.prefix().isEmpty()) {
            throw new BadRequestException("config.data_uri '" + location + "' names a bucket; name the object: s3://"
                    + location.bucket() + "/<key>");
        }
        if (!s3.storage(timeout).exists(location)) {
            throw new BadRequestException("config.data_uri: there is no S3 object " + location + " (at "
                    + s3.storage(timeout).endpoint() + ")");
        }
        return new S3Object(location, given);
    }

    byte[] read(Location location) {
        if (location instanceof Local local) {
            return readLocal(local);
        }
        if (location instanceof Remote remote) {
            return download(remote);
        }
        return downloadS3((S3Object) location);
    }

    private byte[] readLocal(Local local) {
        try {
            if (Files.size(local.file()) > maxBytes) {
                throw tooLarge(local.shown());
            }
            return Files.readAllBytes(local.file());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + local.shown(), e);
        }
    }

    private byte[] download(Remote remote) {
        URI uri = remote.uri();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        remoteFiles.copyTo(client, "config.data_uri", uri, timeout, maxBytes, out, () -> tooLarge(uri.toString()), false);
        return out.toByteArray();
    }

    private byte[] downloadS3(S3Object object) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        S3Location location = object.location();
        s3.storage(timeout).copyTo(location, out, maxBytes, () -> tooLarge(location.toString()), false);
        return out.toByteArray();
    }

    private PayloadTooLargeException tooLarge(String what) {
        return new PayloadTooLargeException("training data " + PathGuard.abbreviate(what) + " is larger than " + maxBytes
                + " bytes (quiver.training.max-data-size)");
    }
}
