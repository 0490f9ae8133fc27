package io.quiver.server.protocol.grpc;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * HTTP/2 flow-control windows on the HTTP port, which carries gRPC: HTTP/2's defaults, 64 KiB for
 * a stream and for the whole connection, make a client stop every 64 KiB of a large message until
 * the server's WINDOW_UPDATE comes back. A 1 MiB stream window and a connection window of several
 * of them let an image-sized message arrive in one go, as gRPC's own server allows by default.
 */
@ApplicationScoped
class Http2Windows implements HttpServerOptionsCustomizer {
    static final int STREAM_WINDOW = 1 << 20;
    static final int CONNECTION_WINDOW = 16 << 20;

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.getInitialSettings().setInitialWindowSize(STREAM_WINDOW);
        options.setHttp2ConnectionWindowSize(CONNECTION_WINDOW);
    }
}
