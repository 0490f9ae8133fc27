package io.quiver.server.payloadlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A server under test with payload logging on, to a file in a fresh directory (one that does not
 * exist yet: the sink makes it) and to what a subclass starts and configures. One test app runs at
 * a time, so the file is found through a static.
 */
abstract class LoggingServer implements QuarkusTestResourceLifecycleManager {
    static final ObjectMapper JSON = new ObjectMapper();
    private static Path directory;

    /** The subclass's settings, its collector started. */
    abstract Map<String, String> settings() throws IOException;

    /** Stops what {@link #settings} started. */
    abstract void close() throws IOException;

    @Override
    public final Map<String, String> start() {
        try {
            directory = Files.createTempDirectory("quiver-payload-log-");
            Map<String, String> settings = new HashMap<>(settings());
            settings.put("quiver.payload-log.enabled", "true");
            settings.put("quiver.payload-log.file", file().toString());
            return settings;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public final void stop() {
        try (Stream<Path> files = Files.walk(directory)) {
            close();
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temp directory left behind is harmless.
        }
    }

    static Path file() {
        return directory.resolve("logs").resolve("payloads.jsonl");
    }

    /** Every record in the file so far, in order. */
    static List<JsonNode> fileRecords() throws IOException {
        if (!Files.exists(file())) {
            return List.of();
        }
        String text = Files.readString(file());
        // A line the sink is still writing is left for the next read.
        String complete = text.substring(0, text.lastIndexOf('\n') + 1);
        List<JsonNode> records = new ArrayList<>();
        for (String line : complete.lines().toList()) {
            records.add(JSON.readTree(line));
        }
        return records;
    }
}
