package io.quiver.manager.registry;

import static io.quiver.common.fuzz.ClientFaults.LONGEST_RUN;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Whatever the registry journal holds when the manager starts (lines torn by a crash, or a file
 * damaged on disk), replay either recovers the services or refuses to start with a message naming
 * the journal's file and line; it never fails otherwise, and every service it recovers is whole.
 */
class RegistryJournalFuzzTest {
    private static final Path DIR;

    static {
        try {
            // In memory where Linux has it: replay forces its truncation of a torn line to disk, which on a
            // disk would make each input cost a sync and a million inputs hours.
            Path shm = Path.of("/dev/shm");
            DIR = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "registry-journal-fuzz")
                    : Files.createTempDirectory("registry-journal-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Replay logs each start; a million of them would be the run's whole cost.
        Logger.getLogger(RegistryJournal.class.getName()).setLevel(Level.WARNING);
    }

    /** The input is the journal file's bytes. */
    @FuzzTest(maxDuration = LONGEST_RUN)
    void replay(byte[] journal) throws IOException {
        Files.write(DIR.resolve("registry.journal"), journal);
        Map<String, ServiceRecord> services = new HashMap<>();
        try {
            RegistryJournal.open(DIR, services).close();
        } catch (UncheckedIOException e) {
            if (!e.getMessage().contains("registry.journal") && !e.getMessage().contains(DIR.toString())) {
                throw new AssertionError("refused without naming the journal", e);
            }
            return;
        }
        services.forEach((id, record) -> {
            if (id == null || !id.equals(record.serviceId()) || record.serviceUrl() == null
                    || record.modelType() == null || record.modelTypes() == null || record.capabilities() == null
                    || record.models() == null) {
                throw new AssertionError("replay recovered an incomplete service: " + record);
            }
        });
    }
}
