package io.quiver.common.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small file system of a test's own, a tmpfs, that the test can fill up or turn read-only as a
 * real disk does. Mounting needs root (CI has it); without it {@link #mounted()} is false and the
 * tests that need it skip themselves.
 */
public final class SmallDisk {
    private final Path mount;
    private final boolean mounted;

    private SmallDisk(Path mount, boolean mounted) {
        this.mount = mount;
        this.mounted = mounted;
    }

    /** A tmpfs of {@code size} (mount's syntax: 512k, 2m) on a new temporary directory. */
    public static SmallDisk mount(String size) {
        try {
            Path mount = Files.createTempDirectory("quiver-small-disk-");
            return new SmallDisk(mount, run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs",
                    mount.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean mounted() {
        return mounted;
    }

    public Path root() {
        return mount;
    }

    /** Bytes a new file could still take. */
    public long free() throws IOException {
        return Files.getFileStore(mount).getUsableSpace();
    }

    /** Fills the file system up with one file, leaving about {@code leave} bytes; {@link #empty} deletes it. */
    public void fill(long leave) throws IOException {
        byte[] chunk = new byte[4096];
        try (OutputStream out = Files.newOutputStream(mount.resolve("filler"))) {
            while (free() > leave + chunk.length) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
    }

    /** Deletes what {@link #fill} wrote. */
    public void empty() throws IOException {
        Files.deleteIfExists(mount.resolve("filler"));
    }

    public void readOnly(boolean readOnly) {
        if (!run("mount", "-o", "remount," + (readOnly ? "ro" : "rw"), mount.toString())) {
            throw new IllegalStateException("cannot remount " + mount + (readOnly ? " read-only" : " read-write")
                    + "; is a file on it open for writing?");
        }
    }

    public void unmount() {
        if (mounted) {
            run("umount", "-l", mount.toString());
        }
    }

    private static boolean run(String... command) {
        try {
            Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
