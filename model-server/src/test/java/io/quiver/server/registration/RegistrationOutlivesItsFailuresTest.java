package io.quiver.server.registration;

import static org.awaitility.Awaitility.await;

import io.quiver.common.concurrent.DaemonTimer;
import io.quiver.server.serving.ModelInfo;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Whatever one call to the model-manager throws, the heartbeats that follow it still go. */
class RegistrationOutlivesItsFailuresTest {

    @Test
    void aHeartbeatThatThrowsIsFollowedByTheNext() {
        Settings settings = Settings.defaults().withServiceId("survivor").withAdvertisedUrl("http://127.0.0.1:1")
                .withHeartbeatInterval(Duration.ofMillis(100));
        AtomicInteger asked = new AtomicInteger();
        // The first heartbeat fails while it lists the loaded models, as a bug or a full heap would make it.
        Supplier<List<ModelInfo>> loadedModels = () -> {
            if (asked.incrementAndGet() == 2) {
                throw new AssertionError("a heartbeat that fails");
            }
            return List.of();
        };
        ScheduledExecutorService scheduler = DaemonTimer.named("registration-under-test");
        try (ManagerStandIn standIn = new ManagerStandIn()) {
            new RegistrationLoop(new ManagerClient(URI.create(standIn.url()), Duration.ofSeconds(5)), settings,
                    () -> ServiceIdentity.of(settings, 0), loadedModels, scheduler).start();
            await().atMost(Duration.ofSeconds(20)).alias("heartbeats after the one that failed")
                    .until(() -> standIn.calls(call -> call.method().equals("PUT")).size() >= 3);
        } finally {
            scheduler.shutdownNow();
        }
    }
}
