package io.quiver.common.http;

import io.netty.channel.ChannelPipeline;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Fits a {@link PipelineValve} into every HTTP/1.x connection when its first request reaches the
 * router, so that a client pipelining requests is served one request at a time and is not read
 * further while its requests wait (the valve says why). Quarkus gives no hook on a connection or its
 * Netty pipeline, hence the first route: it runs on the connection's event loop while Netty decodes
 * that first request, so the valve is in place before the next request of the same read is handed on.
 */
@ApplicationScoped
public class PipelineValves {
    /** The name Vert.x gives its own handler, the last of an HTTP/1.x pipeline. */
    private static final String VERTX_HANDLER = "handler";

    void install(@Observes Router router) {
        // First of all routes (the request gate is -1000 and may answer at once): the valve takes this
        // request for one being answered, so it must be fitted before anything answers it.
        router.route().order(-1001).handler(ctx -> {
            fit(ctx.request());
            ctx.next();
        });
    }

    private static void fit(HttpServerRequest request) {
        // HTTP/2 (gRPC on the same port) has flow control of its own, per stream and per connection.
        if (request.version() == HttpVersion.HTTP_2) {
            return;
        }
        HttpConnection connection = request.connection();
        if (!(connection instanceof ConnectionBase base)) {
            return;
        }
        ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
        if (pipeline.get(PipelineValve.NAME) == null && pipeline.get(VERTX_HANDLER) != null) {
            pipeline.addBefore(VERTX_HANDLER, PipelineValve.NAME, new PipelineValve(connection, true));
        }
    }
}
