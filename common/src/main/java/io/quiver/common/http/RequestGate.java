package io.quiver.common.http;

import io.quarkus.runtime.configuration.MemorySize;
import io.quiver.common.error.ErrorReplies;
import io.quiver.common.error.RequestIds;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Runs before any endpoint: gives the request its id and refuses a declared body over
 * {@code quarkus.http.limits.max-body-size} (each service sets it from its own limit) with the JSON
 * error, before a byte of it is read. A chunked body over the limit is cut by Quarkus itself, with
 * a bare 413.
 */
@ApplicationScoped
public class RequestGate {
    private final long maxBodyBytes;

    RequestGate(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody) {
        this.maxBodyBytes = maxBody.asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(-1000).handler(ctx -> {
            String id = RequestIds.assign(ctx.request());
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && declaredOver(length)) {
                ErrorReplies.closeAfter(ctx.request());
                ErrorReplies.send(ctx.response(), 413,
                        "request body of " + length + " bytes is over the limit of " + maxBodyBytes + " bytes", id);
                return;
            }
            ctx.next();
        });
    }

    private boolean declaredOver(String length) {
        try {
            return Long.parseLong(length.trim()) > maxBodyBytes;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
