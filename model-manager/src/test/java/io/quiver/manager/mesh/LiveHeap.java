package io.quiver.manager.mesh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a service's JVM keeps alive, as a full collection leaves it, read with {@code jcmd <pid>
 * GC.class_histogram} from the JDK running the tests: the live bytes, and the HTTP/1.x requests
 * Vert.x holds (queued, in progress, or kept by one that is).
 */
record LiveHeap(long bytes, long vertxRequests) {
    private static final String VERTX_REQUEST = "io.vertx.core.http.impl.Http1xServerRequest";

    static LiveHeap of(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
                    .redirectErrorStream(true).start();
            String histogram = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("jcmd " + pid + " GC.class_histogram failed: " + histogram);
            }
            long bytes = -1;
            long requests = 0;
            for (String line : histogram.lines().toList()) {
                String[] words = line.trim().split("\\s+");
                if (words.length >= 3 && words[0].equals("Total")) {
                    bytes = Long.parseLong(words[2]);
                } else if (words.length >= 4 && words[3].equals(VERTX_REQUEST)) {
                    requests = Long.parseLong(words[1]);
                }
            }
            if (bytes < 0) {
                throw new IllegalStateException("no total in jcmd's histogram: " + histogram);
            }
            return new LiveHeap(bytes, requests);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The larger of each figure. */
    LiveHeap max(LiveHeap other) {
        return other == null ? this : new LiveHeap(Math.max(bytes, other.bytes), Math.max(vertxRequests, other.vertxRequests));
    }

    /**
     * Samples a process's live heap every two seconds until closed, keeping the largest figures.
     * Each sample is a full collection, a pause the process's clients see, hence not more often.
     */
    static final class Peak implements AutoCloseable {
        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "live-heap");
            thread.setDaemon(true);
            return thread;
        });
        private final AtomicReference<LiveHeap> peak = new AtomicReference<>();
        private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

        Peak(long pid) {
            sampler.scheduleWithFixedDelay(() -> {
                try {
                    LiveHeap sample = LiveHeap.of(pid);
                    peak.accumulateAndGet(sample, (a, b) -> b.max(a));
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            }, 1, 2, TimeUnit.SECONDS);
        }

        /** The largest figures sampled; fails if a sample failed (the process died, say) or none was taken. */
        LiveHeap peak() {
            if (failure.get() != null) {
                throw failure.get();
            }
            LiveHeap result = peak.get();
            if (result == null) {
                throw new IllegalStateException("no sample of the live heap was taken");
            }
            return result;
        }

        @Override
        public void close() {
            sampler.shutdownNow();
            try {
                sampler.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
