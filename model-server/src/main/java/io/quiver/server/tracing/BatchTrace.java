package io.quiver.server.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The {@code batch} span of one run of a batching model, and the {@code onnx.run} spans under it. A
 * run serves several requests, each of its own trace: the span is the child of the oldest request's
 * and links to every other one's, so that each request's trace leads to the run that served it. Null
 * stands for a run of which no request is traced; the static methods take it and do nothing.
 */
public final class BatchTrace {
    private final Tracer tracer;
    private final Span span;

    private BatchTrace(Tracer tracer, Span span) {
        this.tracer = tracer;
        this.span = span;
    }

    /** The span of a run serving {@code requests} ({@code trace} of each, null where not traced); null when none is. */
    public static <T> BatchTrace of(List<T> requests, Function<T, RequestTrace> trace, String model, int rows) {
        RequestTrace first = null;
        for (T request : requests) {
            first = trace.apply(request);
            if (first != null) {
                break;
            }
        }
        if (first == null) {
            return null;
        }
        SpanBuilder builder = first.tracer().spanBuilder("batch").setParent(first.context())
                .setAttribute(RequestTrace.MODEL, model)
                .setAttribute(RequestTrace.BATCH_SIZE, requests.size())
                .setAttribute(RequestTrace.BATCH_ROWS, rows);
        for (T request : requests) {
            RequestTrace other = trace.apply(request);
            if (other != null && other != first) {
                builder.addLink(Span.fromContext(other.context()).getSpanContext());
            }
        }
        return new BatchTrace(first.tracer(), builder.startSpan());
    }

    /** Runs {@code run} on ONNX Runtime in an {@code onnx.run} span under the batch; as is when not traced. */
    public static <T> T run(BatchTrace batch, String model, int rows, Supplier<T> run) {
        if (batch == null) {
            return run.get();
        }
        return onnx(batch.tracer, Context.root().with(batch.span), model, rows, run);
    }

    /** Ends the batch's span; {@code failure} when the run failed for every request in it. */
    public static void end(BatchTrace batch, Throwable failure) {
        if (batch != null) {
            if (failure != null) {
                batch.span.recordException(failure);
                batch.span.setStatus(StatusCode.ERROR);
            }
            batch.span.end();
        }
    }

    static <T> T onnx(Tracer tracer, Context parent, String model, int rows, Supplier<T> run) {
        return within(tracer.spanBuilder("onnx.run").setParent(parent)
                .setAttribute(RequestTrace.MODEL, model)
                .setAttribute(RequestTrace.BATCH_ROWS, rows)
                .startSpan(), run);
    }

    /** Runs {@code run} with {@code span} current, and ends it, marked failed if {@code run} threw. */
    static <T> T within(Span span, Supplier<T> run) {
        try (Scope ignored = span.makeCurrent()) {
            return run.get();
        } catch (RuntimeException | Error e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            span.end();
        }
    }
}
