package io.quiver.manager.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.manager.registry.Replica;
import io.quiver.manager.registry.ServiceRecord;
import io.quiver.manager.registry.ServiceRegistry;
import io.quiver.manager.testing.TempDataDir;
import io.vertx.core.Future;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Checks that cannot even be sent (the send throws at once) count as failed checks and give their
 * permit back, so the checker goes on checking every service in the rounds after.
 */
@QuarkusTest
@WithTestResource(TempDataDir.class)
class FailingChecksTest {
    @Inject
    ServiceRegistry registry;

    @Inject
    HealthChecker checker;

    private final List<String> ids = IntStream.range(0, 40).mapToObj(i -> "throws-" + i).toList();

    @AfterEach
    void restore() {
        checker.probe(replica -> Future.succeededFuture(200));
        ids.forEach(registry::remove);
        registry.remove("checked-after");
    }

    @Test
    void checksThatFailAtOnceLoseNoPermitAndTheRoundsGoOn() {
        Set<String> checked = ConcurrentHashMap.newKeySet();
        // More services whose check throws than there are permits (32): each lost permit would be
        // one check fewer in flight, and with all of them lost no check would run again.
        Function<Replica, Future<Integer>> failing = replica -> {
            checked.add(replica.id());
            if (replica.id().startsWith("throws-")) {
                throw new IllegalStateException("cannot send a check to " + replica.id());
            }
            return Future.succeededFuture(503);
        };
        checker.probe(failing);
        ids.forEach(id -> registry.register(record(id)));
        await("a check of every service whose send throws").atMost(Duration.ofSeconds(30))
                .until(() -> checked.containsAll(ids));

        registry.register(record("checked-after"));
        await("a check of the service registered after them").atMost(Duration.ofSeconds(30))
                .until(() -> checked.contains("checked-after"));
        Replica after = registry.require("checked-after");
        await().atMost(Duration.ofSeconds(30)).until(() -> after.health().snapshot().lastError() != null);
        assertEquals("health check answered HTTP 503", after.health().snapshot().lastError());
        assertEquals("health check failed: IllegalStateException: cannot send a check to throws-0",
                registry.require("throws-0").health().snapshot().lastError());
    }

    private static ServiceRecord record(String id) {
        return new ServiceRecord(id, "http://127.0.0.1:9", "permits", List.of(), List.of("prediction"), List.of(),
                null, null, null, null, Instant.now());
    }
}
