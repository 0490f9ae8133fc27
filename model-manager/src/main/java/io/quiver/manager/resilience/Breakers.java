package io.quiver.manager.resilience;

import io.quiver.manager.config.ManagerConfig;
import io.quiver.manager.registry.Replica;
import io.quiver.manager.routing.Upstream;
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
 * annotations would give one per method, shared by every service). Connect errors, timeouts and
 * 502/504 answers count as failures; a 503 (busy) does not.
 */
@Singleton
public class Breakers {
    private static final TypeLiteral<CompletionStage<Upstream>> ASYNC_ANSWER = new TypeLiteral<>() {
    };

    private final ManagerConfig.Breaker config;
    private final Map<String, Guard> guards = new ConcurrentHashMap<>();

    Breakers(ManagerConfig config) {
        this.config = config.breaker();
    }

    public CompletionStage<Upstream> call(Replica replica, Supplier<CompletionStage<Upstream>> call) {
        String key = replica.id() + " " + replica.record().serviceUrl();
        Guard guard = guards.computeIfAbsent(key, k -> Guard.create()
                .withDescription("calls to service " + replica.id())
                .withCircuitBreaker()
                .requestVolumeThreshold(config.requestVolumeThreshold())
                .failureRatio(config.failureRatio())
                .delay(config.delay().toMillis(), ChronoUnit.MILLIS)
                .successThreshold(1)
                .when(failure -> !(failure instanceof UpstreamFailure upstream && upstream.overloaded()))
                .onStateChange(state -> replica.breakerState(state.name()))
                .done()
                .withThreadOffload(false)
                .build());
        return guard.get(call, ASYNC_ANSWER);
    }

    void forget(@Observes ServiceRemoved removed) {
        guards.keySet().removeIf(key -> key.startsWith(removed.serviceId() + " "));
    }
}
