package io.quiver.manager.routing;

import io.vertx.core.buffer.Buffer;

/**
 * A service's answer, passed on as it came: status, content type and the body as the buffer it
 * arrived in, which the forwarding routes write back without copying.
 */
public record Upstream(int status, String contentType, Buffer content, String retryAfter,
                       String inferenceHeaderLength) {
    /** The Open Inference Protocol's header giving the length of a binary body's JSON part. */
    public static final String INFERENCE_HEADER_LENGTH = "Inference-Header-Content-Length";

    public Upstream(int status, String contentType, Buffer content, String retryAfter) {
        this(status, contentType, content, retryAfter, null);
    }

    /** The body's bytes, for the few callers that read an answer (a copy; null when there was none). */
    public byte[] body() {
        return content == null ? null : content.getBytes();
    }
}
