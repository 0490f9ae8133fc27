package io.quiver.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code quiver.grpc.port} decides where gRPC is served, over what application.properties says. */
class GrpcPortTest {
    private static final Map<String, String> APPLICATION = Map.of(
            "quarkus.grpc.server.use-separate-server", "false",
            "quarkus.grpc.server.port", "9000");

    @Test
    void withoutItGrpcStaysOnTheHttpPort() {
        SmallRyeConfig config = config(Map.of());
        assertEquals("false", config.getRawValue("quarkus.grpc.server.use-separate-server"));
        assertEquals("9000", config.getRawValue("quarkus.grpc.server.port"));
    }

    @Test
    void withItGrpcGetsThatPortOfItsOwn() {
        SmallRyeConfig config = config(Map.of("quiver.grpc.port", "9123"));
        assertEquals("true", config.getRawValue("quarkus.grpc.server.use-separate-server"));
        assertEquals("9123", config.getRawValue("quarkus.grpc.server.port"));
    }

    @Test
    void aBlankValueCountsAsUnset() {
        SmallRyeConfig config = config(Map.of("quiver.grpc.port", " "));
        assertEquals("false", config.getRawValue("quarkus.grpc.server.use-separate-server"));
    }

    private static SmallRyeConfig config(Map<String, String> given) {
        Map<String, String> properties = new HashMap<>(APPLICATION);
        properties.putAll(given);
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(properties, "test", 100))
                .withInterceptors(new GrpcPort()).build();
    }
}
