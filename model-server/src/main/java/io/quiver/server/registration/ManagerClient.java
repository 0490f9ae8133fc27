package io.quiver.server.registration;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The model-manager's service registry API: register, heartbeat and deregister calls and their answers. */
final class ManagerClient {
    /** What the manager answered; the body is kept to show in the log when a call is refused. */
    record Answer(int status, String body) {
        boolean succeeded() {
            return status >= 200 && status < 300;
        }

        @Override
        public String toString() {
            String shown = body.length() > 300 ? body.substring(0, 300) + "..." : body;
            return "HTTP " + status + (shown.isBlank() ? "" : ": " + shown);
        }
    }

    private HttpClient http;
    private final String base;
    private final Duration timeout;
    private final String token;

    ManagerClient(URI manager, Duration timeout) {
        this(manager, timeout, null);
    }

    /**
     * @param timeout the longest a register or heartbeat call may take, connecting included
     * @param token   the bearer token the manager asks for, or null when it asks for none
     */
    ManagerClient(URI manager, Duration timeout, String token) {
        this.token = token;
        String url = manager.toString();
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.timeout = timeout;
    }

    /**
     * Built at the first call, on the registration thread: building a client sets up the JDK's TLS
     * defaults, about a tenth of a second that start-up would otherwise wait for.
     */
    private synchronized HttpClient http() {
        if (http == null) {
            // The manager is a plain HTTP/1.1 service; asking it to upgrade to HTTP/2 on each call gains nothing.
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
        }
        return http;
    }

    Answer register(byte[] body) throws IOException {
        return send(json("/services/register").POST(HttpRequest.BodyPublishers.ofByteArray(body)), timeout);
    }

    Answer heartbeat(String serviceId, byte[] body) throws IOException {
        return send(json("/services/" + segment(serviceId) + "/heartbeat")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)), timeout);
    }

    Answer deregister(String serviceId, Duration within) throws IOException {
        return send(request("/services/" + segment(serviceId)).DELETE(), within);
    }

    String url() {
        return base;
    }

    private HttpRequest.Builder json(String path) {
        return request(path).header("Content-Type", "application/json");
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "application/json");
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    /**
     * Waits on the answer with a hard deadline: the request timeout alone does not bound every phase
     * of a call, and shutdown must not wait on a manager that accepts connections but never answers.
     */
    private Answer send(HttpRequest.Builder builder, Duration within) throws IOException {
        CompletableFuture<HttpResponse<String>> call =
                http().sendAsync(builder.timeout(within).build(), HttpResponse.BodyHandlers.ofString());
        try {
            HttpResponse<String> response = call.get(within.toMillis(), TimeUnit.MILLISECONDS);
            return new Answer(response.statusCode(), response.body() == null ? "" : response.body());
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new HttpTimeoutException("no answer within " + within.toMillis() + " ms");
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the model-manager");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException) {
                throw (IOException) cause;
            }
            throw new IOException(cause);
        }
    }

    /** A service id chosen by configuration may hold characters that a URL path cannot. */
    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
