package io.quiver.common.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tracing is on exactly when an operator names an OTLP endpoint, unless told otherwise outright. */
class TracingSwitchTest {

    /** As Quarkus sets it up: the extension's default (SDK on) below what the operator wrote. */
    private static SmallRyeConfig config(Map<String, String> operator) {
        return new SmallRyeConfigBuilder()
                .withInterceptors(new TracingSwitch())
                .withDefaultValue(Tracing.SDK_DISABLED, "false")
                .withSources(new PropertiesConfigSource(operator, "operator", 300))
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

    /** Quarkus passes on to the SDK only the settings it finds by name: unnamed, the SDK would start its threads. */
    @Test
    void theSwitchIsAmongTheNamedSettings() {
        List<String> names = new ArrayList<>();
        config(Map.of()).getPropertyNames().forEach(names::add);
        assertTrue(names.contains(Tracing.SDK_DISABLED), names.toString());
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
