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
    private final Map<String, Keyed> guards = new ConcurrentHashMap<>();

    /** A service's breaker, for the address it had when the breaker was made. */
    private record Keyed(String serviceUrl, Guard guard) {
    }

    Breakers(ManagerConfig config) {
        this.config = config.breaker();
    }

    @SuppressWarnings("unchecked")
    public <T> CompletionStage<T> call(Replica replica, Supplier<CompletionStage<T>> call) {
        Supplier<CompletionStage<Object>> untyped = () -> (CompletionStage<Object>) call.get();
        return (CompletionStage<T>) (CompletionStage<?>) guard(replica).get(untyped, ASYNC_ANSWER);
    }

    /** A service registered again at another address starts with a breaker of its own. */
    private Guard guard(Replica replica) {
        String url = replica.record().serviceUrl();
        Keyed keyed = guards.get(replica.id());
        if (keyed == null || !keyed.serviceUrl().equals(url)) {
            keyed = guards.compute(replica.id(), (id, old) -> old != null && old.serviceUrl().equals(url)
                    ? old : new Keyed(url, newGuard(replica)));
        }
        return keyed.guard();
    }

    private Guard newGuard(Replica replica) {
        return Guard.create()
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
                .build();
    }

    void forget(@Observes ServiceRemoved removed) {
        guards.remove(removed.serviceId());
    }
}
