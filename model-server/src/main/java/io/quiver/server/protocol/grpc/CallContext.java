package io.quiver.server.protocol.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import io.quiver.common.error.RequestIds;
import io.quiver.common.grpc.GrpcCodes;
import io.quiver.server.warmup.RequestPathWarmup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What every call carries beside its message. Its request id, as every REST request has one: the
 * client's {@code x-request-id} metadata when it sends a sane one, else a new one, answered in the
 * response headers and trailers. And its deadline: served on the HTTP port, the call reaches the
 * service through Vert.x's bridge, which leaves {@code Context.current().getDeadline()} empty, so
 * the client's {@code grpc-timeout} is read here. And whether it is one of the server's own
 * warm-up calls ({@link RequestPathWarmup}), which no statistic counts.
 */
@GlobalInterceptor
@ApplicationScoped
class CallContext implements ServerInterceptor {
    private static final Context.Key<String> ID = Context.key("quiver-request-id");
    private static final Context.Key<Deadline> DEADLINE = Context.key("quiver-deadline");
    private static final Context.Key<Boolean> WARMUP = Context.key("quiver-warmup");
    private static final Metadata.Key<String> WARMUP_MARK = Metadata.Key.of(
            RequestPathWarmup.HEADER.toLowerCase(Locale.ROOT), Metadata.ASCII_STRING_MARSHALLER);

    private final RequestPathWarmup warmup;

    CallContext(RequestPathWarmup warmup) {
        this.warmup = warmup;
    }
    private static final Metadata.Key<String> TIMEOUT = Metadata.Key.of("grpc-timeout",
            Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                       ServerCallHandler<Q, A> next) {
        String id = RequestIds.orNew(headers.get(GrpcErrors.REQUEST_ID));
        ServerCall<Q, A> answering = new SimpleForwardingServerCall<>(call) {
            @Override
            public void sendHeaders(Metadata responseHeaders) {
                responseHeaders.put(GrpcErrors.REQUEST_ID, id);
                super.sendHeaders(responseHeaders);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                if (!trailers.containsKey(GrpcErrors.REQUEST_ID)) {
                    trailers.put(GrpcErrors.REQUEST_ID, id);
                }
                super.close(status, trailers);
            }
        };
        Context context = Context.current().withValue(ID, id);
        if (warmup.sentBy(headers.get(WARMUP_MARK))) {
            context = context.withValue(WARMUP, Boolean.TRUE);
        }
        Deadline deadline = Context.current().getDeadline();
        if (deadline == null) {
            deadline = deadline(headers.get(TIMEOUT));
        }
        if (deadline != null) {
            context = context.withValue(DEADLINE, deadline);
        }
        return Contexts.interceptCall(context, answering, headers, next);
    }

    /** The current call's request id. */
    static String requestId() {
        return ID.get();
    }

    /** Whether the current call is one of the server's own warm-up calls, counted in no statistic. */
    static boolean warmup() {
        return Boolean.TRUE.equals(WARMUP.get());
    }

    /** The current call's deadline; null when the client set none. */
    static Deadline deadline() {
        return DEADLINE.get();
    }

    /** A {@code grpc-timeout} value as a deadline from now; null when absent or malformed. */
    static Deadline deadline(String timeout) {
        long nanos = GrpcCodes.timeoutNanos(timeout);
        return nanos < 0 ? null : Deadline.after(nanos, TimeUnit.NANOSECONDS);
    }
}
