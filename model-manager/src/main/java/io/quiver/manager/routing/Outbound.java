package io.quiver.manager.routing;

import io.vertx.core.http.HttpMethod;

/** A request to forward as it came: method, path with query, body bytes and their content type. */
public record Outbound(HttpMethod method, String pathAndQuery, String contentType, byte[] body, String requestId) {
}
