package io.quiver.common.tracing;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Tracing is off unless an OTLP endpoint is set: {@code quarkus.otel.sdk.disabled} is true when
 * neither {@code quarkus.otel.exporter.otlp.traces.endpoint} nor
 * {@code quarkus.otel.exporter.otlp.endpoint} is set, false when one is. Setting the property
 * itself still wins. Off, Quarkus installs no Vert.x tracer and builds no exporter, so a service
 * that nobody traces pays for neither, nor for their threads (machines as small as 1 GiB run it).
 * <p>
 * Quarkus' own default is on with an exporter to localhost:4317, which would send every span of an
 * unconfigured service to a collector that is not there.
 */
public final class TracingSwitch implements ConfigSourceInterceptor {
    static final String TRACES_ENDPOINT = "quarkus.otel.exporter.otlp.traces.endpoint";
    static final String ENDPOINT = "quarkus.otel.exporter.otlp.endpoint";
    /** Sources at or below this ordinal only hold defaults (SmallRye's mapping defaults are at Integer.MIN_VALUE). */
    private static final int DEFAULTS = 0;

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        if (!Tracing.SDK_DISABLED.equals(name) || value != null && value.getConfigSourceOrdinal() > DEFAULTS) {
            return value;
        }
        boolean endpoint = set(context.proceed(TRACES_ENDPOINT)) || set(context.proceed(ENDPOINT));
        return ConfigValue.builder()
                .withName(name)
                .withValue(Boolean.toString(!endpoint))
                .withConfigSourceName("tracing switch (on when an OTLP endpoint is set)")
                .withConfigSourceOrdinal(DEFAULTS)
                .build();
    }

    /**
     * The names configured, with {@code quarkus.otel.sdk.disabled} among them even when no source
     * sets it: Quarkus hands the OpenTelemetry SDK's autoconfiguration only the {@code quarkus.otel.*}
     * properties it finds by name, and an SDK not told it is disabled starts its span and log
     * processors' threads all the same.
     */
    @Override
    public Iterator<String> iterateNames(ConfigSourceInterceptorContext context) {
        Set<String> names = new LinkedHashSet<>();
        context.iterateNames().forEachRemaining(names::add);
        names.add(Tracing.SDK_DISABLED);
        return names.iterator();
    }

    private static boolean set(ConfigValue value) {
        return value != null && value.getValue() != null && !value.getValue().isBlank();
    }
}
