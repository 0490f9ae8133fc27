package io.quiver.manager.routing;

import io.quiver.common.error.BadGatewayException;
import io.quiver.common.error.GatewayTimeoutException;
import io.quiver.common.error.NotFoundException;
import io.quiver.common.error.UnavailableException;
import io.quiver.manager.config.ManagerConfig;
import io.quiver.manager.registry.Replica;
import io.quiver.manager.registry.ServiceRegistry;
import io.quiver.manager.resilience.Breakers;
import io.quiver.manager.resilience.RetryBudget;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.vertx.core.Vertx;
import jakarta.inject.Singleton;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * Sends a request to a service of the right type and, when that service fails (connect error,
 * timeout, 502, 503, 504, open breaker), to another one: at most {@code max-retries} more times,
 * within the retry budget, never after a 4xx. The first retry goes at once; later ones wait
 * {@code retry.delay}. When every attempt fails the client gets the last service's answer, or a
 * JSON error saying what happened.
 */
@Singleton
public class Dispatcher {
    private final ServiceRegistry registry;
    private final ReplicaSelector selector;
    private final Forwarder forwarder;
    private final Breakers breakers;
    private final RetryBudget budget;
    private final Vertx vertx;
    private final MeterRegistry meters;
    private final AttemptSpans spans;
    private final int maxRetries;
    private final long retryDelayMillis;
    private final long defaultTimeoutMillis;
    private final Map<String, Map<String, Map<String, Timer>>> timers = new ConcurrentHashMap<>();

    Dispatcher(ServiceRegistry registry, ReplicaSelector selector, Forwarder forwarder, Breakers breakers,
               RetryBudget budget, Vertx vertx, MeterRegistry meters, AttemptSpans spans, ManagerConfig config) {
        this.registry = registry;
        this.selector = selector;
        this.forwarder = forwarder;
        this.breakers = breakers;
        this.budget = budget;
        this.vertx = vertx;
        this.meters = meters;
        this.spans = spans;
        this.maxRetries = config.retry().maxRetries();
        this.retryDelayMillis = config.retry().delay().toMillis();
        this.defaultTimeoutMillis = config.routing().defaultTimeout().toMillis();
    }

    public CompletionStage<Routed> dispatch(String type, String capability, Outbound request) {
        List<Replica> serving = ReplicaSelector.allOrMatching(registry.serving(type), r -> r.record().can(capability));
        if (serving.isEmpty()) {
            throw new NotFoundException("no registered service serves model_type '" + type + "' with capability '"
                    + capability + "'");
        }
        return dispatch(type, serving, request);
    }

    /** Sends to one of {@code serving}, which must not be empty; {@code type} labels balancing and metrics. */
    public CompletionStage<Routed> dispatch(String type, List<Replica> serving, Outbound request) {
        budget.onRequest();
        CompletableFuture<Routed> result = new CompletableFuture<>();
        Timer.Sample sample = Timer.start(meters);
        Context trace = spans.routing(type, serving.size());
        attempt(new Attempt(type, serving, request, new HashSet<>(), result, trace), 0, null);
        return result.whenComplete((routed, failure) -> sample.stop(timer(type,
                routed == null ? "none" : routed.servedBy(), outcome(routed, failure))));
    }

    /**
     * The request timer for these tags, from maps of our own keyed by the tag values in turn:
     * Micrometer's lookup builds and sorts tags, and a record key pays for its generated equals.
     */
    private Timer timer(String type, String service, String outcome) {
        Map<String, Timer> byOutcome = timers.computeIfAbsent(type, t -> new ConcurrentHashMap<>())
                .computeIfAbsent(service, s -> new ConcurrentHashMap<>());
        Timer timer = byOutcome.get(outcome);
        if (timer == null) {
            timer = byOutcome.computeIfAbsent(outcome, o -> meters.timer("quiver.manager.requests",
                    "model_type", type, "service", service, "outcome", o));
        }
        return timer;
    }

    /** {@code trace}: the request's tracing context, which each attempt's span starts from; null when off. */
    private record Attempt(String type, List<Replica> serving, Outbound request, Set<String> tried,
                           CompletableFuture<Routed> result, Context trace) {
    }

