package io.quiver.manager.routing;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * A request to forward as it came: method, path with query, body and its content type. The body
 * is the buffer the request arrived in, sent on as it is, and again on a retry.
 * A request that is not {@code idempotent} (it starts a job) is retried only when it surely never
 * reached a service: a refused connection, or a 503 saying it was not taken. A {@code shadow} copy
 * takes none of a service's {@code max_concurrent_requests} slots: those are the clients'; see
 * {@link Dispatcher} for when it moves on to another replica.
 * <p>
 * A gRPC call (its content type is {@code application/grpc...}) goes to the service's gRPC address
 * over HTTP/2 with {@code headers} (its encoding metadata) passed on; {@code deadlineNanos}, the
 * client's deadline on {@link System#nanoTime()}'s clock (0 for none), bounds every attempt and
 * stops retries once it has passed.
 */
public record Outbound(HttpMethod method, String pathAndQuery, String contentType, Buffer content, String requestId,
                       boolean idempotent, boolean shadow, String inferenceHeaderLength, MultiMap headers,
                       long deadlineNanos) {

    public Outbound(HttpMethod method, String pathAndQuery, String contentType, Buffer content, String requestId,
                    boolean idempotent, boolean shadow) {
        this(method, pathAndQuery, contentType, content, requestId, idempotent, shadow, null, null, 0);
    }

    public Outbound(HttpMethod method, String pathAndQuery, String contentType, Buffer content, String requestId,
                    boolean idempotent) {
        this(method, pathAndQuery, contentType, content, requestId, idempotent, false);
    }

    public Outbound(HttpMethod method, String pathAndQuery, String contentType, byte[] body, String requestId,
                    boolean idempotent) {
        this(method, pathAndQuery, contentType, body == null ? null : Buffer.buffer(body), requestId, idempotent);
    }

    public Outbound(HttpMethod method, String pathAndQuery, String contentType, byte[] body, String requestId) {
        this(method, pathAndQuery, contentType, body, requestId, true);
    }

    /** A gRPC call to forward: always idempotent, the way the V2 REST inference requests are. */
    public static Outbound grpc(String path, String contentType, Buffer message, String requestId, MultiMap headers,
                                long deadlineNanos) {
        return new Outbound(HttpMethod.POST, path, contentType, message, requestId, true, false, null, headers,
                deadlineNanos);
    }

    /** The same request as a shadow copy. */
    public Outbound asShadow() {
        return new Outbound(method, pathAndQuery, contentType, content, requestId, idempotent, true,
                inferenceHeaderLength, headers, deadlineNanos);
    }

    /**
     * The same request with the Open Inference Protocol's {@code Inference-Header-Content-Length}
     * (the length of a binary request's JSON part) to pass on; null when the client sent none.
     */
    public Outbound withInferenceHeaderLength(String length) {
        return new Outbound(method, pathAndQuery, contentType, content, requestId, idempotent, shadow, length, headers,
                deadlineNanos);
    }

    public boolean grpc() {
        return GrpcAnswers.isGrpc(contentType);
    }

    /** Milliseconds left before the client's deadline, at most {@code limit}; {@code limit} when it set none. */
    long millisLeft(long limit) {
        if (deadlineNanos == 0) {
            return limit;
        }
        return Math.min(limit, (deadlineNanos - System.nanoTime()) / 1_000_000);
    }

    public static Outbound withoutBody(HttpMethod method, String pathAndQuery, String requestId, boolean idempotent) {
        return new Outbound(method, pathAndQuery, null, (Buffer) null, requestId, idempotent);
    }
}
