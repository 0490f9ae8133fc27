package io.quiver.server.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.quiver.common.tracing.Tracing;
import java.util.function.Supplier;

/**
 * One inference request's trace from the thread that took it to the one that runs it: its context
 * (under the server span) and its {@code queue} span, which lasts from queueing to the start of the
 * run. A request that is not traced has none: {@link #queued} gives null, and every static method
 * here takes null for "do nothing".
 */
public final class RequestTrace {
    static final String MODEL = "quiver.model";
    public static final String BATCH_SIZE = "quiver.batch.size";
    public static final String BATCH_ROWS = "quiver.batch.rows";

    private final Tracer tracer;
    private final Context context;
    private final Span queue;

    private RequestTrace(Tracer tracer, Context context, Span queue) {
        this.tracer = tracer;
        this.context = context;
        this.queue = queue;
    }

    /** Runs {@code step} (decoding, validation) in a span of its own under the current one. */
    public static <T> T step(Tracing tracing, String name, String model, Supplier<T> step) {
        if (!tracing.enabled()) {
            return step.get();
        }
        return BatchTrace.within(tracing.tracer().spanBuilder(name).setAttribute(MODEL, model).startSpan(), step);
    }

    /** The trace of a request being queued now for {@code model}; null when tracing is off. */
    public static RequestTrace queued(Tracing tracing, String model) {
        Context context = tracing.current();
        if (context == null) {
            return null;
        }
        Span queue = tracing.tracer().spanBuilder("queue").setParent(context).setAttribute(MODEL, model).startSpan();
        return new RequestTrace(tracing.tracer(), context, queue);
    }

    /** The request was not queued after all (no room, or the version is being replaced): its queue span ends failed. */
    public static void notQueued(RequestTrace trace, String reason) {
        if (trace != null) {
            trace.queue.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR, reason);
            trace.queue.end();
        }
    }

    /** The request's run starts, alone or in a run of {@code requests} requests. */
    public static void dequeued(RequestTrace trace, int requests) {
        if (trace != null) {
            trace.queue.setAttribute(BATCH_SIZE, requests);
            trace.queue.end();
        }
    }

    Tracer tracer() {
        return tracer;
    }

    /** The request's own context: what the spans of its run hang from. */
    Context context() {
        return context;
    }

    /** Runs {@code run} on ONNX Runtime in an {@code onnx.run} span under the request; as is when not traced. */
    public static <T> T run(RequestTrace trace, String model, int rows, Supplier<T> run) {
        if (trace == null) {
            return run.get();
        }
        return BatchTrace.onnx(trace.tracer, trace.context, model, rows, run);
    }
}
