package io.quiver.server.protocol.grpc;

import io.grpc.ServerBuilder;
import io.quarkus.grpc.api.ServerBuilderCustomizer;
import io.quarkus.grpc.runtime.config.GrpcServerConfiguration;
import io.quiver.server.config.ServerConfig;
import io.vertx.grpc.server.GrpcServerOptions;
import jakarta.enterprise.context.Dependent;

/**
 * The largest gRPC message a client may send: {@code quiver.grpc.max-message-size}, by default
 * {@code quiver.limits.max-request-size}, the REST limit, so one tensor is refused or taken alike
 * whichever way it comes. A larger message is refused with RESOURCE_EXHAUSTED before it is read.
 * Generic, so that Quarkus' lookup of {@code ServerBuilderCustomizer<?>} finds it (a raw type would
 * not match); CDI takes generic beans only as {@code @Dependent}.
 */
@Dependent
class GrpcMessageLimit<T extends ServerBuilder<T>> implements ServerBuilderCustomizer<T> {
    private final int maxBytes;

    GrpcMessageLimit(ServerConfig config) {
        long bytes = config.grpc().maxMessageSize().orElse(config.limits().maxRequestSize()).asLongValue();
        this.maxBytes = (int) Math.min(bytes, Integer.MAX_VALUE);
    }

    @Override
    public void customize(GrpcServerConfiguration config, T builder) {
        // Only with quarkus.grpc.server.use-separate-server=true; the default serves on the HTTP port.
        builder.maxInboundMessageSize(maxBytes);
    }

    @Override
    public void customize(GrpcServerConfiguration config, GrpcServerOptions options) {
        options.setMaxMessageSize(maxBytes);
    }
}