    private void attempt(Attempt a, int number, Throwable previous) {
        boolean takeSlot = !a.request().shadow();
        Optional<Replica> chosen = selector.pick(a.type(), a.serving(), a.tried(), takeSlot);
        if (chosen.isEmpty() && !a.tried().isEmpty()) {
            // Every other service was tried: one that failed before may answer now.
            chosen = selector.pick(a.type(), a.serving(), Set.of(), takeSlot);
        }
        if (chosen.isEmpty()) {
            a.result().completeExceptionally(previous != null ? finalFailure(previous, null, a.type()) : noneAvailable(a));
            return;
        }
        Replica replica = chosen.get();
        a.tried().add(replica.id());
        Outbound request = a.request();
        CompletionStage<Upstream> call;
        long started = System.nanoTime();
        long timeout = request.millisLeft(timeout(replica));
        Span span = spans.start(a.trace(), replica, number, request);
        io.opentelemetry.context.Context trace = AttemptSpans.of(a.trace(), span);
        try {
            if (timeout <= 0) {
                // The client's deadline passed while an earlier attempt waited: no service is asked.
                call = CompletableFuture.failedFuture(new DeadlinePassed());
            } else if (request.grpc()) {
                call = breakers.call(replica, () -> forwarder.sendGrpc(replica.record().grpcAddress(), request, timeout,
                        trace));
            } else {
                call = breakers.call(replica, () -> forwarder.send(replica.record().serviceUrl(), request.method(),
                        request.pathAndQuery(), request.requestId(), request.contentType(), request.content(),
                        request.inferenceHeaderLength(), timeout, trace));
            }
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((answer, failure) -> {
            if (takeSlot) {
                replica.release();
            }
            if (failure != null && unwrap(failure) instanceof DeadlinePassed passed) {
                spans.ended(span, null, passed, "not_retried");
                a.result().completeExceptionally(finalFailure(passed, previous == null ? replica : null, a.type()));
                return;
            }
            countFor(replica, System.nanoTime() - started, answer, failure);
            if (failure == null) {
                replica.health().requestSucceeded();
                spans.ended(span, answer, null, null);
                a.result().complete(new Routed(answer, replica.id()));
                return;
            }
            Throwable cause = unwrap(failure);
            boolean busy = cause instanceof UpstreamFailure upstream && upstream.overloaded();
            if (!busy && !(cause instanceof CircuitBreakerOpenException)) {
                replica.health().requestFailed(describe(cause));
            }
            // A shadow copy spends none of the clients' retry budget, and moves on only when it
            // reached no service at all: a dead replica the health checks have not yet noticed
            // says nothing about the shadow model.
            boolean retry = number < maxRetries && request.millisLeft(1) > 0 && (request.shadow()
                    ? cause instanceof java.net.ConnectException || cause instanceof CircuitBreakerOpenException
                    : (request.idempotent() || neverTaken(cause)) && budget.tryRetry());
            if (number < maxRetries && !request.shadow()) {
                meters.counter("quiver.manager.retries", "outcome", retry ? "retried" : "budget_exhausted").increment();
            }
            spans.ended(span, null, cause, retry ? "retried" : number < maxRetries && !request.shadow() ? "budget_exhausted"
                    : "not_retried");
            if (retry) {
                long delay = number == 0 ? 0 : retryDelayMillis;
                if (delay == 0) {
                    attempt(a, number + 1, cause);
                } else {
                    vertx.setTimer(delay, id -> attempt(a, number + 1, cause));
                }
            } else if (cause instanceof UpstreamFailure upstream) {
                a.result().complete(new Routed(upstream.answer(), replica.id()));
            } else {
                a.result().completeExceptionally(finalFailure(cause, replica, a.type()));
            }
        });
    }

    /** Each attempt in its service's recent figures; a call its open breaker refused never reached it. */
    private static void countFor(Replica replica, long nanos, Upstream answer, Throwable failure) {
        if (failure != null && unwrap(failure) instanceof CircuitBreakerOpenException) {
            return;
        }
        replica.traffic().record(nanos, failure != null || answer.status() >= 500);
    }

    private static String outcome(Routed routed, Throwable failure) {
        if (routed != null) {
            return routed.answer().status() < 400 ? "ok" : routed.answer().status() < 500 ? "client_error" : "server_error";
        }
        Throwable cause = unwrap(failure);
        return cause instanceof io.quiver.common.error.ApiException api ? "status_" + api.status() : "error";
    }

    /** Whether a failed request surely never started work on the service. */
    private static boolean neverTaken(Throwable cause) {
        return cause instanceof java.net.ConnectException
                || cause instanceof CircuitBreakerOpenException
                || cause instanceof UpstreamFailure upstream && upstream.overloaded();
    }

    private long timeout(Replica replica) {
        Double seconds = replica.record().timeout();
        return seconds != null ? Math.round(seconds * 1000) : defaultTimeoutMillis;
    }

    private static Throwable finalFailure(Throwable cause, Replica replica, String type) {
        String service = replica == null ? "the last service" : "service " + replica.id();
        if (cause instanceof UpstreamFailure upstream) {
            return new BadGatewayException(service + " answered HTTP " + upstream.answer().status());
        }
        if (cause instanceof TimeoutException) {
            return new GatewayTimeoutException(service + " did not answer in time");
        }
        if (cause instanceof DeadlinePassed) {
            return new GatewayTimeoutException("the call's deadline passed before " + service + " answered");
        }
        if (cause instanceof CircuitBreakerOpenException) {
            return new UnavailableException("the circuit breaker of " + service + " is open", 1);
        }
        if (cause instanceof java.net.ConnectException) {
            // Nothing reached a service: the same as none being available, which health checks
            // report a moment later, so the client is told to retry rather than that one failed.
            return new UnavailableException("no service serving model_type '" + type + "' could be reached: " + service
                    + " refused the connection", 1);
        }
        return new BadGatewayException(service + " failed: " + describe(cause));
    }

    private static UnavailableException noneAvailable(Attempt a) {
        long healthy = a.serving().stream().filter(r -> ReplicaSelector.eligible(r, Set.of())).count();
        String reason = healthy == 0
                ? "none of the " + a.serving().size() + " services serving model_type '" + a.type() + "' is healthy"
                : "all " + healthy + " healthy services serving model_type '" + a.type()
                        + "' are at their max_concurrent_requests";
        return new UnavailableException(reason, 1);
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    static String describe(Throwable cause) {
        if (cause instanceof TimeoutException) {
            return "timed out";
        }
        if (cause instanceof java.net.ConnectException) {
            return "connection refused";
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** The client's deadline passed before another attempt could start. */
    static final class DeadlinePassed extends RuntimeException {
        DeadlinePassed() {
            super("the call's deadline passed", null, false, false);
        }
    }
}
