package io.quiver.manager.routing;

/** A service's answer, passed on as it came: status, content type and the bytes of the body. */
public record Upstream(int status, String contentType, byte[] body, String retryAfter) {
}
