package io.quiver.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** {@code quiver.grpc.port} decides where gRPC is served, over what application.properties says. */
class GrpcPortTest {
    private static final Map<String, String> APPLICATION = Map.of(
            "quarkus.grpc.server.use-separate-server", "false",
            "quarkus.grpc.server.port", "9000",
            "quarkus.grpc.server.test-port", "9001");

    @Test
    void byDefaultGrpcHasPort8081OfItsOwnInEveryLaunchMode() {
        SmallRyeConfig config = config(Map.of());
        assertEquals("true", config.getRawValue("quarkus.grpc.server.use-separate-server"));
        assertEquals("8081", config.getRawValue("quarkus.grpc.server.port"));
        assertEquals("8081", config.getRawValue("quarkus.grpc.server.test-port"));
    }

    @Test
    void aPortNumberIsGrpcsOwnPortInEveryLaunchMode() {
        SmallRyeConfig config = config(Map.of("quiver.grpc.port", " 9123 "));
        assertEquals("true", config.getRawValue("quarkus.grpc.server.use-separate-server"));
        assertEquals("9123", config.getRawValue("quarkus.grpc.server.port"));
        assertEquals("9123", config.getRawValue("quarkus.grpc.server.test-port"));
        assertEquals(OptionalInt.of(9123), GrpcPort.ownPort(" 9123 "));
    }

    @Test
    void httpServesGrpcOnTheHttpPort() {
        SmallRyeConfig config = config(Map.of("quiver.grpc.port", "http"));
        assertEquals("false", config.getRawValue("quarkus.grpc.server.use-separate-server"));
        assertEquals(OptionalInt.empty(), GrpcPort.ownPort("HTTP"));
    }

    @Test
    void anythingElseIsRefusedWithAMessageNamingTheSetting() {
        for (String bad : new String[] {"0", "65536", "-1", "grpc", "8081x"}) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> GrpcPort.ownPort(bad));
            assertTrue(refused.getMessage().startsWith("quiver.grpc.port (QUIVER_GRPC_PORT) must be a port number"),
                    refused.getMessage());
            assertTrue(refused.getMessage().endsWith("\"" + bad + "\""), refused.getMessage());
            SmallRyeConfig config = config(Map.of("quiver.grpc.port", bad));
            assertThrows(IllegalArgumentException.class, () -> config.getRawValue("quarkus.grpc.server.use-separate-server"));
            assertEquals("9000", config.getRawValue("quarkus.grpc.server.port"), "refused once, not for every port too");
        }
    }

    private static SmallRyeConfig config(Map<String, String> given) {
        Map<String, String> properties = new HashMap<>(APPLICATION);
        properties.putAll(given);
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(properties, "test", 100))
                .withInterceptors(new GrpcPort()).build();
    }
}
