package io.quiver.manager.registry;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Each registered service's state in Prometheus, for dashboards and alerts: {@code
 * quiver_manager_service_health{service, state}} (state {@code healthy}, {@code unhealthy} or
 * {@code ejected}) and {@code quiver_manager_breaker_state{service, state}} (state {@code closed},
 * {@code open} or {@code half_open}) are 1 on the one row of the service's current state, and
 * {@code quiver_manager_service_in_flight{service}} counts its requests in flight.
 *
 * <p>The rows are rebuilt every health-check interval rather than on every change: a state is a
 * label, so a change replaces a row, and the request path that ejects a replica or trips its
 * breaker stays free of meter work. A removed service's rows go at the next rebuild.
 */
@ApplicationScoped
class ReplicaMeters {
    private final ServiceRegistry registry;
    private final MultiGauge health;
    private final MultiGauge breakers;
    private final MultiGauge inFlight;

    ReplicaMeters(ServiceRegistry registry, MeterRegistry meters) {
        this.registry = registry;
        health = MultiGauge.builder("quiver.manager.service.health")
                .description("1 on the row of each registered service's health state").register(meters);
        breakers = MultiGauge.builder("quiver.manager.breaker.state")
                .description("1 on the row of each registered service's circuit breaker state").register(meters);
        inFlight = MultiGauge.builder("quiver.manager.service.in.flight")
                .description("Requests the manager has in flight to each registered service").register(meters);
    }

    @Scheduled(identity = "replica-meters", every = "${quiver.manager.health.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        List<MultiGauge.Row<?>> healthRows = new ArrayList<>();
        List<MultiGauge.Row<?>> breakerRows = new ArrayList<>();
        List<MultiGauge.Row<?>> inFlightRows = new ArrayList<>();
        for (Replica replica : registry.all()) {
            healthRows.add(MultiGauge.Row.of(Tags.of("service", replica.id(),
                    "state", replica.health().state().name().toLowerCase(Locale.ROOT)), 1));
            breakerRows.add(MultiGauge.Row.of(Tags.of("service", replica.id(),
                    "state", replica.breakerState().toLowerCase(Locale.ROOT)), 1));
            inFlightRows.add(MultiGauge.Row.of(Tags.of("service", replica.id()), replica, Replica::inFlight));
        }
        health.register(healthRows, true);
        breakers.register(breakerRows, true);
        inFlight.register(inFlightRows, true);
    }
}
