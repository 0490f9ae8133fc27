package io.quiver.manager.routing;

import io.vertx.core.buffer.Buffer;

/**
 * A service's answer, passed on as it came: status, content type and the body as the buffer it
 * arrived in, which the forwarding routes write back without copying.
 */
public record Upstream(int status, String contentType, Buffer content, String retryAfter) {

    /** The body's bytes, for the few callers that read an answer (a copy; null when there was none). */
    public byte[] body() {
        return content == null ? null : content.getBytes();
    }
}
