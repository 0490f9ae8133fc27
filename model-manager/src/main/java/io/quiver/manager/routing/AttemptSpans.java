package io.quiver.manager.routing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.quiver.common.tracing.Tracing;
import io.quiver.manager.registry.Replica;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * The trace of a forwarded request (docs/operations.md, "Tracing"): the model type and the number
 * of candidate services on the request's server span, and one client span per attempt under it,
 * naming the service, the attempt, its breaker's state and decision, the answer and whether a retry
 * followed. With tracing off every method does nothing and the request carries no context.
 */
@Singleton
class AttemptSpans {
    static final String REPLICA = "quiver.replica";
    static final String ATTEMPT = "quiver.attempt";
    static final String BREAKER_STATE = "quiver.breaker.state";
    static final String BREAKER_DECISION = "quiver.breaker.decision";
    static final String RETRY = "quiver.retry";

    private final Tracing tracing;

    AttemptSpans(Tracing tracing) {
        this.tracing = tracing;
    }

    /** The context the request's attempts start from, its span told what is routed; null when tracing is off. */
    Context routing(String type, int candidates) {
        Context request = tracing.current();
        if (request != null) {
            Span.fromContext(request).setAttribute("quiver.model_type", type).setAttribute("quiver.candidates", candidates);
        }
        return request;
    }

    /** A client span for attempt {@code number} (0 for the first) under {@code request}; null when that is. */
    Span start(Context request, Replica replica, int number, Outbound outbound) {
        if (request == null) {
            return null;
        }
        return tracing.tracer().spanBuilder("forward " + outbound.method().name())
                .setParent(request)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute("http.request.method", outbound.method().name())
                .setAttribute("url.full", replica.record().serviceUrl() + outbound.pathAndQuery())
                .setAttribute(REPLICA, replica.id())
                .setAttribute(ATTEMPT, number + 1)
                .setAttribute(BREAKER_STATE, String.valueOf(replica.breakerState()))
                .startSpan();
    }

    /** The context a service continues: the attempt's span under the request; null when either is. */
    static Context of(Context request, Span attempt) {
        return request == null || attempt == null ? null : request.with(attempt);
    }

    /**
     * Ends an attempt's span with its outcome: the service's answer, or {@code cause}; {@code retry}
     * says what came next when it failed ("retried", "budget_exhausted", "not_retried"), null when it did not.
     */
    void ended(Span span, Upstream answer, Throwable cause, String retry) {
        if (span == null) {
            return;
        }
        if (cause instanceof CircuitBreakerOpenException) {
            span.setAttribute(BREAKER_DECISION, "refused");
            span.addEvent("circuit breaker open: the call was not made");
        } else {
            span.setAttribute(BREAKER_DECISION, "allowed");
        }
        Upstream answered = answer != null ? answer : cause instanceof UpstreamFailure failure ? failure.answer() : null;
        if (answered != null) {
            span.setAttribute("http.response.status_code", answered.status());
        }
        if (cause != null) {
            span.setStatus(StatusCode.ERROR, Dispatcher.describe(cause));
        }
        if (retry != null) {
            span.setAttribute(RETRY, retry);
        }
        span.end();
    }
}
