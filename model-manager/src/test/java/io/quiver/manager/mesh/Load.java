package io.quiver.manager.mesh;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Clients sending requests to the manager back to back (by default /predict, each with its own series), until
 * told to stop or a hard cap of requests is reached. Every request's timing, status, server and
 * correctness is kept for the test to judge.
 */
public final class Load implements AutoCloseable {
    /** One request: when it started and ended (System.nanoTime), who served it, and what was wrong, if anything. */
    public record Request(long number, long startNanos, long endNanos, int status, String servedBy, String problem) {
        public boolean failed() {
            return problem != null;
        }

        public long latencyNanos() {
            return endNanos - startNanos;
        }
    }

    /** One client request: sends it and judges the answer. */
    public interface Call {
        Result send(long number, Random random) throws IOException;
    }

    /** An answer, and what is wrong with it (null when it is right). */
    public record Result(Http.Answer answer, String problem) {
    }

    private final Call call;
    private final int clients;
    private final long maxRequests;
    private final long seed;
    private final AtomicLong issued = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Request> done = Collections.synchronizedList(new ArrayList<>());
    private final ExecutorService pool;
    private final List<Future<?>> running = new ArrayList<>();
    private long startedNanos;
    private long stoppedNanos;

    public Load(Mesh mesh, int clients, long maxRequests, long seed) {
        this(clients, maxRequests, seed, forecasts(mesh));
    }

    /** Clients making {@code call} instead of LSTM forecasts. */
    public Load(int clients, long maxRequests, long seed, Call call) {
        this.call = call;
        this.clients = clients;
        this.maxRequests = maxRequests;
        this.seed = seed;
        this.pool = Executors.newFixedThreadPool(clients, r -> {
            Thread thread = new Thread(r, "mesh-client");
            thread.setDaemon(true);
            return thread;
        });
    }

    public Load start() {
        startedNanos = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            Random random = new Random(seed + c);
            running.add(pool.submit(() -> client(random)));
        }
        return this;
    }

    private void client(Random random) {
        while (!stop.get()) {
            long number = issued.getAndIncrement();
            if (number >= maxRequests) {
                return;
            }
            long start = System.nanoTime();
            Request request;
            try {
                Result result = call.send(number, random);
                request = new Request(number, start, System.nanoTime(), result.answer().status(),
                        result.answer().servedBy(), result.problem());
            } catch (IOException e) {
                request = new Request(number, start, System.nanoTime(), 0, null, e.toString());
            }
            done.add(request);
        }
    }

    private static Call forecasts(Mesh mesh) {
        return (number, random) -> {
            double[] series = Forecasts.series(random);
            Http.Answer answer = mesh.http().post(mesh.managerUri("/predict"), Forecasts.body(series));
            return new Result(answer, Forecasts.problem(answer, series));
        };
    }

    /** Requests finished so far. */
    public int completed() {
        return done.size();
    }

    /** How many requests were handed out so far: every later one starts after this moment. */
    public long issued() {
        return issued.get();
    }

    /** Polls until at least {@code count} requests finished, failing if the load ended or the timeout passed first. */
    public void awaitCompleted(long count, Duration timeout) {
        Mesh.await(count + " requests completed", timeout, () -> {
            if (completed() >= count) {
                return true;
            }
            if (running.stream().allMatch(Future::isDone)) {
                throw new AssertionError("the load ended after " + completed() + " requests, before " + count);
            }
            return false;
        });
    }

    /** Stops handing out requests and waits for those in flight. */
    public List<Request> stop(Duration timeout) throws Exception {
        stop.set(true);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Future<?> client : running) {
            try {
                client.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("clients still busy " + timeout + " after the load was stopped", e);
            }
        }
        stoppedNanos = System.nanoTime();
        return results();
    }

    /** Finished requests in the order they were handed out. */
    public List<Request> results() {
        List<Request> all;
        synchronized (done) {
            all = new ArrayList<>(done);
        }
        all.sort((a, b) -> Long.compare(a.number(), b.number()));
        return all;
    }

    public double elapsedSeconds() {
        return ((stoppedNanos == 0 ? System.nanoTime() : stoppedNanos) - startedNanos) / 1e9;
    }

    /** Requests per serving service among those that match. */
    public static Map<String, Integer> spread(List<Request> requests, Predicate<Request> which) {
        Map<String, Integer> spread = new TreeMap<>();
        for (Request r : requests) {
            if (which.test(r)) {
                spread.merge(String.valueOf(r.servedBy()), 1, Integer::sum);
            }
        }
        return spread;
    }

    public static List<Request> failures(List<Request> requests) {
        return requests.stream().filter(Request::failed).toList();
    }

    /** The latency below which this share (0.5, 0.99) of the requests finished, nearest rank. */
    public static long percentileMillis(List<Request> requests, double share) {
        long[] sorted = requests.stream().mapToLong(Request::latencyNanos).sorted().toArray();
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(share * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] / 1_000_000;
    }

    public static long maxLatencyMillis(List<Request> requests) {
        return requests.stream().mapToLong(Request::latencyNanos).max().orElse(0) / 1_000_000;
    }

    @Override
    public void close() {
        stop.set(true);
        pool.shutdownNow();
    }
}
