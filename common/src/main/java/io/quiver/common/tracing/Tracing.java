package io.quiver.common.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.util.function.BiConsumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Whether this service traces, its tracer, and the hand-over of a trace: to another thread (the
 * {@link #current()} context, carried along) and to another service (the W3C {@code traceparent}
 * header, {@link #inject}). Off, code makes no span at all and carries no context: not even the
 * SDK's unexported ones, which cost an allocation per span for nothing. A service without the
 * OpenTelemetry extension is always off.
 */
@Singleton
public class Tracing {
    public static final String SDK_DISABLED = "quarkus.otel.sdk.disabled";
    private static final TextMapSetter<BiConsumer<String, String>> HEADERS = (headers, name, value) -> headers.accept(name, value);

    private final boolean enabled;
    private final OpenTelemetry openTelemetry;
    private final Tracer tracer;

    Tracing(Instance<OpenTelemetry> openTelemetry, @ConfigProperty(name = SDK_DISABLED, defaultValue = "true") boolean disabled) {
        this.enabled = !disabled && openTelemetry.isResolvable();
        this.openTelemetry = enabled ? openTelemetry.get() : OpenTelemetry.noop();
        this.tracer = this.openTelemetry.getTracer("io.quiver");
    }

    public boolean enabled() {
        return enabled;
    }

    public Tracer tracer() {
        return tracer;
    }

    /** The trace this thread works for, to carry to another; null when tracing is off. */
    public Context current() {
        return enabled ? Context.current() : null;
    }

    /** Adds the headers that continue {@code context}'s trace in another service; nothing when off or null. */
    public void inject(Context context, BiConsumer<String, String> headers) {
        if (enabled && context != null) {
            openTelemetry.getPropagators().getTextMapPropagator().inject(context, headers, HEADERS);
        }
    }
}
