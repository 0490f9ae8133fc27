package io.quiver.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link OpenLoop} must get right for its rows to mean anything: it offers the rate asked
 * for, it counts a server stall against every request that was due during it (where a closed
 * loop counts it once per connection), and it drops rather than slows down when too many
 * requests are outstanding; and that its closed mode keeps exactly N requests outstanding.
 *
 * <p>The server is a stand-in for a model-server: the JDK's HTTP server on a free loopback port,
 * answering every request a fixed 5 ms after it arrives, and once per test holding every answer
 * until 200 ms after a chosen request arrived, as a garbage-collection pause or a slow model run
 * would. Bounds are generous: the machine running the tests may be busy.
 */
class OpenLoopTest {
    private static final long SERVICE_MILLIS = 5;
    private static final long STALL_MILLIS = 200;

    private HttpServer server;
    private ScheduledExecutorService answers;
    private final AtomicLong arrivals = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();
    private volatile long stallAtArrival = Long.MAX_VALUE;
    private volatile long stallUntil;

    @BeforeEach
    void startServer() throws IOException {
        // Without it the JDK's server leaves Nagle's algorithm on, and an answer's body waits for
        // the client's delayed ACK of its headers: 40 ms a request, which no model-server takes.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        answers = Executors.newScheduledThreadPool(2);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
        answers.shutdownNow();
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        long now = System.nanoTime();
        mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        if (arrivals.incrementAndGet() == stallAtArrival) {
            stallUntil = now + TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS);
        }
        long answerAt = Math.max(now + TimeUnit.MILLISECONDS.toNanos(SERVICE_MILLIS), stallUntil);
        answers.schedule(() -> answer(exchange), answerAt - now, TimeUnit.NANOSECONDS);
    }

    private void answer(HttpExchange exchange) {
        inFlight.decrementAndGet();
        byte[] body = "{\"ok\": true}".getBytes(StandardCharsets.UTF_8);
        try (exchange) {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private OpenLoop.Options options(double rate, double seconds, int connections, int maxOutstanding) {
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v2/models/m/infer");
        return new OpenLoop.Options(url, "POST", "{}".getBytes(StandardCharsets.UTF_8),
                List.<String[]>of(new String[] {"Content-Type", "application/json"}), rate,
                Duration.ofMillis(Math.round(seconds * 1000)), Duration.ofMillis(500), connections, maxOutstanding,
                Duration.ofSeconds(5));
    }

    @Test
    void offersTheTargetRateAndMeasuresTheServiceTime() throws Exception {
        OpenLoop.Result result = OpenLoop.run(options(300, 3, 8, 10_000));

        assertEquals(0, result.errors() + result.dropped() + result.non2xx(), result.line());
        // 900 requests due in the counted 3 s: all of them sent and answered, none skipped.
        assertEquals(900, result.requests(), 2, result.line());
        assertEquals(300, result.rateAchieved(), 30, result.line());
        assertEquals(150 + 900, arrivals.get(), 5, "the warm-up's requests are sent too");
        assertTrue(result.percentileMillis(50) >= SERVICE_MILLIS, result.line());
        assertTrue(result.percentileMillis(50) < 50, result.line());
        assertTrue(result.sendLagMicros() < result.latencies().getMaxValue(),
                "the generator's own delay is part of the latency: " + result.line());
    }

    @Test
    void aStallCountsForEveryRequestDueDuringIt() throws Exception {
        // 200 requests/s: the stall starts 1 s into the counted 2.5 s and 40 requests are due
        // during it, waiting from 200 ms down to nothing; about 20 wait at least 100 ms.
        stallAtArrival = 100 + 200;
        OpenLoop.Result open = OpenLoop.run(options(200, 2.5, 4, 10_000));
        long openSlow = open.latencies().getCountBetweenValues(100_000, Long.MAX_VALUE);

        // The same server and stall under a closed loop of as many connections: each connection
        // waits out the stall once, and sends nothing meanwhile.
        stallAtArrival = arrivals.get() + 200;
        Histogram closed = closedLoop(4, Duration.ofMillis(2500));
        long closedSlow = closed.getCountBetweenValues(100_000, Long.MAX_VALUE);

        assertEquals(0, open.errors() + open.dropped(), open.line());
        assertTrue(openSlow >= 10, "open loop: " + openSlow + " requests of 100 ms or more; " + open.line());
        assertTrue(open.percentileMillis(99) >= 100, open.line());
        assertTrue(closedSlow >= 1 && closedSlow <= 8, "closed loop: " + closedSlow + " requests of 100 ms or more");
        assertTrue(closed.getValueAtPercentile(99) < 100_000,
                "closed loop p99 " + closed.getValueAtPercentile(99) + " µs hides the stall");
        assertTrue(openSlow > 2 * closedSlow, "open " + openSlow + " against closed " + closedSlow);
    }

    @Test
    void theMeasuredWindowStartsWhenTheWarmUpEndsInTheSameGenerator() throws Exception {
        // 300 requests/s after 0.5 s of warm-up: 150 requests have been sent when measuring starts,
        // which is when --cpu-of reads the processes' CPU, so the warm-up's is not counted.
        AtomicLong sentAtMeasureStart = new AtomicLong(-1);
        long ticksBefore = OpenLoop.cpuTicks(List.of(ProcessHandle.current().pid()));
        OpenLoop.Result result = OpenLoop.run(options(300, 1, 8, 10_000), () -> sentAtMeasureStart.set(arrivals.get()));

        assertEquals(150, sentAtMeasureStart.get(), 15, result.line());
        assertEquals(300, result.requests(), 2, result.line());
        assertTrue(OpenLoop.cpuTicks(List.of(ProcessHandle.current().pid())) > ticksBefore,
                "this process's CPU, read from /proc, grew while it sent 450 requests");
        assertEquals(0, OpenLoop.cpuTicks(List.of(Long.MAX_VALUE)), "a process that is gone counts nothing");
    }

    @Test
    void eachAnswerIsTimedFromItsOwnRequestWhenRequestsWaitForTheConnection() throws Exception {
        // One connection and 5 ms per answer carry 200/s at most; at 300/s requests wait for it,
        // so every answer finds the next request waiting and the connection takes it at once.
        OpenLoop.Result result = OpenLoop.run(options(300, 1, 1, 10_000));

        assertEquals(0, result.errors(), "nothing failed, and no answer counted for another: " + result.line());
        assertEquals(300, result.requests(), 2, result.line());
        // The wait grows by a third of the elapsed time: the last measured request was due 1.5 s in
        // and answered about 2.25 s in, so the slowest took about 750 ms. An answer timed from the
        // request written after it would be short by the gap between them; its count, if that
        // request was the first measured, would come out as a negative error count.
        assertTrue(result.latencies().getMaxValue() >= 600_000, result.line());
    }

    @Test
    void dropsWhatCannotBeSentInsteadOfSlowingDown() throws Exception {
        // Two requests outstanding at most: during the stall the other 38 due are dropped, counted.
        stallAtArrival = 100 + 100;
        OpenLoop.Result result = OpenLoop.run(options(200, 1.5, 2, 2));

        assertTrue(result.dropped() >= 20, result.line());
        assertEquals(300, result.requests() + result.dropped(), 2, "every due request is sent or dropped: " + result.line());
        assertEquals(0, result.errors(), result.line());
    }

    @Test
    void aClosedLoopKeepsExactlyNRequestsOutstanding() throws Exception {
        OpenLoop.Options open = options(1, 2, 4, 10_000);
        OpenLoop.Result result = OpenLoop.run(new OpenLoop.Options(open.url(), open.method(), open.body(),
                open.headers(), 0, open.duration(), open.warmup(), 4, open.maxOutstanding(), open.timeout(),
                OpenLoop.Protocol.HTTP1, 4, 1));

        assertEquals(0, result.errors() + result.dropped() + result.non2xx(), result.line());
        assertEquals(4, mostInFlight.get(), "requests in flight at once");
        assertTrue(result.percentileMillis(50) >= SERVICE_MILLIS, result.line());
        // Little's law: with 4 requests always outstanding, the rate is 4 over the mean latency.
        double outstanding = result.rateAchieved() * result.latencies().getMean() / 1e6;
        assertEquals(4, outstanding, 1, "rate times mean latency; " + result.line());
    }

    /** Each connection sends its next request when the last is answered, latency from its sending. */
    private Histogram closedLoop(int connections, Duration duration) throws Exception {
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v2/models/m/infer");
        Histogram latencies = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
        long end = System.nanoTime() + duration.toNanos();
        ExecutorService clients = Executors.newFixedThreadPool(connections);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            HttpRequest request = HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .header("Content-Type", "application/json").build();
            List<Future<Histogram>> each = clients.invokeAll(Collections.nCopies(connections, () -> {
                Histogram mine = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
                while (System.nanoTime() < end) {
                    long sent = System.nanoTime();
                    client.send(request, HttpResponse.BodyHandlers.discarding());
                    mine.recordValue((System.nanoTime() - sent) / 1000);
                }
                return mine;
            }));
            for (Future<Histogram> histogram : each) {
                latencies.add(histogram.get());
            }
        } finally {
            clients.shutdownNow();
        }
        return latencies;
    }
}
