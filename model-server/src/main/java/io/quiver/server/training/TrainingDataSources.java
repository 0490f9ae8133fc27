package io.quiver.server.training;

import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.NotFoundException;
import io.quiver.common.error.PayloadTooLargeException;
import io.quiver.server.config.ServerConfig;
import io.quiver.server.repository.ModelSources;
import io.quiver.server.repository.PathGuard;
import io.quiver.server.repository.RemoteFiles;
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

/**
 * Where {@code config.data_uri} points: a file inside the allowed roots (the repository and
 * {@code quiver.allowed-roots}, checked as model paths are), or an http(s) URL. Either is read up
 * to {@code quiver.training.max-data-size}.
 */
@ApplicationScoped
public class TrainingDataSources {
    private final PathGuard guard;
    private final long maxBytes;
    private final Duration timeout;
    private final HttpClient client;
    private final RemoteFiles remoteFiles;

    TrainingDataSources(PathGuard guard, RemoteFiles remoteFiles, ServerConfig config) {
        this.guard = guard;
        this.remoteFiles = remoteFiles;
        this.maxBytes = config.training().maxDataSize().asLongValue();
        this.timeout = config.training().dataTimeout();
        this.client = RemoteFiles.client(timeout);
    }

    /** A checked location: a local file now readable, or a URL fetched when the job runs. */
    sealed interface Location permits Local, Remote {
        String shown();
    }

    record Local(Path file, String shown) implements Location {
    }

    record Remote(URI uri, String shown) implements Location {
    }

    Location locate(String given) {
        if (given.isBlank()) {
            throw new BadRequestException("config.data_uri is empty");
        }
        String scheme = ModelSources.scheme(given);
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
            throw new BadRequestException("training data cannot be read from '" + scheme + ":' locations; "
                    + "config.data_uri takes a path, a file: URI or an http(s): URL");
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

    byte[] read(Location location) {
        if (location instanceof Local local) {
            return readLocal(local);
        }
        return download((Remote) location);
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

    private PayloadTooLargeException tooLarge(String what) {
        return new PayloadTooLargeException("training data " + PathGuard.abbreviate(what) + " is larger than " + maxBytes
                + " bytes (quiver.training.max-data-size)");
    }
}
