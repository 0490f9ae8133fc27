package io.quiver.common.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Files replaced whole and crash-safe, the one way the services store their state: the new content
 * goes to a temporary file beside the target, is forced to disk, and is renamed over the target,
 * so a reader (or a restart) sees the old file or the new one, never part of one. A write the disk
 * refuses (full, read-only) removes the temporary file, freeing what it took, and leaves the
 * target as it was.
 */
public final class DurableFiles {
    private DurableFiles() {
    }

    /**
     * Replaces {@code target} with {@code content}; {@code what} names the file in the error.
     *
     * @throws StorageUnavailableException when the disk did not take the write; the target is unchanged
     */
    public static void replace(Path target, byte[] content, String what) {
        Path dir = target.toAbsolutePath().getParent();
        Path temporary = dir.resolve(target.getFileName() + ".next");
        try {
            Files.createDirectories(dir);
            try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(content);
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException stillRefused) {
                e.addSuppressed(stillRefused);
            }
            throw new StorageUnavailableException(what, target, e);
        }
        forceDirectory(dir);
    }

    /** Makes a rename in {@code dir} durable; some file systems cannot sync a directory, and the rename is atomic regardless. */
    public static void forceDirectory(Path dir) {
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException e) {
            // As above: nothing more can be done, and nothing was lost.
        }
    }

    /**
     * {@code out}, writing to {@code path}, with a write the disk refuses turned into a
     * {@link StorageUnavailableException}: copied from a remote source, a full disk would otherwise
     * pass for a failure of the source (a 502).
     */
    public static java.io.OutputStream refusalsAreUnavailable(java.io.OutputStream out, String what, Path path) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] bytes, int offset, int length) {
                try {
                    out.write(bytes, offset, length);
                } catch (IOException e) {
                    throw new StorageUnavailableException(what, path, e);
                }
            }

            @Override
            public void write(int b) {
                try {
                    out.write(b);
                } catch (IOException e) {
                    throw new StorageUnavailableException(what, path, e);
                }
            }

            @Override
            public void flush() {
                try {
                    out.flush();
                } catch (IOException e) {
                    throw new StorageUnavailableException(what, path, e);
                }
            }
        };
    }
}
