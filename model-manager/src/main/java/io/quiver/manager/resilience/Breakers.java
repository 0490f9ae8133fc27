package io.quiver.manager.resilience;

import io.quiver.manager.config.ManagerConfig;
import io.quiver.manager.registry.Replica;
import io.quiver.manager.registry.ServiceRemoved;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * One {@link CircuitBreaker} per service. Every failure counts (connect errors, timeouts, 502/504
 * answers) except an {@link Overload} that says the service was busy. A call an open breaker
 * refuses fails with MicroProfile's {@link CircuitBreakerOpenException}, without being made.
 * What a call yields is the caller's business, so this package knows nothing of forwarding.
 */
@Singleton
public class Breakers {
    private final ManagerConfig.Breaker config;
    private final LongSupplier clock;
    private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();

    @Inject
    Breakers(ManagerConfig config) {
        this(config.breaker(), System::nanoTime);
    }

    Breakers(ManagerConfig.Breaker config, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
    }

    public <T> CompletionStage<T> call(Replica replica, Supplier<CompletionStage<T>> call) {
        CircuitBreaker breaker = breakerOf(replica);
        int permit = breaker.tryAcquire();
        if (permit == 0) {
            return CompletableFuture.failedFuture(new CircuitBreakerOpenException("the circuit breaker of service "
                    + replica.id() + " is open"));
        }
        boolean trial = permit == 2;
        CompletionStage<T> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            breaker.record(counts(e), trial);
            return CompletableFuture.failedFuture(e);
        }
        return stage.whenComplete((answer, failure) -> breaker.record(failure != null && counts(failure), trial));
    }

    private CircuitBreaker breakerOf(Replica replica) {
        // Keyed by address too: a service registered again at another address starts afresh.
        String key = replica.id() + " " + replica.record().serviceUrl();
        CircuitBreaker breaker = breakers.get(key);
        if (breaker == null) {
            breaker = breakers.computeIfAbsent(key, k -> new CircuitBreaker(config.requestVolumeThreshold(),
                    config.failureRatio(), config.delay().toNanos(), clock, state -> replica.breakerState(state.name())));
        }
        return breaker;
    }

    private static boolean counts(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return !(cause instanceof Overload overload && overload.overloaded());
    }

    void forget(@Observes ServiceRemoved removed) {
        breakers.keySet().removeIf(key -> key.startsWith(removed.serviceId() + " "));
    }
}
