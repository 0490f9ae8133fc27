package io.quiver.manager.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.quiver.common.files.DurableFiles;
import io.quiver.common.files.StorageUnavailableException;
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
 * <p>
 * A write the disk refuses (full, read-only) is a {@link StorageUnavailableException}, a 503, and
 * the change is not made. The part of the line that did reach the file is cut off again, now or
 * before the next write if the disk refuses even that, so no torn line ever sits before a good one.
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

    private final Path file;
    private int lines;
    /** The file's length after the last acknowledged write: what a refused write is cut back to. */
    private long acknowledged;

    private RegistryJournal(Path dir) {
        this.file = dir.resolve(FILE);
    }

    /** Opens the journal in {@code dir}, returning it with the services it recorded. */
    public static RegistryJournal open(Path dir, Map<String, ServiceRecord> replayed) {
        RegistryJournal journal = new RegistryJournal(dir);
        try {
            Files.createDirectories(dir);
            journal.replay(replayed);
            journal.acknowledged = Files.exists(journal.file) ? Files.size(journal.file) : 0;
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

    /**
     * Appends one line. The file is open only while it is written: registrations are rare, and a
     * file held open for writing would keep its file system from being remounted read-only.
     */
    private void append(Map<String, Object> entry, Collection<ServiceRecord> live) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (channel.size() != acknowledged) {
                channel.truncate(acknowledged);
            }
            channel.position(acknowledged);
            write(channel, entry);
            channel.force(false);
            acknowledged = channel.size();
            lines++;
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.truncate(acknowledged);
                } catch (IOException refusedToo) {
                    // Cut before the next write instead.
                    e.addSuppressed(refusedToo);
                }
            }
            throw new StorageUnavailableException("the registry journal", file, e);
        } finally {
            closeQuietly(channel);
        }
        if (lines > COMPACT_AFTER_LINES && lines > 4 * live.size()) {
            compact(live);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Every acknowledged write was forced to disk before.
            }
        }
    }

    /**
     * Rewrites the journal as one line per live service. The change that led here is on disk
     * already, so a disk that refuses the snapshot costs only the space it would have saved.
     */
    private void compact(Collection<ServiceRecord> live) {
        StringBuilder snapshot = new StringBuilder();
        try {
            for (ServiceRecord record : live) {
                snapshot.append(line(Map.of("op", "put", "service", record)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a registration as JSON", e);
        }
        byte[] bytes = snapshot.toString().getBytes(StandardCharsets.UTF_8);
        try {
            DurableFiles.replace(file, bytes, "the registry journal");
            acknowledged = bytes.length;
            lines = live.size();
        } catch (StorageUnavailableException e) {
            LOG.warnf("the registry journal was not compacted: %s", e.getMessage());
        }
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
        ByteBuffer buffer = ByteBuffer.wrap(line(entry).getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    private static String line(Map<String, Object> entry) throws IOException {
        return JSON.writeValueAsString(new LinkedHashMap<>(entry)) + "\n";
    }

    /** Nothing to release: the file is open only while a line is written. */
    @Override
    public void close() {
    }
}
