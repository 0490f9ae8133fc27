package io.quiver.server.payloadlog;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

/**
 * Appends records to a file, one JSON line each. The file is opened at the first batch and again
 * after a failed write (a full or remounted disk, the file removed by hand), so the sink recovers
 * by itself once the disk does. Appending suits rotation by copy-and-truncate (logrotate's
 * {@code copytruncate}).
 */
final class FileSink extends Sink {
    /** Records written with one flush. */
    private static final int BATCH = 256;

    private final Path file;
    private OutputStream out;

    FileSink(Path file, int capacity, MeterRegistry meters) {
        super("file", capacity, BATCH, Duration.ZERO, meters);
        this.file = file;
    }

    @Override
    String target() {
        return file.toString();
    }

    @Override
    protected void write(List<byte[]> batch) throws IOException {
        try {
            if (out == null) {
                Path parent = file.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND, StandardOpenOption.WRITE), 64 * 1024);
            }
            for (byte[] record : batch) {
                out.write(record);
                out.write('\n');
            }
            out.flush();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    protected void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                // The write that failed is counted; a failing close has nothing more to say.
            }
            out = null;
        }
    }
}
