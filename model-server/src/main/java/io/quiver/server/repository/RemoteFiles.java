package io.quiver.server.repository;

import io.quiver.common.error.BadGatewayException;
import io.quiver.common.net.CappedCopy;
import io.quiver.common.net.DestinationPolicy;
import io.quiver.server.config.ServerConfig;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * GETs of URLs a client named (models, training data), each host checked against
 * {@code quiver.download.allowed-hosts} and {@code denied-hosts}: the first, and every one a
 * redirect leads to, since a permitted server could otherwise redirect to a metadata address.
 */
@Singleton
public class RemoteFiles {
    private static final int MAX_REDIRECTS = 5;

    private final DestinationPolicy destinations;

    RemoteFiles(ServerConfig config) {
        this.destinations = new DestinationPolicy(config.download().allowedHosts().orElse(List.of()),
                config.download().deniedHosts(), "quiver.download.allowed-hosts and denied-hosts");
    }

    /** The policy URLs are checked against; S3 endpoints are checked against it too. */
    public DestinationPolicy destinations() {
        return destinations;
    }

    /** A client that leaves redirects to {@link #get}. */
    public static HttpClient client(Duration connectTimeout) {
        return HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Refuses a URL the policy does not allow (403), before anything is sent. */
    public void check(String what, URI uri) {
        destinations.check(what, uri);
    }

    /** The answer to GET {@code uri} after at most five checked redirects; the caller closes its body. */
    public HttpResponse<InputStream> get(HttpClient client, String what, URI uri, Duration timeout)
            throws IOException, InterruptedException {
        return get(client, what, uri, timeout, Map.of());
    }

    /**
     * As {@link #get(HttpClient, String, URI, Duration)}, sending {@code headers} (credentials) to
     * {@code uri}'s own host and port only: a redirect elsewhere does not carry them.
     */
    public HttpResponse<InputStream> get(HttpClient client, String what, URI uri, Duration timeout,
                                         Map<String, String> headers) throws IOException, InterruptedException {
        URI next = uri;
        for (int hop = 0; ; hop++) {
            destinations.check(what, next);
            HttpRequest.Builder request = HttpRequest.newBuilder(next).timeout(timeout).GET();
            if (sameOrigin(uri, next)) {
                headers.forEach(request::header);
            }
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            Optional<String> location = response.headers().firstValue("Location");
            if (!isRedirect(response.statusCode()) || location.isEmpty()) {
                return response;
            }
            response.body().close();
            if (hop == MAX_REDIRECTS) {
                throw new BadGatewayException("fetching " + uri + " was redirected more than " + MAX_REDIRECTS + " times");
            }
            next = next.resolve(location.get());
            String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new BadGatewayException("fetching " + uri + " was redirected to a " + scheme + ": location");
            }
        }
    }

    /**
     * GETs {@code uri} into {@code out}, at most {@code maxBytes} of it (past that, {@code tooLarge}
     * is thrown, before reading when the length is declared). Failures are a 502 or the timeout's
     * 502 naming the URL. False when the server has no such file and {@code missingIsFine}.
     */
    public boolean copyTo(HttpClient client, String what, URI uri, Duration timeout, long maxBytes, OutputStream out,
                          Supplier<? extends RuntimeException> tooLarge, boolean missingIsFine) {
        return copyTo(client, what, uri, Map.of(), timeout, maxBytes, out, tooLarge, missingIsFine,
                status -> new BadGatewayException("fetching " + uri + " answered HTTP " + status));
    }

    /**
     * As {@link #copyTo(HttpClient, String, URI, Duration, long, OutputStream, Supplier, boolean)},
     * with {@code headers} for {@code uri}'s host and {@code failure} saying what an answer other than
     * 200 (or a 404 that is fine) means.
     */
    public boolean copyTo(HttpClient client, String what, URI uri, Map<String, String> headers, Duration timeout,
                          long maxBytes, OutputStream out, Supplier<? extends RuntimeException> tooLarge,
                          boolean missingIsFine, IntFunction<? extends RuntimeException> failure) {
        try {
            HttpResponse<InputStream> response = get(client, what, uri, timeout, headers);
            try (InputStream body = response.body()) {
                if (response.statusCode() == 404 && missingIsFine) {
                    return false;
                }
                if (response.statusCode() != 200) {
                    throw failure.apply(response.statusCode());
                }
                if (response.headers().firstValueAsLong("Content-Length").orElse(-1) > maxBytes) {
                    throw tooLarge.get();
                }
                CappedCopy.copy(body, out, maxBytes, tooLarge);
                return true;
            }
        } catch (HttpTimeoutException e) {
            throw new BadGatewayException("fetching " + uri + " took longer than " + timeout.toSeconds() + " s");
        } catch (IOException e) {
            throw new BadGatewayException("fetching " + uri + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BadGatewayException("fetching " + uri + " was interrupted");
        }
    }

    private static boolean sameOrigin(URI first, URI next) {
        return first.getScheme().equalsIgnoreCase(next.getScheme()) && first.getHost() != null
                && first.getHost().equalsIgnoreCase(next.getHost()) && first.getPort() == next.getPort();
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }
}
