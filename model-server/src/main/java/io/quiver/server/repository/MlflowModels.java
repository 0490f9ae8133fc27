package io.quiver.server.repository;

import io.quiver.common.error.BadGatewayException;
import io.quiver.common.mlflow.MlflowClient;
import io.quiver.common.mlflow.MlflowSettings;
import io.quiver.common.mlflow.ModelUri;
import io.quiver.common.net.CappedCopy;
import io.quiver.server.config.ServerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;

/**
 * {@code models:/<name>/<version>} and {@code models:/<name>@<alias>} locations, resolved through the
 * MLflow tracking server ({@code quiver.mlflow.*}, by default MLflow's own {@code MLFLOW_TRACKING_*}
 * variables) to the version's number and the artifact location of its files. Every call is a GET
 * through {@link RemoteFiles}, so the tracking server is checked against the download destination
 * policy like any model URL.
 */
@ApplicationScoped
public class MlflowModels {
    /** The registry's answers are small JSON documents; a larger one is not MLflow's. */
    private static final long MAX_ANSWER = 16L * 1024 * 1024;

    private final RemoteFiles remote;
    private final MlflowSettings settings;
    private final HttpClient http;

    MlflowModels(ServerConfig config, RemoteFiles remote) {
        this.remote = remote;
        this.settings = MlflowSettings.of(config.mlflow(), config.download().timeout());
        this.http = RemoteFiles.client(settings.timeout());
    }

    /** A registry version: its number and where its files are. */
    public record Resolved(String version, String location) {
    }

    /**
     * @throws io.quiver.common.error.BadRequestException when the URI is malformed or no tracking server is set
     * @throws io.quiver.common.error.NotFoundException    when the registry has no such model, version or alias
     */
    public Resolved resolve(String uri) {
        ModelUri parsed = ModelUri.parse(uri);
        MlflowClient mlflow = client();
        String version = mlflow.resolve(parsed);
        return new Resolved(version, mlflow.downloadUri(parsed.name(), version));
    }

    /** A client of the configured tracking server; 400 when there is none. */
    public MlflowClient client() {
        return new MlflowClient(settings, (uri, headers) -> {
            HttpResponse<InputStream> response = remote.get(http, "MLflow tracking server", uri, settings.timeout(), headers);
            try (InputStream body = response.body()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                CappedCopy.copy(body, out, MAX_ANSWER, () -> new BadGatewayException("the " + settings.describe()
                        + " answered more than " + MAX_ANSWER + " bytes to " + uri.getPath()));
                return new MlflowClient.Answer(response.statusCode(), out.toByteArray());
            }
        });
    }
}
