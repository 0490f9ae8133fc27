package io.quiver.server.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;

/**
 * {@code quiver.grpc.port}: unset, gRPC is served on the HTTP port; set, on its own port by gRPC's
 * own Netty server, which measured 1.2 to 1.7 times the calls per second for small messages and the
 * same for large ones (docs/model-server/grpc.md).
 * One setting says both, so this gives Quarkus' two ({@code quarkus.grpc.server.use-separate-server}
 * and {@code quarkus.grpc.server.port}) from it. Registered in META-INF/services.
 */
public class GrpcPort implements ConfigSourceInterceptor {
    static final String PORT = "quiver.grpc.port";
    private static final String SEPARATE = "quarkus.grpc.server.use-separate-server";
    private static final String SERVER_PORT = "quarkus.grpc.server.port";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        if (name.equals(SEPARATE) || name.equals(SERVER_PORT)) {
            ConfigValue port = context.proceed(PORT);
            if (port != null && port.getValue() != null && !port.getValue().isBlank()) {
                return port.withName(name).withValue(name.equals(SEPARATE) ? "true" : port.getValue().trim());
            }
        }
        return context.proceed(name);
    }
}
