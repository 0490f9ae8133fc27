package io.quiver.server.payloadlog;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file sink while its file cannot be written (its directory's place is taken by a file, as a
 * full or read-only disk refuses writes) and after: the records meanwhile are counted failed, the
 * sink's thread lives on, and the records after the disk recovers are written.
 */
class FileSinkOutlivesAFailingDiskTest {
    @TempDir
    Path directory;

    @Test
    void recordsAreCountedFailedWhileTheDiskFailsAndWrittenOnceItRecovers() throws Exception {
        Path blocker = directory.resolve("logs");
        Files.writeString(blocker, "not a directory");
        MeterRegistry meters = new SimpleMeterRegistry();
        FileSink sink = new FileSink(blocker.resolve("payloads.jsonl"), 16, meters);
        sink.start();
        try {
            sink.offer(bytes("{\"n\":1}"));
            await().atMost(Duration.ofSeconds(10)).until(() -> count(meters, "failed") == 1);

            Files.delete(blocker);
            sink.offer(bytes("{\"n\":2}"));
            sink.offer(bytes("{\"n\":3}"));
            await().atMost(Duration.ofSeconds(10)).until(() -> count(meters, "written") == 2);
            assertEquals(List.of("{\"n\":2}", "{\"n\":3}"), Files.readAllLines(blocker.resolve("payloads.jsonl")));
            assertEquals(1, count(meters, "failed"));
        } finally {
            sink.stop(Duration.ofSeconds(2));
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static double count(MeterRegistry meters, String outcome) {
        return meters.get("quiver.payload.log.records").tag("sink", "file").tag("outcome", outcome).counter().count();
    }
}
