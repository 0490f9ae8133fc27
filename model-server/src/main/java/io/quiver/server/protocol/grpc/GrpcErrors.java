package io.quiver.server.protocol.grpc;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quiver.common.error.ApiException;
import io.quiver.common.error.RequestIds;
import io.quiver.common.grpc.GrpcCodes;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The one place a failure becomes a gRPC status, as Triton and KServe map them: a bad request is
 * INVALID_ARGUMENT, an unknown model or version NOT_FOUND, a full queue UNAVAILABLE (with the REST
 * answer's Retry-After as {@code retry-after} metadata), an oversized message RESOURCE_EXHAUSTED,
 * the client's deadline DEADLINE_EXCEEDED. The message is the one the REST error body carries; the
 * request id travels as {@code x-request-id} metadata.
 */
final class GrpcErrors {
    private static final Logger LOG = Logger.getLogger(GrpcErrors.class);
    static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of(RequestIds.HEADER.toLowerCase(Locale.ROOT),
            Metadata.ASCII_STRING_MARSHALLER);

    private GrpcErrors() {
    }

    static StatusRuntimeException of(Throwable failure, String requestId) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        Metadata trailers = new Metadata();
        trailers.put(REQUEST_ID, requestId);
        Status status;
        if (cause instanceof ApiException api) {
            status = code(api.status()).withDescription(api.getMessage());
            for (Map.Entry<String, String> header : api.headers().entrySet()) {
                trailers.put(Metadata.Key.of(header.getKey().toLowerCase(Locale.ROOT), Metadata.ASCII_STRING_MARSHALLER),
                        header.getValue());
            }
        } else if (cause instanceof TimeoutException) {
            status = Status.DEADLINE_EXCEEDED.withDescription("the call's deadline passed before the model answered");
        } else if (cause instanceof StatusRuntimeException grpc) {
            return grpc;
        } else {
            LOG.errorf(cause, "gRPC request %s failed", requestId);
            status = Status.INTERNAL.withDescription("internal error; see the server log for request " + requestId);
        }
        return status.asRuntimeException(trailers);
    }

    /** The gRPC code of an HTTP status, as Triton's HTTP and gRPC frontends pair them. */
    static Status code(int httpStatus) {
        return Status.fromCodeValue(GrpcCodes.ofError(httpStatus));
    }
}
