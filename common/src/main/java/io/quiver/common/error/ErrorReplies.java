package io.quiver.common.error;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.Json;

/**
 * The one error shape, written straight to a Vert.x response by the routes that run outside
 * JAX-RS (the request gate, the manager's forwarding routes); {@link ErrorMapper} writes the same
 * shape for the JAX-RS endpoints.
 */
public final class ErrorReplies {
    private ErrorReplies() {
    }

    /**
     * Asks the client to close the connection after this answer, when the rest of a refused body
     * would otherwise follow on it. HTTP/1 only: HTTP/2 has no such header and refuses answers
     * that carry it.
     */
    public static void closeAfter(HttpServerRequest request) {
        if (request.version() != HttpVersion.HTTP_2) {
            request.response().putHeader(HttpHeaders.CONNECTION, "close");
        }
    }

    public static void send(HttpServerResponse response, int status, String message, String requestId) {
        response.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Json.encode(new ErrorBody(message, requestId)));
    }

    public static void send(HttpServerResponse response, ApiException e, String requestId) {
        e.headers().forEach(response::putHeader);
        send(response, e.status(), e.getMessage(), requestId);
    }
}
