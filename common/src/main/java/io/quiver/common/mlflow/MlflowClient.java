package io.quiver.common.mlflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.common.error.BadGatewayException;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.NotFoundException;
import io.quiver.common.mlflow.MlflowMessages.DownloadUri;
import io.quiver.common.mlflow.MlflowMessages.ErrorAnswer;
import io.quiver.common.mlflow.MlflowMessages.ModelVersion;
import io.quiver.common.mlflow.MlflowMessages.ModelVersionAnswer;
import io.quiver.common.mlflow.MlflowMessages.ModelVersions;
import io.quiver.common.mlflow.MlflowMessages.RegisteredModelAnswer;
import io.quiver.common.mlflow.MlflowMessages.RegisteredModels;
import io.quiver.common.versions.VersionOrder;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The calls Quiver makes to an MLflow tracking server's model registry (REST API 2.0), and what
 * each failure means to the caller: no such model, version or alias is a 404 naming it; a server
 * that cannot be reached, refuses the credentials (401, 403) or answers something else is a 502
 * naming the server, never with the token or password.
 */
public final class MlflowClient {
    /** One GET, over the service's own HTTP client. */
    public interface Transport {
        /** The answer to GET {@code uri} with {@code headers}; an IOException when none came. */
        Answer get(URI uri, Map<String, String> headers) throws IOException, InterruptedException;
    }

    public record Answer(int status, byte[] body) {
    }

    /** The most {@code registered-models/search} returns in a page. */
    static final int MODELS_PAGE = 1000;
    /** The most {@code model-versions/search} returns in a page. */
    static final int VERSIONS_PAGE = 10_000;
    /** A server that keeps handing out page tokens is answering wrongly, not listing a million models. */
    private static final int MAX_PAGES = 1000;
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final MlflowSettings settings;
    private final Transport transport;
    private final URI api;

