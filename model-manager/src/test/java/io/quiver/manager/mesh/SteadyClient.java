package io.quiver.manager.mesh;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * A well-behaved client sending at a fixed rate whatever the answers (an open loop): request
 * {@code i} is due at {@code start + i / rate}, and its latency runs from that moment, so a server
 * that stalls shows in the figures with every request that fell due meanwhile, not only with the
 * one it held up. A request fails when it is not answered 200 within {@link #TIMEOUT}, or its
 * answer is not right.
 */
final class SteadyClient {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** The next request. */
    interface Call {
        Prepared next(Random random);
    }

    /** A request, and what is wrong with a 200 answer to it (null when nothing is). */
    record Prepared(HttpRequest request, Function<HttpResponse<String>, String> problem) {
    }

    /** Requests sent, those that failed (what went wrong), and the latencies of all, in milliseconds. */
    record Figures(int sent, List<String> failures, double p50, double p99, double max) {
        @Override
        public String toString() {
            return String.format("%d requests, %d failed, p50 %.1f ms, p99 %.1f ms, max %.1f ms", sent, failures.size(),
                    p50, p99, max);
        }
    }

    private SteadyClient() {
    }

    /** Sends {@code rate} requests a second for {@code duration} and waits for their answers. */
    static Figures run(HttpClient client, Call call, double rate, Duration duration, long seed) {
        Random random = new Random(seed);
        int count = (int) (rate * duration.toMillis() / 1000);
        long periodNanos = (long) (1e9 / rate);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<?>> answers = new ArrayList<>(count);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long due = start + i * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            Prepared prepared = call.next(random);
            answers.add(client.sendAsync(prepared.request(), HttpResponse.BodyHandlers.ofString()).orTimeout(TIMEOUT.toMillis(),
                    TimeUnit.MILLISECONDS).whenComplete((answer, error) -> {
                        latencies.add(System.nanoTime() - due);
                        String problem = error != null ? error.toString()
                                : answer.statusCode() != 200 ? "HTTP " + answer.statusCode() + ": " + answer.body()
                                : prepared.problem().apply(answer);
                        if (problem != null) {
                            failures.add(problem);
                        }
                    }));
        }
        for (CompletableFuture<?> answer : answers) {
            try {
                answer.join();
            } catch (RuntimeException e) {
                // Counted as a failure by whenComplete.
            }
        }
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Figures(count, List.copyOf(failures), millis(sorted, 0.5), millis(sorted, 0.99), millis(sorted, 1.0));
    }

    /** Nearest rank. */
    private static double millis(long[] sorted, double share) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(share * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] / 1e6;
    }
}
