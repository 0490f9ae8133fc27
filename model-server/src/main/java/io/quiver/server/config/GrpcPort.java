package io.quiver.server.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import java.util.OptionalInt;
import java.util.Set;

/**
 * {@code quiver.grpc.port}: a port number (8081 by default), gRPC is served on that port of its own
 * by gRPC's own Netty server, which measured 1.2 to 1.7 times the calls per second of the HTTP
 * port's Vert.x bridge for small messages and about 1.6 times for image-sized ones
 * (docs/model-server/grpc.md); {@value #HTTP}, on the HTTP port beside REST.
 * One setting says all, so this gives Quarkus' three from it: {@code quarkus.grpc.server.use-separate-server},
 * {@code quarkus.grpc.server.port} and {@code quarkus.grpc.server.test-port}, the one quarkus-grpc
 * reads instead of {@code port} in test launch mode. Registered in META-INF/services.
 */
public class GrpcPort implements ConfigSourceInterceptor {
    static final String PORT = "quiver.grpc.port";
    /** Beside HTTP's 8080, as MLServer and KServe serve gRPC at 8081. */
    public static final String DEFAULT = "8081";
    public static final String HTTP = "http";
    private static final String SEPARATE = "quarkus.grpc.server.use-separate-server";
    private static final Set<String> SERVER_PORTS = Set.of("quarkus.grpc.server.port", "quarkus.grpc.server.test-port");

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        boolean separate = name.equals(SEPARATE);
        if (!separate && !SERVER_PORTS.contains(name)) {
            return context.proceed(name);
        }
        ConfigValue setting = context.proceed(PORT);
        String value = setting == null || setting.getValue() == null ? DEFAULT : setting.getValue();
        OptionalInt own;
        try {
            own = ownPort(value);
        } catch (IllegalArgumentException e) {
            if (separate) {
                throw e;
            }
            // Said once, for use-separate-server, which every start reads: not again for each port.
            return context.proceed(name);
        }
        if (own.isEmpty() && !separate) {
            return context.proceed(name);
        }
        String mapped = separate ? Boolean.toString(own.isPresent()) : Integer.toString(own.getAsInt());
        return setting == null ? ConfigValue.builder().withName(name).withValue(mapped).build()
                : setting.withName(name).withValue(mapped);
    }

    /**
     * gRPC's own port, or empty when gRPC is served on the HTTP port; anything but a port number or
     * {@value #HTTP} is refused with a message naming the setting, which stops the start.
     */
    public static OptionalInt ownPort(String value) {
        String given = value.trim();
        if (given.equalsIgnoreCase(HTTP)) {
            return OptionalInt.empty();
        }
        try {
            int port = Integer.parseInt(given);
            if (port >= 1 && port <= 65535) {
                return OptionalInt.of(port);
            }
        } catch (NumberFormatException e) {
            // refused below, with the same message as a number out of range
        }
        throw new IllegalArgumentException(PORT + " (QUIVER_GRPC_PORT) must be a port number from 1 to 65535, for gRPC's "
                + "own port, or " + HTTP + ", for gRPC on the HTTP port; it is \"" + value + "\"");
    }
}
