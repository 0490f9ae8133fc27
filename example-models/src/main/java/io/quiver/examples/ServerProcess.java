package io.quiver.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real server that tests run as a child process (s3rver, influxd), with its files in a temporary
 * directory of its own. It is started on port 0, so that it takes a free port; the log line that
 * says which is also the sign it listens, so no test polls or sleeps. Its log is read to the end,
 * so that a full pipe never blocks it, and thrown away: tests assert on what clients see.
 */
final class ServerProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path dir;
    private final int port;

    /**
     * Starts {@code command} and returns once its log has a line matching {@code listening}, whose
     * first group is the port.
     */
    ServerProcess(String name, List<String> command, Path dir, Pattern listening) {
        this.name = name;
        this.dir = dir;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            delete(dir);
            throw new UncheckedIOException("cannot start " + name, e);
        }
        CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            try {
                StringBuilder seen = new StringBuilder();
                for (String line; (line = out.readLine()) != null; ) {
                    Matcher m = listening.matcher(line);
                    if (m.find()) {
                        drain(out);
                        return Integer.parseInt(m.group(1));
                    }
                    seen.append(line).append('\n');
                }
                throw new IllegalStateException(name + " exited before listening:\n" + seen);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            this.port = port.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            close();
            throw new IllegalStateException(name + " did not start listening", e);
        }
    }

    int port() {
        return port;
    }

    /** Stops the server, leaving its port unanswered, and deletes its directory. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        delete(dir);
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temp directory left behind is harmless.
        }
    }

    private void drain(BufferedReader out) {
        Thread drainer = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // discarded
                }
            } catch (IOException e) {
                // the process has gone
            }
        }, name + "-log");
        drainer.setDaemon(true);
        drainer.start();
    }
}
