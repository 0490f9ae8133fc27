package io.quiver.manager.routing;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * A service's answer, passed on as it came: status, content type and the body as the buffer it
 * arrived in, which the forwarding routes write back without copying.
 * <p>
 * A gRPC answer also keeps its metadata ({@code grpc}: the headers and the trailers with grpc-status
 * and grpc-message); its {@code status} is then the HTTP status that grpc-status stands for
 * (UNAVAILABLE is 503, INVALID_ARGUMENT 400, OK 200), so that retries, breakers and metrics judge
 * both protocols alike. The client still gets the gRPC answer as it came. Null: an HTTP/1.1 answer.
 */
public record Upstream(int status, String contentType, Buffer content, String retryAfter,
                       String inferenceHeaderLength, GrpcMetadata grpc) {
    /** The Open Inference Protocol's header giving the length of a binary body's JSON part. */
    public static final String INFERENCE_HEADER_LENGTH = "Inference-Header-Content-Length";

    public Upstream(int status, String contentType, Buffer content, String retryAfter) {
        this(status, contentType, content, retryAfter, null, null);
    }

    public Upstream(int status, String contentType, Buffer content, String retryAfter, String inferenceHeaderLength) {
        this(status, contentType, content, retryAfter, inferenceHeaderLength, null);
    }

    /** A gRPC answer's metadata: its headers (less HTTP/2's own) and trailers, grpc-status among them. */
    public record GrpcMetadata(MultiMap headers, MultiMap trailers) {
    }

    /** The body's bytes, for the few callers that read an answer (a copy; null when there was none). */
    public byte[] body() {
        return content == null ? null : content.getBytes();
    }
}
