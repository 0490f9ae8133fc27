package io.quiver.manager.resilience;

import io.quiver.manager.config.ManagerConfig;
import io.quiver.manager.registry.Replica;
import io.smallrye.faulttolerance.api.Guard;
import io.quiver.manager.registry.ServiceRemoved;
import jakarta.inject.Singleton;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.util.TypeLiteral;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One circuit breaker per service, from SmallRye Fault Tolerance's programmatic API (its
 * annotations would give one per method, shared by every service). Every failure counts (connect
 * errors, timeouts, 502/504 answers) except an {@link Overload} that says the service was busy.
 * What a call yields is the caller's business, so this package knows nothing of forwarding.
 */
@Singleton
public class Breakers {
    private static final TypeLiteral<CompletionStage<Object>> ASYNC_ANSWER = new TypeLiteral<>() {
    };

    private final ManagerConfig.Breaker config;
    private final Map<String, Guard> guards = new ConcurrentHashMap<>();

    Breakers(ManagerConfig config) {
        this.config = config.breaker();
    }

    @SuppressWarnings("unchecked")
    public <T> CompletionStage<T> call(Replica replica, Supplier<CompletionStage<T>> call) {
        String key = replica.id() + " " + replica.record().serviceUrl();
        Guard guard = guards.computeIfAbsent(key, k -> Guard.create()
                .withDescription("calls to service " + replica.id())
                .withCircuitBreaker()
                .requestVolumeThreshold(config.requestVolumeThreshold())
                .failureRatio(config.failureRatio())
                .delay(config.delay().toMillis(), ChronoUnit.MILLIS)
                .successThreshold(1)
                .when(failure -> !(failure instanceof Overload overload && overload.overloaded()))
                .onStateChange(state -> replica.breakerState(state.name()))
                .done()
                .withThreadOffload(false)
                .build());
        Supplier<CompletionStage<Object>> untyped = () -> (CompletionStage<Object>) call.get();
        return (CompletionStage<T>) (CompletionStage<?>) guard.get(untyped, ASYNC_ANSWER);
    }

    void forget(@Observes ServiceRemoved removed) {
        guards.keySet().removeIf(key -> key.startsWith(removed.serviceId() + " "));
    }
}
