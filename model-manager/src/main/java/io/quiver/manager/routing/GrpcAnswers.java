package io.quiver.manager.routing;

import io.quiver.common.error.ApiException;
import io.quiver.common.grpc.GrpcCodes;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * gRPC answers both ways: a service's answer read into an {@link Upstream}, and what the client gets,
 * the service's answer as it came or the manager's own error status. An error is a Trailers-Only
 * answer: HTTP 200 and one block of headers carrying grpc-status and grpc-message, as gRPC's HTTP/2
 * protocol allows for a call that fails before any message.
 */
public final class GrpcAnswers {
    static final String STATUS = "grpc-status";
    static final String MESSAGE = "grpc-message";
    private static final String CONTENT_TYPE = "application/grpc";
    /** HTTP/2's own headers and what Vert.x writes itself: never copied from one stream to another. */
    private static final Set<String> NOT_PASSED = Set.of("content-length", "connection", "keep-alive",
            "transfer-encoding", "te", "upgrade", "proxy-connection", "host");

    private GrpcAnswers() {
    }

    /** A service's gRPC answer, its status the HTTP status its grpc-status stands for. */
    static Upstream of(HttpClientResponse response, Buffer body) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        MultiMap trailers = MultiMap.caseInsensitiveMultiMap();
        boolean trailersOnly = response.getHeader(STATUS) != null;
        for (Map.Entry<String, String> header : response.headers()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!name.startsWith(":") && !NOT_PASSED.contains(name)) {
                (trailersOnly && !name.equals("content-type") ? trailers : headers).add(name, header.getValue());
            }
        }
        if (!trailersOnly) {
            trailers.addAll(response.trailers());
        }
        if (trailers.get(STATUS) == null) {
            // Not a gRPC answer (an HTTP peer, or a stream cut before its trailers): what a gRPC client
            // would make of it, with the reason a person can read.
            int code = response.statusCode() == 200 ? GrpcCodes.INTERNAL : GrpcCodes.ofBareHttp(response.statusCode());
            trailers.set(STATUS, Integer.toString(code));
            trailers.set(MESSAGE, GrpcCodes.encodeMessage(response.statusCode() == 200
                    ? "the service's answer ended without a grpc-status"
                    : "the service answered HTTP " + response.statusCode() + " instead of a gRPC answer"));
            body = Buffer.buffer();
        }
        int status = GrpcCodes.httpStatus(code(trailers.get(STATUS)));
        return new Upstream(status, CONTENT_TYPE, body, trailers.get("retry-after"), null,
                new Upstream.GrpcMetadata(headers, trailers));
    }

    private static int code(String status) {
        try {
            return Integer.parseInt(status.trim());
        } catch (NumberFormatException e) {
            return GrpcCodes.UNKNOWN;
        }
    }

    /** Writes a forwarded gRPC answer back as it came. */
    static void answer(HttpServerResponse response, Routed routed) {
        Upstream answer = routed.answer();
        Upstream.GrpcMetadata grpc = answer.grpc();
        response.setStatusCode(200).putHeader(Answers.SERVED_BY.toLowerCase(Locale.ROOT), routed.servedBy());
        response.headers().addAll(grpc.headers());
        response.headers().set(HttpHeaders.CONTENT_TYPE, grpc.headers().get(HttpHeaders.CONTENT_TYPE) != null
                ? grpc.headers().get(HttpHeaders.CONTENT_TYPE) : CONTENT_TYPE);
        if (answer.content() == null || answer.content().length() == 0) {
            // Trailers-Only, as the service sent it.
            response.headers().addAll(grpc.trailers());
            response.end();
            return;
        }
        response.trailers().addAll(grpc.trailers());
        response.end(answer.content());
    }

    /** Answers with the status an {@link ApiException}'s HTTP status stands for, and its message. */
    public static void fail(HttpServerResponse response, ApiException error, String requestId) {
        MultiMap extra = MultiMap.caseInsensitiveMultiMap();
        error.headers().forEach((name, value) -> extra.add(name.toLowerCase(Locale.ROOT), value));
        fail(response, GrpcCodes.ofError(error.status()), error.getMessage(), requestId, extra);
    }

    /** Answers with {@code code} and {@code message}, Trailers-Only. */
    public static void fail(HttpServerResponse response, int code, String message, String requestId) {
        fail(response, code, message, requestId, MultiMap.caseInsensitiveMultiMap());
    }

    private static void fail(HttpServerResponse response, int code, String message, String requestId, MultiMap extra) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(200)
                .putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE)
                .putHeader(STATUS, Integer.toString(code))
                .putHeader(MESSAGE, GrpcCodes.encodeMessage(message))
                .putHeader("x-request-id", requestId);
        response.headers().addAll(extra);
        response.end();
    }

    /** Whether a request is a gRPC call, by its content type. */
    public static boolean isGrpc(String contentType) {
        return contentType != null && contentType.regionMatches(true, 0, CONTENT_TYPE, 0, CONTENT_TYPE.length());
    }
}
