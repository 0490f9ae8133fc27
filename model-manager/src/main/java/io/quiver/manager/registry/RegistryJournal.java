package io.quiver.manager.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.quiver.common.json.WireJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The registry's crash-safe store: an append-only file of JSON lines, each a registration or a
 * removal, forced to disk before the change is acknowledged. A crash can at worst tear the last
 * line, which replay drops: it was never acknowledged. When the file holds many more lines than
 * live services, it is rewritten as a snapshot through a temporary file and an atomic rename.
 */
public final class RegistryJournal implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RegistryJournal.class);
    private static final String FILE = "registry.journal";
    private static final int COMPACT_AFTER_LINES = 1000;
    /**
     * The service's configuration, for a store opened before CDI is of use; dates as ISO text, as
     * the lines already on disk hold them.
     */
    private static final ObjectMapper JSON = WireJson.configure(new ObjectMapper()).registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final Path dir;
    private final Path file;
    private FileChannel channel;
    private int lines;

    private RegistryJournal(Path dir) {
        this.dir = dir;
        this.file = dir.resolve(FILE);
    }

    /** Opens the journal in {@code dir}, returning it with the services it recorded. */
    public static RegistryJournal open(Path dir, Map<String, ServiceRecord> replayed) {
        RegistryJournal journal = new RegistryJournal(dir);
        try {
            Files.createDirectories(dir);
            journal.replay(replayed);
            journal.channel = FileChannel.open(journal.file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            return journal;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the registry journal in " + dir, e);
        }
    }

    public synchronized void put(ServiceRecord record, Collection<ServiceRecord> live) {
        append(Map.of("op", "put", "service", record), live);
    }

    public synchronized void remove(String serviceId, Collection<ServiceRecord> live) {
        append(Map.of("op", "remove", "service_id", serviceId), live);
    }

    private void append(Map<String, Object> entry, Collection<ServiceRecord> live) {
        try {
            write(channel, entry);
            channel.force(false);
            lines++;
            if (lines > COMPACT_AFTER_LINES && lines > 4 * live.size()) {
                compact(live);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the registry journal " + file, e);
        }
    }

    private void compact(Collection<ServiceRecord> live) throws IOException {
        Path next = dir.resolve(FILE + ".next");
        try (FileChannel out = FileChannel.open(next, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (ServiceRecord record : live) {
                write(out, Map.of("op", "put", "service", record));
            }
            out.force(true);
        }
        channel.close();
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory();
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        lines = live.size();
    }

    private void replay(Map<String, ServiceRecord> services) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        List<byte[]> all = lines(Files.readAllBytes(file));
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        long goodBytes = 0;
        for (int i = 0; i < all.size(); i++) {
            byte[] line = all.get(i);
            try {
                // Decoded strictly: a crash can tear a line inside a character, which is a torn line too.
                JsonNode entry = JSON.readTree(utf8.reset().decode(ByteBuffer.wrap(line)).toString());
                if ("put".equals(entry.path("op").asText())) {
                    ServiceRecord record = record(entry.get("service"));
                    services.put(record.serviceId(), record);
                } else if ("remove".equals(entry.path("op").asText())) {
                    services.remove(entry.path("service_id").asText());
                } else {
                    throw new IOException("unknown entry");
                }
                goodBytes += line.length + 1;
                lines++;
            } catch (IOException | IllegalArgumentException e) {
                if (i == all.size() - 1) {
                    // The write a crash interrupted: it was never acknowledged, so it is dropped.
                    LOG.warnf("dropping a torn last line of %s", file);
                    try (FileChannel truncate = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        truncate.truncate(goodBytes);
                        truncate.force(true);
                    }
                } else {
                    throw new IOException("line " + (i + 1) + " of " + file + " is corrupt: " + e.getMessage(), e);
                }
            }
        }
        LOG.infof("registry journal replayed: %d services", services.size());
    }

    /** The file's lines, without their newlines; the last one too when a crash cut it short of one. */
    private static List<byte[]> lines(byte[] bytes) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                lines.add(Arrays.copyOfRange(bytes, start, i));
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            lines.add(Arrays.copyOfRange(bytes, start, bytes.length));
        }
        return lines;
    }

    /**
     * A put's service, which must name what routing needs: the registry would fail on a record
     * without them long after start. The lists were always written; absent, they take their defaults.
     */
    private static ServiceRecord record(JsonNode service) throws IOException {
        if (service == null || !service.isObject()) {
            throw new IOException("a put without a service object");
        }
        ServiceRecord record = JSON.treeToValue(service, ServiceRecord.class);
        if (record.serviceId() == null || record.serviceUrl() == null || record.modelType() == null) {
            throw new IOException("a service without service_id, service_url or model_type");
        }
        if (record.modelTypes() == null || record.capabilities() == null || record.models() == null) {
            record = new ServiceRecord(record.serviceId(), record.serviceUrl(), record.modelType(),
                    record.modelTypes() == null ? List.of() : record.modelTypes(),
                    record.capabilities() == null ? List.of("prediction") : record.capabilities(),
                    record.models() == null ? List.of() : record.models(), record.maxConcurrentRequests(),
                    record.timeout(), record.weight(), record.leaseSeconds(), record.registeredAt());
        }
        return record;
    }

    private static void write(FileChannel out, Map<String, Object> entry) throws IOException {
        byte[] line = (JSON.writeValueAsString(new LinkedHashMap<>(entry)) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.wrap(line);
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    private void forceDirectory() {
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a directory; the rename is still atomic.
        }
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // Every acknowledged write was already forced to disk.
        }
    }
}
