package io.quiver.manager.mesh;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A plain HTTP/1.1 client for the mesh: every call has a timeout, so a hang in the manager fails the
 * test instead of holding it, and every answer carries how long it took.
 */
public final class Http {
    public static final ObjectMapper JSON = new ObjectMapper();
    /** Longer than any answer the manager should ever take; reaching it is a failure. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private volatile String authorization;

    /** Sends {@code Authorization: value} with every request from now on. */
    void authorizeWith(String value) {
        this.authorization = value;
    }

    /** A status, body and headers as they came, and the time from sending to the last byte. */
    public record Answer(int status, String body, HttpHeaders headers, long nanos) {
        public String servedBy() {
            return headers.firstValue("X-Served-By").orElse(null);
        }

        public String requestId() {
            return headers.firstValue("X-Request-Id").orElse(null);
        }

        public double millis() {
            return nanos / 1e6;
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new AssertionError("HTTP " + status + " body is not JSON: " + body, e);
            }
        }

        @Override
        public String toString() {
            return "HTTP " + status + " served by " + servedBy() + " in " + Math.round(millis()) + " ms: " + body;
        }
    }

    public Answer get(URI uri) throws IOException {
        return send(HttpRequest.newBuilder(uri).GET());
    }

    public Answer post(URI uri, String json) throws IOException {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** POST with the client's own request id. */
    public Answer post(URI uri, String json, String requestId) throws IOException {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .header("X-Request-Id", requestId).POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** POST with one more header, such as a sticky key. */
    public Answer post(URI uri, String json, String header, String value) throws IOException {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json").header(header, value)
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Answer put(URI uri, String json) throws IOException {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Answer patch(URI uri, String json) throws IOException {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
    }

    public Answer delete(URI uri) throws IOException {
        return send(HttpRequest.newBuilder(uri).DELETE());
    }

    /** GET for set-up and checks, where an I/O error is a test failure rather than a data point. */
    public JsonNode getJson(URI uri) {
        try {
            Answer answer = get(uri);
            if (answer.status() != 200) {
                throw new AssertionError("GET " + uri + " answered " + answer);
            }
            return answer.json();
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + uri + " failed", e);
        }
    }

    private Answer send(HttpRequest.Builder request) throws IOException {
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = client.send(request.timeout(REQUEST_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body(), response.headers(), System.nanoTime() - start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
