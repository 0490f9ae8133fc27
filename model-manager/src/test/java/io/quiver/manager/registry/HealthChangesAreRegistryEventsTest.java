package io.quiver.manager.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quiver.manager.config.ManagerConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the dashboard lists of one service's health: each change once, with its reason. */
class HealthChangesAreRegistryEventsTest {
    /** Two failed checks make it unhealthy, three failed requests eject it for a minute. */
    private static final ManagerConfig.Health HEALTH = new ManagerConfig.Health() {
        public Duration interval() { return Duration.ofSeconds(1); }
        public Duration timeout() { return Duration.ofSeconds(1); }
        public int maxConcurrentChecks() { return 1; }
        public int unhealthyThreshold() { return 2; }
        public int healthyThreshold() { return 1; }
        public int ejectAfterFailures() { return 3; }
        public Duration ejectionTime() { return Duration.ofMinutes(1); }
    };

    @Test
    void ejectedUnhealthyAndRestoredAreEachListedOnceWithTheirReason() {
        RegistryEvents events = new RegistryEvents();
        ReplicaHealth health = new ReplicaHealth(HEALTH, events.transitionsOf("ms-1"));

        health.requestFailed("timed out");
        health.requestFailed("timed out");
        health.requestFailed("connection refused");
        health.requestFailed("connection refused");
        health.checkPassed();
        health.checkFailed("health check failed: connection refused");
        health.checkFailed("health check failed: connection refused");
        health.checkFailed("health check failed: connection refused");
        health.checkPassed();

        assertEquals(List.of(
                        "ejected ms-1 connection refused",
                        "restored ms-1 was ejected",
                        "unhealthy ms-1 health check failed: connection refused",
                        "restored ms-1 was unhealthy"),
                events.recent(10).stream().map(e -> e.kind() + " " + e.serviceId() + " " + e.detail()).toList());
    }

    @Test
    void onlyTheMostRecentAreKept() {
        RegistryEvents events = new RegistryEvents();
        for (int i = 0; i < RegistryEvents.KEPT + 5; i++) {
            events.add("registered", "ms-" + i, null);
        }
        List<RegistryEvents.Event> recent = events.recent(Integer.MAX_VALUE);
        assertEquals(RegistryEvents.KEPT, recent.size());
        assertEquals("ms-5", recent.get(0).serviceId());
        assertEquals("ms-" + (RegistryEvents.KEPT + 4), events.recent(1).get(0).serviceId());
    }
}
