package io.quiver.manager.registry;

import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.manager.testing.TempDataDir;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A lease sweep that throws is not the last one: the next sweep still expires leases that ran out. */
@QuarkusTest
@WithTestResource(TempDataDir.class)
class BackgroundLoopsGoOnTest {
    @Inject
    ServiceRegistry registry;

    @Test
    void theLeaseSweepGoesOnAfterARunThatThrew() {
        // Whatever observes a removal (breakers, metrics) may fail; here it does, once, in the sweep.
        HeartbeatDuringExpiryTest.Removals.hook.set(removed -> {
            if (removed.serviceId().equals("sweep-throws")) {
                throw new IllegalStateException("an observer of the removal failed");
            }
        });
        try {
            registry.register(leased("sweep-throws"));
            await("the sweep that throws").atMost(Duration.ofSeconds(10)).until(() -> !ids().contains("sweep-throws"));
            registry.register(leased("sweep-later"));
            await("a sweep after it").atMost(Duration.ofSeconds(10)).until(() -> !ids().contains("sweep-later"));
        } finally {
            HeartbeatDuringExpiryTest.Removals.hook.set(null);
        }
    }

    private List<String> ids() {
        return registry.all().stream().map(Replica::id).toList();
    }

    private static ServiceRecord leased(String id) {
        return new ServiceRecord(id, "http://127.0.0.1:9", "sweep", List.of(), List.of("prediction"), List.of(), null,
                null, null, 1, Instant.now());
    }
}
