package io.quiver.server.training;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.error.BadGatewayException;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.PayloadTooLargeException;
import io.quiver.common.json.JsonBodies;
import io.quiver.common.net.CappedCopy;
import io.quiver.common.training.TrainingMessages.DataSource;
import io.quiver.server.config.ServerConfig;
import io.quiver.server.repository.PathGuard;
import io.quiver.server.repository.RemoteFiles;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Runs {@code config.data_source} queries against InfluxDB 1.x ({@code GET /query}, InfluxQL, times
 * as epoch milliseconds) through the service's HTTP client, within
 * {@code quiver.training.data-timeout} and {@code quiver.training.max-data-size}. A query runs once,
 * when the job is submitted, so that a query InfluxDB refuses, a server that does not answer, or
 * a query that finds nothing is the client's answer at once; its rows are the job's data.
 *
 * <p>Only one SELECT that writes nothing is sent: InfluxDB 1.x runs any statement given to
 * {@code GET /query} (a DROP only earns a deprecation warning), so the check here is what keeps a
 * training request from changing the database.
 */
@ApplicationScoped
public class InfluxQueries {
    static final String TYPE = "influxdb";
    private static final Pattern SELECT = Pattern.compile("\\s*select\\b.*", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern INTO = Pattern.compile("\\binto\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern TRAILING_SEMICOLON = Pattern.compile(";\\s*$");

    private final RemoteFiles remoteFiles;
    private final HttpClient client;
    private final Duration timeout;
    private final long maxBytes;
    private final Optional<URI> configuredUrl;
    private final Optional<String> authorization;

    InfluxQueries(RemoteFiles remoteFiles, ServerConfig config) {
        this.remoteFiles = remoteFiles;
        this.timeout = config.training().dataTimeout();
        this.maxBytes = config.training().maxDataSize().asLongValue();
        this.client = RemoteFiles.client(timeout);
        ServerConfig.Influxdb influx = config.training().influxdb();
        this.configuredUrl = influx.url();
        this.authorization = influx.username().map(user -> "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + influx.password().orElse("")).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * A query checked and ready to run.
     *
     * @param server   the server's base URL
     * @param database the database it reads
     * @param query    one SELECT statement
     */
    record Query(URI server, String database, String query) {
        /** How the job and the model's description name the data. */
        String shown() {
            return "InfluxDB " + database + " at " + server + ": " + Algorithm.abbreviate(query);
        }
    }

    /** Checks {@code config.data_source} without sending anything. */
    Query check(DataSource source) {
        if (source.type() == null || !source.type().toLowerCase(Locale.ROOT).equals(TYPE)) {
            throw new BadRequestException("config.data_source.type must be '" + TYPE + "'"
                    + (source.type() == null ? "" : ", got '" + Algorithm.abbreviate(source.type()) + "'"));
        }
        URI server = server(source.url());
        if (source.database() == null || source.database().isBlank()) {
            throw new BadRequestException("config.data_source.database is required: the database the query reads");
        }
        return new Query(server, source.database(), readOnlySelect(source.query()));
    }

    /**
     * One SELECT statement that writes nothing, a final semicolon dropped. Deliberately coarse:
     * rather than lex InfluxQL (whose regular expressions, strings and comments could each hide a
     * second statement from a lexer that differs from InfluxDB's in one detail), any semicolon and
     * the word INTO anywhere, quoted or not, are refused.
     */
    static String readOnlySelect(String query) {
        if (query == null || query.isBlank()) {
            throw new BadRequestException("config.data_source.query is required: one InfluxQL SELECT statement");
        }
        String statement = TRAILING_SEMICOLON.matcher(query).replaceFirst("").strip();
        if (!SELECT.matcher(statement).matches()) {
            String first = statement.split("\\s+", 2)[0];
            throw new BadRequestException("config.data_source.query must be a SELECT statement; training reads data "
                    + "and runs no other (got '" + Algorithm.abbreviate(first) + "')");
        }
        if (statement.contains(";")) {
            throw new BadRequestException("config.data_source.query must be one statement; it holds a ';' "
                    + "(refused even inside quotes)");
        }
        if (INTO.matcher(statement).find()) {
            throw new BadRequestException("config.data_source.query must only read, but SELECT ... INTO writes; "
                    + "the word INTO is refused anywhere in the query, even quoted");
        }
        return statement;
    }

    private URI server(String given) {
        if (given == null) {
            return configuredUrl.orElseThrow(() -> new BadRequestException("config.data_source.url is required, "
                    + "as quiver.training.influxdb.url is not set: the InfluxDB server, such as http://influxdb:8086"));
        }
        URI uri;
        try {
            uri = new URI(given);
        } catch (URISyntaxException e) {
            throw new BadRequestException("config.data_source.url is not a valid URL: " + e.getReason());
        }
        if (uri.getRawUserInfo() != null) {
            // Not echoed: it holds a password.
            throw new BadRequestException("config.data_source.url must not hold credentials; the server's are "
                    + "quiver.training.influxdb.username and password");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new BadRequestException("config.data_source.url '" + PathGuard.abbreviate(given)
                    + "' must be an http(s) URL with a host, such as http://influxdb:8086");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new BadRequestException("config.data_source.url '" + PathGuard.abbreviate(given)
                    + "' is the server's base URL, without a query; the query goes in config.data_source.query");
        }
        remoteFiles.check("config.data_source.url", uri);
        return uri;
    }

    /** Runs the query; the answer's rows become a table, the time column kept when {@code keepTime}. */
    Table run(Query query, boolean keepTime, TrainingLimits limits) {
        JsonNode answer = JsonBodies.parse(fetch(query));
        return InfluxResults.table(answer, query, keepTime, limits);
    }

    private byte[] fetch(Query query) {
        String base = query.server().toString().replaceAll("/+$", "");
        URI uri = URI.create(base + "/query?db=" + encode(query.database()) + "&epoch=ms&q=" + encode(query.query()));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
        if (sameServer(query.server())) {
            authorization.ifPresent(value -> request.header("Authorization", value));
        }
        String where = "InfluxDB at " + query.server();
        try {
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream body = response.body()) {
                if (response.headers().firstValueAsLong("Content-Length").orElse(-1) > maxBytes) {
                    throw tooLarge(query);
                }
                CappedCopy.copy(body, out, maxBytes, () -> tooLarge(query));
            }
            int status = response.statusCode();
            if (status == 200) {
                return out.toByteArray();
            }
            String error = InfluxResults.error(out.toByteArray());
            if (status == 400) {
                throw new BadRequestException(where + " refused the query: " + error);
            }
            if (status == 401 || status == 403) {
                throw new BadGatewayException(where + " refused the request (" + error + "); the server's "
                        + "credentials, quiver.training.influxdb.username and password, are sent to "
                        + "quiver.training.influxdb.url only");
            }
            throw new BadGatewayException(where + " answered HTTP " + status + (error.isEmpty() ? "" : ": " + error));
        } catch (HttpTimeoutException e) {
            throw new BadGatewayException(where + " did not answer the query within " + timeout.toSeconds()
                    + " s (quiver.training.data-timeout)");
        } catch (IOException e) {
            throw new BadGatewayException(where + " cannot be reached: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BadGatewayException("the query to " + where + " was interrupted");
        }
    }

    /** Whether {@code server} is the configured one, the only one the credentials go to. */
    private boolean sameServer(URI server) {
        return configuredUrl.map(c -> origin(c).equals(origin(server))).orElse(false);
    }

    private static String origin(URI uri) {
        String scheme = Objects.requireNonNullElse(uri.getScheme(), "").toLowerCase(Locale.ROOT);
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        return scheme + "://" + Objects.requireNonNullElse(uri.getHost(), "").toLowerCase(Locale.ROOT) + ":" + port;
    }

    private PayloadTooLargeException tooLarge(Query query) {
        return new PayloadTooLargeException("the answer of InfluxDB at " + query.server() + " is larger than " + maxBytes
                + " bytes (quiver.training.max-data-size); select fewer rows or columns");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
