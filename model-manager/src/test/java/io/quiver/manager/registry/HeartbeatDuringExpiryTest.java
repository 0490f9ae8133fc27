package io.quiver.manager.registry;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.manager.testing.TempDataDir;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A heartbeat that renews a lease while an expiry sweep is under way keeps its service: the sweep
 * judges each lease when it removes the service, not from a list it made before.
 */
@QuarkusTest
@WithTestResource(TempDataDir.class)
class HeartbeatDuringExpiryTest {
    @Inject
    ServiceRegistry registry;

    @Test
    void aServiceWhoseHeartbeatRenewedItsLeaseDuringASweepStays() {
        // Both leases run out. The moment a sweep removes one, the other's heartbeat arrives.
        AtomicReference<String> renewed = new AtomicReference<>();
        Removals.hook.set(removed -> {
            String other = removed.serviceId().equals("sweep-a") ? "sweep-b" : "sweep-a";
            if (removed.serviceId().startsWith("sweep-") && renewed.compareAndSet(null, other)) {
                registry.heartbeat(other, null, null);
            }
        });
        try {
            registry.register(leased("sweep-a"));
            registry.register(leased("sweep-b"));
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                registry.expire();
                return renewed.get() != null;
            });
            assertEquals(List.of(renewed.get()), registry.all().stream().map(Replica::id)
                            .filter(id -> id.startsWith("sweep-")).toList(),
                    "the service renewed during the sweep is still registered");
        } finally {
            Removals.hook.set(null);
        }
        registry.remove(renewed.get());
    }

    private static ServiceRecord leased(String id) {
        return new ServiceRecord(id, "http://127.0.0.1:9", "sweep", List.of(), List.of("prediction"), List.of(), null,
                null, null, 1, Instant.now());
    }

    /** Runs the test's hook when a service leaves the registry, in the sweep's own thread. */
    @Singleton
    static class Removals {
        static final AtomicReference<Consumer<ServiceRemoved>> hook = new AtomicReference<>();

        void on(@Observes ServiceRemoved removed) {
            Consumer<ServiceRemoved> action = hook.get();
            if (action != null) {
                action.accept(removed);
            }
        }
    }
}
