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
 * A real S3-protocol server for tests of {@code s3://} sources: the npm package {@code s3rver},
 * installed into {@code <repository>/.tools} ({@code npm install --prefix .tools s3rver}; {@code .ci/run}
 * does it when missing), run on a free loopback port with its data in a fresh directory. It checks
 * request signatures against its one key pair, {@link #ACCESS_KEY_ID} and {@link #SECRET_ACCESS_KEY}.
 */
public final class S3rverProcess implements AutoCloseable {
    public static final String ACCESS_KEY_ID = "S3RVER";
    public static final String SECRET_ACCESS_KEY = "S3RVER";
    private static final Pattern LISTENING = Pattern.compile("S3rver listening on [^:]+:(\\d+)");

    private final Process process;
    private final Path data;
    private final int port;

    /** Starts the server with {@code buckets} created, and returns once it listens. */
    public S3rverProcess(String... buckets) {
        try {
            data = Files.createTempDirectory("quiver-s3rver-");
            List<String> command = new java.util.ArrayList<>(List.of(executable().toString(), "-d", data.toString(),
                    "-a", "127.0.0.1", "-p", "0", "--no-vhost-buckets"));
            for (String bucket : buckets) {
                command.add("--configure-bucket");
                command.add(bucket);
            }
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start s3rver", e);
        }
        // Port 0 lets the server take a free port; it prints which, and that line is also the sign it listens.
        CompletableFuture<Integer> listening = CompletableFuture.supplyAsync(() -> {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            try {
                StringBuilder seen = new StringBuilder();
                for (String line; (line = out.readLine()) != null; ) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        drain(out);
                        return Integer.parseInt(m.group(1));
                    }
                    seen.append(line).append('\n');
                }
                throw new IllegalStateException("s3rver exited before listening:\n" + seen);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            port = listening.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            close();
            throw new IllegalStateException("s3rver did not start listening", e);
        }
    }

    /** The endpoint to give an S3 client, path-style. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Stops the server, as a bucket that is down, keeping its port unanswered. */
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
        try (Stream<Path> files = Files.walk(data)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temp directory left behind is harmless.
        }
    }

    /** Keeps reading its log so that a full pipe never blocks the server. */
    private static void drain(BufferedReader out) {
        Thread drainer = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // discarded: the tests assert on what clients see
                }
            } catch (IOException e) {
                // the process has gone
            }
        }, "s3rver-log");
        drainer.setDaemon(true);
        drainer.start();
    }

    /** {@code .tools/node_modules/.bin/s3rver} in the working directory or the nearest parent that has it. */
    private static Path executable() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(".tools/node_modules/.bin/s3rver");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("s3rver is not installed: run `npm install --prefix .tools s3rver` "
                + "at the repository root (.ci/run does this when it is missing)");
    }
}
