package io.quiver.common.http;

import io.quarkus.runtime.configuration.MemorySize;
import io.quiver.common.error.ErrorReplies;
import io.quiver.common.error.RequestIds;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Runs before any endpoint: gives the request its id and refuses a declared body over
 * {@code quarkus.http.limits.max-body-size} (each service sets it from its own limit) with the JSON
 * error, before a byte of it is read. A chunked body declares no length: it is read here, whole,
 * and refused with the same error once it passes the limit; the endpoint then finds it read.
 */
@ApplicationScoped
public class RequestGate {
    private final long maxBodyBytes;

    RequestGate(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody) {
        this.maxBodyBytes = maxBody.asLongValue();
    }

    void install(@Observes Router router) {
        BodyHandler chunkedBodies = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
        router.route().order(-1000).handler(ctx -> {
            String id = RequestIds.assign(ctx.request());
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && declaredOver(length)) {
                ErrorReplies.closeAfter(ctx.request());
                ErrorReplies.send(ctx.response(), 413,
                        "request body of " + length + " bytes is over the limit of " + maxBodyBytes + " bytes", id);
                return;
            }
            if (grpc(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
                // A gRPC call's messages are read as they stream, each against the gRPC server's
                // own message limit, which answers in gRPC's terms (RESOURCE_EXHAUSTED).
                ctx.next();
                return;
            }
            if (length == null && mayCarryBody(ctx.request().method())) {
                chunkedBodies.handle(ctx);
                return;
            }
            ctx.next();
        });
        router.route().order(-1000).failureHandler(ctx -> {
            if (ctx.statusCode() == 413 && !ctx.response().headWritten()) {
                ErrorReplies.closeAfter(ctx.request());
                ErrorReplies.send(ctx.response(), 413, "request body is over the limit of " + maxBodyBytes + " bytes",
                        RequestIds.of(ctx.request()));
                return;
            }
            ctx.next();
        });
    }

    private static boolean grpc(String contentType) {
        return contentType != null && contentType.startsWith("application/grpc");
    }

    /** Sent in HTTP/1.1 chunks or in HTTP/2 frames, a body need not declare its length. */
    private static boolean mayCarryBody(HttpMethod method) {
        return method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH;
    }

    private boolean declaredOver(String length) {
        try {
            return Long.parseLong(length.trim()) > maxBodyBytes;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
