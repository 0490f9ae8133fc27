package io.quiver.manager.registry;

import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quiver.manager.testing.TempDataDir;
import io.quarkus.scheduler.FailedExecution;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A reload of the services file that throws is not the last one: once the file is fixed, the next
 * reload registers what it lists.
 */
@QuarkusTest
@WithTestResource(TempDataDir.class)
@TestProfile(ServicesFileReloadGoesOnTest.EverySecond.class)
class ServicesFileReloadGoesOnTest {
    public static class EverySecond implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quiver.manager.registry.discovery-interval", "1s");
        }
    }

    @Inject
    ServiceRegistry registry;

    @Test
    void theReloadGoesOnAfterARunThatThrew() throws IOException {
        Path file = TempDataDir.servicesFile();
        // Larger than any array: reading it throws an Error, which no handler of file errors expects.
        // The file is sparse, so it takes no disk.
        try (RandomAccessFile huge = new RandomAccessFile(file.toFile(), "rw")) {
            huge.setLength(3L << 30);
        }
        int before = Failures.reloads.get();
        await("a reload of the oversized file to fail").atMost(Duration.ofSeconds(10))
                .until(() -> Failures.reloads.get() > before);

        Files.writeString(file, """
                {"services": {"after-the-failure": {"service_url": "http://127.0.0.1:9", "model_type": "reloaded"}}}
                """);
        await("the fixed file's service").atMost(Duration.ofSeconds(10))
                .until(() -> registry.all().stream().anyMatch(r -> r.id().equals("after-the-failure")));
        registry.remove("after-the-failure");
    }

    /** Counts the services-file reloads that threw, as the scheduler reports them. */
    @Singleton
    static class Failures {
        static final AtomicInteger reloads = new AtomicInteger();

        void on(@Observes FailedExecution failed) {
            if (failed.getExecution().getTrigger().getId().equals("services-file")) {
                reloads.incrementAndGet();
            }
        }
    }
}