    /** @throws BadRequestException when no tracking server is configured */
    public MlflowClient(MlflowSettings settings, Transport transport) {
        this.settings = settings;
        this.transport = transport;
        URI tracking = settings.trackingUri().orElseThrow(() -> new BadRequestException(
                "no MLflow tracking server is configured: set MLFLOW_TRACKING_URI"));
        String scheme = tracking.getScheme() == null ? "" : tracking.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || tracking.getHost() == null) {
            throw new BadRequestException("the MLflow tracking URI '" + MlflowSettings.withoutSecrets(tracking)
                    + "' is not an http(s) URL; a tracking server is needed for the model registry");
        }
        String base = tracking.toString().replaceAll("/+$", "");
        this.api = URI.create(base + "/");
    }

    public String describe() {
        return settings.describe();
    }

    /** Every registered model's name, sorted, over as many pages as the server gives. */
    public List<String> modelNames() {
        List<String> names = new ArrayList<>();
        pages("registered-models/search", Map.of("max_results", Integer.toString(MODELS_PAGE)), RegisteredModels.class,
                "the registered models", page -> {
                    page.registeredModels().forEach(model -> names.add(model.name()));
                    return page.nextPageToken();
                });
        return names.stream().filter(name -> name != null && !name.isBlank()).sorted().toList();
    }

    /**
     * The versions of {@code model} that finished registering, oldest first ({@link VersionOrder}).
     *
     * @throws NotFoundException when the registry has no such model
     */
    public List<ModelVersion> versions(String model) {
        List<ModelVersion> versions = new ArrayList<>();
        Map<String, String> query = new LinkedHashMap<>();
        // MLflow's filter grammar: a string value in single quotes, a quote inside doubled is not taken.
        query.put("filter", "name='" + model.replace("'", "") + "'");
        query.put("max_results", Integer.toString(VERSIONS_PAGE));
        pages("model-versions/search", query, ModelVersions.class, "the versions of model '" + model + "'", page -> {
            page.modelVersions().stream().filter(v -> model.equals(v.name())).forEach(versions::add);
            return page.nextPageToken();
        });
        if (versions.isEmpty()) {
            // No versions, or no model: only the model itself tells which.
            call("registered-models/get", Map.of("name", model), RegisteredModelAnswer.class, "model '" + model + "'");
        }
        return versions.stream().filter(ModelVersion::ready)
                .sorted(Comparator.comparing(ModelVersion::version, VersionOrder.INSTANCE)).toList();
    }

    /** @throws NotFoundException when the registry has no such model or version */
    public ModelVersion version(String model, String version) {
        ModelVersionAnswer answer = call("model-versions/get", Map.of("name", model, "version", version),
                ModelVersionAnswer.class, "version " + version + " of model '" + model + "'");
        return required(answer.modelVersion(), "model-versions/get");
    }

    /** The version {@code alias} points at; @throws NotFoundException when the model or alias does not exist */
    public ModelVersion alias(String model, String alias) {
        ModelVersionAnswer answer = call("registered-models/alias", Map.of("name", model, "alias", alias),
                ModelVersionAnswer.class, "alias '" + alias + "' of model '" + model + "'");
        return required(answer.modelVersion(), "registered-models/alias");
    }

    /** The version a {@code models:/} URI names: its number, the alias's, or the highest for {@code latest}. */
    public String resolve(ModelUri uri) {
        if (uri.alias().isPresent()) {
            return alias(uri.name(), uri.alias().get()).version();
        }
        String version = uri.version().orElseThrow();
        if (!version.equals(ModelUri.LATEST)) {
            return version;
        }
        List<ModelVersion> versions = versions(uri.name());
        if (versions.isEmpty()) {
            throw new NotFoundException("model '" + uri.name() + "' has no version ready in the " + describe());
        }
        return versions.get(versions.size() - 1).version();
    }

    /** Where the files of a version are (an {@code mlflow-artifacts:}, {@code s3:}, http(s) or local location). */
    public String downloadUri(String model, String version) {
        DownloadUri answer = call("model-versions/get-download-uri", Map.of("name", model, "version", version),
                DownloadUri.class, "version " + version + " of model '" + model + "'");
        if (answer.artifactUri() == null || answer.artifactUri().isBlank()) {
            throw new BadGatewayException("the " + describe() + " answered model-versions/get-download-uri with no artifact_uri");
        }
        return answer.artifactUri();
    }

    /**
     * The http(s) URL of a file below an {@code mlflow-artifacts:} location, which the tracking
     * server serves itself ({@code /api/2.0/mlflow-artifacts/artifacts/...}); empty for other schemes.
     * {@code mlflow-artifacts://host:port/path} names the server; {@code mlflow-artifacts:/path} is ours.
     */
    public Optional<URI> artifactUrl(String location, String file) {
        if (!location.regionMatches(true, 0, "mlflow-artifacts:", 0, "mlflow-artifacts:".length())) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = URI.create(location);
        } catch (IllegalArgumentException e) {
            throw new BadGatewayException("the " + describe() + " gave an artifact location that is not a URI: " + location);
        }
        String path = (uri.getPath() == null ? "" : uri.getPath()).replaceAll("^/+", "").replaceAll("/+$", "");
        URI server = uri.getHost() == null ? api
                : URI.create(api.getScheme() + "://" + uri.getRawAuthority() + "/");
        return Optional.of(server.resolve("api/2.0/mlflow-artifacts/artifacts/" + encodePath(path) + "/" + encodePath(file)));
    }

    /** The headers a request to {@code uri} carries: credentials only for the tracking server itself. */
    public Map<String, String> headersFor(URI uri) {
        boolean ours = uri.getScheme().equalsIgnoreCase(api.getScheme()) && uri.getHost() != null
                && uri.getHost().equalsIgnoreCase(api.getHost()) && port(uri) == port(api);
        return ours ? settings.authorization().map(a -> Map.of("Authorization", a)).orElse(Map.of()) : Map.of();
    }

    /** The meaning of a failed download from the tracking server (401, 403 and the rest). */
    public RuntimeException failure(String what, int status) {
        if (status == 401 || status == 403) {
            return refused(status);
        }
        if (status == 404) {
            return new NotFoundException(what + " is not in the " + describe());
        }
        return new BadGatewayException("the " + describe() + " answered HTTP " + status + " for " + what);
    }

    private interface Page<T> {
        /** Takes one page; returns the next page's token, if any. */
        String take(T page);
    }

    private <T> void pages(String endpoint, Map<String, String> query, Class<T> type, String what, Page<T> take) {
        Set<String> seen = new HashSet<>();
        String token = null;
        for (int n = 0; n < MAX_PAGES; n++) {
            Map<String, String> pageQuery = new LinkedHashMap<>(query);
            if (token != null) {
                pageQuery.put("page_token", token);
            }
            token = take.take(call(endpoint, pageQuery, type, what));
            if (token == null || token.isEmpty()) {
                return;
            }
            if (!seen.add(token)) {
                throw new BadGatewayException("the " + describe() + " handed out page token '" + token + "' twice for "
                        + endpoint);
            }
        }
        throw new BadGatewayException("the " + describe() + " answered more than " + MAX_PAGES + " pages for " + endpoint);
    }

    private <T> T call(String endpoint, Map<String, String> query, Class<T> type, String what) {
        StringBuilder url = new StringBuilder("api/2.0/mlflow/").append(endpoint);
        char separator = '?';
        for (Map.Entry<String, String> parameter : query.entrySet()) {
            url.append(separator).append(parameter.getKey()).append('=')
                    .append(URLEncoder.encode(parameter.getValue(), StandardCharsets.UTF_8));
            separator = '&';
        }
        URI uri = api.resolve(url.toString());
        Answer answer;
        try {
            answer = transport.get(uri, headersFor(uri));
        } catch (IOException e) {
            throw new BadGatewayException("the " + describe() + " cannot be reached: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BadGatewayException("asking the " + describe() + " was interrupted");
        }
        if (answer.status() == 200) {
            try {
                return JSON.readValue(answer.body(), type);
            } catch (JsonProcessingException e) {
                throw new BadGatewayException("the " + describe() + " answered " + endpoint
                        + " with a body that is not MLflow's: " + e.getOriginalMessage());
            } catch (IOException e) {
                throw new BadGatewayException("the " + describe() + " answered " + endpoint + " unreadably: " + e);
            }
        }
        if (answer.status() == 401 || answer.status() == 403) {
            throw refused(answer.status());
        }
        Optional<ErrorAnswer> error = error(answer.body());
        boolean missing = answer.status() == 404
                || error.map(e -> "RESOURCE_DOES_NOT_EXIST".equals(e.errorCode())).orElse(false);
        if (missing) {
            throw new NotFoundException(what + " is not in the " + describe());
        }
        throw new BadGatewayException("the " + describe() + " answered HTTP " + answer.status() + " to " + endpoint
                + error.map(e -> ": " + e.errorCode() + ": " + abbreviate(e.message())).orElse(""));
    }

    /** MLflow's 401 and 403 say nothing Quiver should pass on; the settings to check are what helps. */
    private BadGatewayException refused(int status) {
        String sent = settings.token().isPresent() ? "the token (MLFLOW_TRACKING_TOKEN)"
                : settings.username().isPresent() ? "user '" + settings.username().get() + "' (MLFLOW_TRACKING_USERNAME, MLFLOW_TRACKING_PASSWORD)"
                : "no credentials (set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD)";
        return new BadGatewayException("the " + describe() + " refused " + sent + ": HTTP " + status
                + (status == 401 ? " (not authenticated)" : " (permission denied)"));
    }

    private static Optional<ErrorAnswer> error(byte[] body) {
        try {
            ErrorAnswer error = JSON.readValue(body, ErrorAnswer.class);
            return error.errorCode() == null ? Optional.empty() : Optional.of(error);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private <T> T required(T value, String endpoint) {
        if (value == null) {
            throw new BadGatewayException("the " + describe() + " answered " + endpoint + " without the model version");
        }
        return value;
    }

    private static String encodePath(String path) {
        StringBuilder encoded = new StringBuilder();
        for (String segment : path.split("/")) {
            if (!segment.isEmpty()) {
                encoded.append(encoded.isEmpty() ? "" : "/")
                        .append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
            }
        }
        return encoded.toString();
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    private static String abbreviate(String message) {
        if (message == null) {
            return "";
        }
        return message.length() > 300 ? message.substring(0, 300) + "..." : message;
    }
}
