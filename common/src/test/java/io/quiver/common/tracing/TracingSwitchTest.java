package io.quiver.common.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tracing is on exactly when an operator names an OTLP endpoint, unless told otherwise outright. */
class TracingSwitchTest {

    /**
     * As Quarkus sets it up: SmallRye's own interceptors (expressions among them), the extension's
     * defaults (SDK on, exporting to localhost), the services' application.properties, and what the
     * operator set above it.
     */
    private static SmallRyeConfig config(Map<String, String> operator) {
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withInterceptors(new TracingSwitch())
                .withDefaultValue(Tracing.SDK_DISABLED, "false")
                .withDefaultValue(TracingSwitch.ENDPOINT, "http://localhost:4317/")
                .withSources(new PropertiesConfigSource(Map.of(Tracing.SDK_DISABLED, "${" + TracingSwitch.DISABLED + "}"),
                        "application.properties", 250))
                .withSources(new PropertiesConfigSource(new HashMap<>(operator), "operator", 300))
                .build();
    }

    private static boolean disabled(Map<String, String> operator) {
        return config(operator).getValue(Tracing.SDK_DISABLED, Boolean.class);
    }

    @Test
    void withNoEndpointTheSdkIsOff() {
        assertEquals(true, disabled(Map.of()));
        assertEquals(true, disabled(Map.of(TracingSwitch.TRACES_ENDPOINT, " ")));
    }

    @Test
    void eitherEndpointTurnsItOn() {
        assertEquals(false, disabled(Map.of(TracingSwitch.TRACES_ENDPOINT, "http://collector:4317")));
        assertEquals(false, disabled(Map.of(TracingSwitch.ENDPOINT, "http://collector:4317")));
    }

    @Test
    void theSdkSettingItselfWins() {
        assertEquals(true, disabled(Map.of(TracingSwitch.ENDPOINT, "http://collector:4317", Tracing.SDK_DISABLED, "true")));
        assertEquals(false, disabled(Map.of(Tracing.SDK_DISABLED, "false")));
    }
}
