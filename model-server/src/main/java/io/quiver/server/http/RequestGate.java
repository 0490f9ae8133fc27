package io.quiver.server.http;

import io.quiver.server.config.ServerConfig;
import io.quiver.common.error.ErrorBody;
import io.quiver.common.error.RequestIds;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Runs before any endpoint: gives the request its id and refuses a declared body over the limit
 * with the JSON error, before a byte of it is read. Chunked bodies are cut by Quarkus at the same
 * limit ({@code quarkus.http.limits.max-body-size}).
 */
@ApplicationScoped
public class RequestGate {
    private final long maxBodyBytes;

    RequestGate(ServerConfig config) {
        this.maxBodyBytes = config.limits().maxRequestSize().asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(-1000).handler(ctx -> {
            String id = RequestIds.assign(ctx.request());
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && declaredOver(length)) {
                ctx.response().setStatusCode(413)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .putHeader(HttpHeaders.CONNECTION, "close")
                        .end(Json.encode(new ErrorBody(
                                "request body of " + length + " bytes is over the limit of " + maxBodyBytes
                                        + " bytes (quiver.limits.max-request-size)", id)));
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
