package io.quiver.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A real InfluxDB 1.x server for tests of training queries: Debian's {@code influxd} (package
 * {@code influxdb}; {@code .ci/run} installs it when missing), run with a generated configuration on
 * free loopback ports, its data, meta and WAL directories in a fresh temporary directory, usage
 * reporting off. With credentials, authentication is on and they are its administrator's.
 */
public final class InfluxdProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("Listening on HTTP.*addr=[^ ]*:(\\d+)");

    private final ServerProcess server;
    private final String authorization;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** An InfluxDB that asks for no credentials. */
    public InfluxdProcess() {
        this(null, null);
    }

    /** An InfluxDB with authentication on and one administrator, {@code user}; returns once it answers /ping. */
    public InfluxdProcess(String user, String password) {
        this(user, password, 0);
    }

    /**
     * @param user        with {@code password}, the administrator, authentication on; null for none
     * @param maxRowLimit most rows the server answers a query with ({@code [http] max-row-limit}),
     *                    marking a longer answer partial; 0 for no limit
     */
    public InfluxdProcess(String user, String password, int maxRowLimit) {
        authorization = user == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        Path dir;
        Path config;
        try {
            dir = Files.createTempDirectory("quiver-influxd-");
            config = dir.resolve("influxdb.conf");
            // Port 0 for both listeners: the server takes free ports and logs the HTTP one.
            Files.writeString(config, String.join("\n",
                    "reporting-disabled = true",
                    "bind-address = \"127.0.0.1:0\"",
                    "[meta]", "  dir = \"" + dir.resolve("meta") + "\"",
                    "[data]", "  dir = \"" + dir.resolve("data") + "\"", "  wal-dir = \"" + dir.resolve("wal") + "\"",
                    "  query-log-enabled = false",
                    "[http]", "  bind-address = \"127.0.0.1:0\"", "  log-enabled = false",
                    "  auth-enabled = " + (user != null), "  max-row-limit = " + maxRowLimit,
                    "[monitor]", "  store-enabled = false", ""));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot configure influxd", e);
        }
        server = new ServerProcess("influxd", List.of(executable(), "-config", config.toString()), dir, LISTENING);
        try {
            ping();
            if (user != null) {
                // The first user may be created without credentials, and only as an administrator.
                send("POST", "/query", "q=" + encode("CREATE USER \"" + user + "\" WITH PASSWORD '" + password
                        + "' WITH ALL PRIVILEGES"), false);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The base URL clients give, such as {@code http://127.0.0.1:40123}. */
    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    public void createDatabase(String database) {
        send("POST", "/query", "q=" + encode("CREATE DATABASE \"" + database + "\""), true);
    }

    /** Writes points in the line protocol, timestamps in milliseconds. */
    public void write(String database, List<String> lines) {
        send("POST", "/write?db=" + encode(database) + "&precision=ms", String.join("\n", lines), true);
    }

    /** Runs a read query; InfluxDB's JSON answer. */
    public String query(String database, String query) {
        return send("GET", "/query?db=" + encode(database) + "&q=" + encode(query), null, true);
    }

    private String send(String method, String pathAndQuery, String body, boolean authenticate) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + pathAndQuery)).timeout(Duration.ofSeconds(30));
        if (body == null) {
            request.GET();
        } else {
            request.method(method, HttpRequest.BodyPublishers.ofString(body))
                    .header("Content-Type", pathAndQuery.startsWith("/query") ? "application/x-www-form-urlencoded" : "text/plain");
        }
        if (authenticate && authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2 || response.body().contains("\"error\"")) {
                throw new IllegalStateException(method + " " + pathAndQuery + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The log line comes once the HTTP socket is bound, so a connection made now waits in its
     * backlog until the server serves it: one /ping, no polling.
     */
    private void ping() {
        try {
            HttpResponse<Void> ping = client.send(HttpRequest.newBuilder(URI.create(url() + "/ping"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding());
            if (ping.statusCode() != 204) {
                throw new IllegalStateException("influxd answered /ping with " + ping.statusCode() + ", not 204");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("influxd did not answer /ping", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the server, leaving its port unanswered, and deletes its files. */
    @Override
    public void close() {
        server.close();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** {@code influxd} on the PATH, as {@code command -v influxd} finds it. */
    private static String executable() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "influxd");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("influxd is not installed: `apt-get install influxdb` (.ci/run does this "
                + "when it is missing)");
    }
}
