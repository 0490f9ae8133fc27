package io.quiver.manager.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryJournalTest {
    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedChangeIsThereAfterReopening() {
        Map<String, ServiceRecord> live = new LinkedHashMap<>();
        try (RegistryJournal journal = RegistryJournal.open(dir, new LinkedHashMap<>())) {
            put(journal, live, record("a", "http://127.0.0.1:1"));
            put(journal, live, record("b", "http://127.0.0.1:2"));
            put(journal, live, record("a", "http://127.0.0.1:3"));
            live.remove("b");
            journal.remove("b", live.values());
        }
        Map<String, ServiceRecord> replayed = reopen();
        assertEquals(List.of("a"), List.copyOf(replayed.keySet()));
        assertEquals("http://127.0.0.1:3", replayed.get("a").serviceUrl());
    }

    @Test
    void aLastLineTornByACrashIsDroppedAndTheRestKept() throws Exception {
        Map<String, ServiceRecord> live = new LinkedHashMap<>();
        try (RegistryJournal journal = RegistryJournal.open(dir, new LinkedHashMap<>())) {
            put(journal, live, record("kept", "http://127.0.0.1:1"));
        }
        Files.writeString(dir.resolve("registry.journal"), "{\"op\":\"put\",\"service\":{\"service_id\":\"torn",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        assertEquals(List.of("kept"), List.copyOf(reopen().keySet()));
        try (RegistryJournal journal = RegistryJournal.open(dir, new LinkedHashMap<>())) {
            put(journal, live, record("after", "http://127.0.0.1:2"));
        }
        assertEquals(List.of("kept", "after"), List.copyOf(reopen().keySet()), "appends continue after the cut");
    }

    @Test
    void corruptionInTheMiddleIsRefusedRatherThanSilentlyLosingServices() throws Exception {
        Files.writeString(dir.resolve("registry.journal"), "not json\n{\"op\":\"remove\",\"service_id\":\"x\"}\n");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, this::reopen);
        assertTrue(e.getCause().getMessage().contains("line 1"), e.getCause().getMessage());
    }

    @Test
    void compactionKeepsExactlyTheLiveServices() throws Exception {
        Map<String, ServiceRecord> live = new LinkedHashMap<>();
        try (RegistryJournal journal = RegistryJournal.open(dir, new LinkedHashMap<>())) {
            for (int i = 0; i < 1500; i++) {
                put(journal, live, record("s" + (i % 7), "http://127.0.0.1:" + (1000 + i)));
            }
        }
        long lines = Files.readAllLines(dir.resolve("registry.journal")).size();
        assertTrue(lines < 1000, "compacted to " + lines + " lines");
        Map<String, ServiceRecord> replayed = reopen();
        assertEquals(7, replayed.size());
        for (ServiceRecord record : live.values()) {
            assertEquals(record.serviceUrl(), replayed.get(record.serviceId()).serviceUrl());
        }
    }

    private Map<String, ServiceRecord> reopen() {
        Map<String, ServiceRecord> replayed = new LinkedHashMap<>();
        RegistryJournal.open(dir, replayed).close();
        return replayed;
    }

    private static void put(RegistryJournal journal, Map<String, ServiceRecord> live, ServiceRecord record) {
        live.put(record.serviceId(), record);
        journal.put(record, new ArrayList<>(live.values()));
    }

    private static ServiceRecord record(String id, String url) {
        return new ServiceRecord(id, url, "LSTM", List.of("LSTM"), List.of("prediction"), List.of(), 4, 1.5, null, null,
                Instant.parse("2026-01-01T00:00:00Z"));
    }
}
