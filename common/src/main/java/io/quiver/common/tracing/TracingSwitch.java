package io.quiver.common.tracing;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;

/**
 * Tracing is off unless an OTLP endpoint is set: {@code quiver.tracing.disabled} is true when
 * neither {@code quarkus.otel.exporter.otlp.traces.endpoint} nor
 * {@code quarkus.otel.exporter.otlp.endpoint} is set, false when one is. Each service's
 * application.properties sets {@code quarkus.otel.sdk.disabled=${quiver.tracing.disabled}}, so that
 * setting {@code quarkus.otel.sdk.disabled} itself (an environment variable) still wins, and the
 * SDK's autoconfiguration, which Quarkus hands only the {@code quarkus.otel.*} properties that some
 * source names, is told too. Off, Quarkus installs no Vert.x tracer, builds no exporter and starts
 * none of the SDK's processor threads: a service nobody traces pays for none of them (machines as
 * small as 1 GiB run it).
 * <p>
 * Quarkus' own default is on, exporting to localhost:4317: every span of an unconfigured service
 * would go to a collector that is not there.
 * <p>
 * Its priority puts it inside SmallRye's expression interceptor (3300), which resolves
 * {@code ${quiver.tracing.disabled}} through the interceptors after it, and outside the profile
 * interceptor (3200), so that the endpoints it reads may be set per profile.
 */
@Priority(Priorities.LIBRARY + 250)
public final class TracingSwitch implements ConfigSourceInterceptor {
    public static final String DISABLED = "quiver.tracing.disabled";
    static final String TRACES_ENDPOINT = "quarkus.otel.exporter.otlp.traces.endpoint";
    static final String ENDPOINT = "quarkus.otel.exporter.otlp.endpoint";
    /**
     * Values from sources at or below this ordinal are defaults, nobody's choice: Quarkus puts
     * {@code http://localhost:4317/} there for both endpoints (SmallRye's defaults source is at
     * Integer.MIN_VALUE; application.properties is at 250, the environment at 300).
     */
    private static final int DEFAULTS = 0;

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        if (!DISABLED.equals(name)) {
            return context.proceed(name);
        }
        boolean endpoint = set(context.proceed(TRACES_ENDPOINT)) || set(context.proceed(ENDPOINT));
        return ConfigValue.builder()
                .withName(name)
                .withValue(Boolean.toString(!endpoint))
                .withConfigSourceName("tracing switch (on when an OTLP endpoint is set)")
                .build();
    }

    private static boolean set(ConfigValue value) {
        return value != null && value.getConfigSourceOrdinal() > DEFAULTS && value.getValue() != null
                && !value.getValue().isBlank();
    }
}
