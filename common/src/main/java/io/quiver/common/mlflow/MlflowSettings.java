package io.quiver.common.mlflow;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Where the MLflow tracking server is and how to prove who we are to it: MLflow's environment
 * variables, each overridable by a Quiver setting of the service (its {@code mlflow} group).
 *
 * @param trackingUri the server; absent when neither the setting nor {@code MLFLOW_TRACKING_URI} names one
 * @param token       a bearer token; taken before username and password when both are given
 * @param timeout     for connecting and for each answer
 */
public record MlflowSettings(Optional<URI> trackingUri, Optional<String> token, Optional<String> username,
                             Optional<String> password, Duration timeout) {

    /** A service's configured connection, what it leaves out taken from this process's MLflow variables. */
    public static MlflowSettings of(MlflowConnection connection, Duration timeout) {
        return new MlflowSettings(connection.trackingUri(), connection.token(), connection.username(),
                connection.password(), timeout).withDefaultsFrom(System.getenv());
    }

    /** Fills what is absent from MLflow's environment variables in {@code env}. */
    public MlflowSettings withDefaultsFrom(Map<String, String> env) {
        return new MlflowSettings(trackingUri.or(() -> variable(env, "MLFLOW_TRACKING_URI").map(URI::create)),
                token.or(() -> variable(env, "MLFLOW_TRACKING_TOKEN")),
                username.or(() -> variable(env, "MLFLOW_TRACKING_USERNAME")),
                password.or(() -> variable(env, "MLFLOW_TRACKING_PASSWORD")), timeout);
    }

    /** The {@code Authorization} header the server is sent, if any. */
    public Optional<String> authorization() {
        if (token.isPresent()) {
            return Optional.of("Bearer " + token.get());
        }
        if (username.isPresent()) {
            String pair = username.get() + ":" + password.orElse("");
            return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        return Optional.empty();
    }

    /**
     * The environment a process given these settings reads them from (a deployment's model-server),
     * holding only what is set.
     */
    public Map<String, String> environment() {
        Map<String, String> env = new java.util.TreeMap<>();
        trackingUri.ifPresent(uri -> env.put("MLFLOW_TRACKING_URI", uri.toString()));
        token.ifPresent(t -> env.put("MLFLOW_TRACKING_TOKEN", t));
        username.ifPresent(u -> env.put("MLFLOW_TRACKING_USERNAME", u));
        password.ifPresent(p -> env.put("MLFLOW_TRACKING_PASSWORD", p));
        return env;
    }

    /** Names the server in messages: scheme, host and port, never credentials written into the URI. */
    public String describe() {
        return trackingUri.map(MlflowSettings::withoutSecrets).map(uri -> "MLflow tracking server " + uri)
                .orElse("MLflow tracking server (none configured)");
    }

    static String withoutSecrets(URI uri) {
        if (uri.getScheme() == null || uri.getHost() == null) {
            // Not a server's URL (a file: store, "databricks"): nothing in it is a credential.
            return uri.toString();
        }
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        String path = uri.getPath() == null ? "" : uri.getPath();
        return uri.getScheme() + "://" + uri.getHost() + port + path;
    }

    private static Optional<String> variable(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    @Override
    public String toString() {
        // A record's own toString would print the token and password into any log that names it.
        return describe();
    }
}
