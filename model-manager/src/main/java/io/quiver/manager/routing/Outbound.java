package io.quiver.manager.routing;

import io.vertx.core.http.HttpMethod;

/**
 * A request to forward as it came: method, path with query, body bytes and their content type.
 * A request that is not {@code idempotent} (it starts a job) is retried only when it surely never
 * reached a service: a refused connection, or a 503 saying it was not taken.
 */
public record Outbound(HttpMethod method, String pathAndQuery, String contentType, byte[] body, String requestId,
                       boolean idempotent) {

    public Outbound(HttpMethod method, String pathAndQuery, String contentType, byte[] body, String requestId) {
        this(method, pathAndQuery, contentType, body, requestId, true);
    }
}
