package io.quiver.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link OpenLoop}'s gRPC mode: unary calls multiplexed on HTTP/2 connections without TLS, each
 * counted as a success only when answered HTTP 200 with {@code grpc-status} 0, and its closed mode,
 * which keeps exactly N calls outstanding.
 *
 * <p>The server is a stand-in for a model-server's gRPC endpoint, since no model-server runs in
 * this module's tests: Vert.x's HTTP server (the stack the model-server serves gRPC on, through
 * quarkus-grpc) on a free loopback port, speaking HTTP/2 with prior knowledge, answering each call
 * a fixed 5 ms after its message arrived with a gRPC message and trailers, or as a test chooses:
 * an error status in the trailers, a Trailers-Only error, an HTTP error, or no answer at all. It
 * records what each call carried and how many were in flight at once. Bounds are generous: the
 * machine running the tests may be busy.
 */
class OpenLoopGrpcTest {
    private static final long SERVICE_MILLIS = 5;
    private static final byte[] MESSAGE = GrpcRequests.modelInfer("house_price", "features", new long[] {1, 3},
            new float[] {1200f, 3f, 10f});

    /** How the server answers a call. */
    enum Answer {
        OK, ERROR_IN_TRAILERS, TRAILERS_ONLY_ERROR, HTTP_ERROR, NONE
    }

    private Vertx vertx;
    private HttpServer server;
    private volatile IntFunction<Answer> answers = arrival -> Answer.OK;
    private final AtomicInteger arrivals = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();
    private final Map<Answer, AtomicInteger> answered = new ConcurrentHashMap<>();
    private final Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();
    private final Set<String> wrongCalls = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void startServer() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(this::handle);
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stopServer() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void handle(HttpServerRequest request) {
        int arrival = arrivals.incrementAndGet();
        connections.add(request.connection());
        int now = inFlight.incrementAndGet();
        mostInFlight.accumulateAndGet(now, Math::max);
        if (request.version() != HttpVersion.HTTP_2 || !OpenLoop.MODEL_INFER.equals(request.path())
                || !"application/grpc".equals(request.getHeader("content-type"))
                || !"trailers".equals(request.getHeader("te"))) {
            wrongCalls.add(request.version() + " " + request.path() + " " + request.headers());
        }
        request.body().onSuccess(body -> {
            if (!Arrays.equals(OpenLoop.grpcFrame(MESSAGE), body.getBytes())) {
                wrongCalls.add("a message of " + body.length() + " bytes");
            }
            Answer answer = answers.apply(arrival);
            if (answer == Answer.NONE) {
                // Never answered: the client gives up at its timeout and resets the stream.
                request.response().closeHandler(closed -> inFlight.decrementAndGet());
                answered.computeIfAbsent(answer, a -> new AtomicInteger()).incrementAndGet();
                return;
            }
            vertx.setTimer(SERVICE_MILLIS, timer -> {
                inFlight.decrementAndGet();
                answered.computeIfAbsent(answer, a -> new AtomicInteger()).incrementAndGet();
                answer(request.response(), answer);
            });
        });
    }

    private static void answer(HttpServerResponse response, Answer answer) {
        switch (answer) {
            case OK, ERROR_IN_TRAILERS -> {
                response.putHeader("content-type", "application/grpc");
                response.write(Buffer.buffer(OpenLoop.grpcFrame(new byte[] {10, 1, 'x'})));
                response.putTrailer("grpc-status", answer == Answer.OK ? "0" : "13");
                response.end();
            }
            case TRAILERS_ONLY_ERROR -> {
                response.putHeader("content-type", "application/grpc");
                response.putHeader("grpc-status", "5");
                response.putHeader("grpc-message", "no such model");
                response.end();
            }
            case HTTP_ERROR -> response.setStatusCode(503).end();
            case NONE -> throw new IllegalArgumentException("nothing to send");
        }
    }

    private int count(Answer answer) {
        return answered.getOrDefault(answer, new AtomicInteger()).get();
    }

    private OpenLoop.Options options(double rate, int closed, double seconds, double warmupSeconds, int connections,
            int streams, Duration timeout) {
        URI url = URI.create("http://127.0.0.1:" + server.actualPort());
        return new OpenLoop.Options(url, "POST", MESSAGE, List.of(), rate, Duration.ofMillis(Math.round(seconds * 1000)),
                Duration.ofMillis(Math.round(warmupSeconds * 1000)), connections, 10_000, timeout,
                OpenLoop.Protocol.GRPC, closed, streams);
    }

    @Test
    void callsAtARateShareOneConnection() throws Exception {
        OpenLoop.Result result = OpenLoop.run(options(300, 0, 2, 0.5, 1, 100, Duration.ofSeconds(5)));

        assertEquals(0, result.errors() + result.dropped() + result.non2xx(), result.line());
        assertEquals(600, result.requests(), 2, result.line());
        assertEquals(300, result.rateAchieved(), 30, result.line());
        assertEquals(150 + 600, arrivals.get(), 5, "the warm-up's calls are made too");
        assertTrue(wrongCalls.isEmpty(), "calls not as gRPC sends them: " + wrongCalls);
        assertEquals(1, connections.size(), "one HTTP/2 connection carries every call");
        // A call is due every 3.3 ms and takes 5: the next one is sent on the same connection
        // before the last is answered.
        assertTrue(mostInFlight.get() >= 2, "calls in flight at once: " + mostInFlight.get());
        assertTrue(result.percentileMillis(50) >= SERVICE_MILLIS, result.line());
        assertTrue(result.percentileMillis(50) < 50, result.line());
    }

    @Test
    void aCallSucceedsOnlyWithHttp200AndGrpcStatus0() throws Exception {
        Answer[] kinds = Answer.values();
        answers = arrival -> kinds[arrival % kinds.length];

        // No warm-up: every call the server saw is counted.
        OpenLoop.Result result = OpenLoop.run(options(200, 0, 1, 0, 1, 100, Duration.ofMillis(500)));

        assertEquals(arrivals.get(), result.requests(), result.line());
        assertTrue(count(Answer.OK) >= 30, "answered OK: " + count(Answer.OK));
        assertEquals(count(Answer.ERROR_IN_TRAILERS) + count(Answer.TRAILERS_ONLY_ERROR) + count(Answer.HTTP_ERROR),
                result.non2xx(), "answered with a failure status: " + answered + "; " + result.line());
        assertEquals(count(Answer.NONE), result.errors(), "never answered: " + answered + "; " + result.line());
        assertEquals(Map.of("grpc-13", (long) count(Answer.ERROR_IN_TRAILERS), "grpc-5",
                (long) count(Answer.TRAILERS_ONLY_ERROR), "http-503", (long) count(Answer.HTTP_ERROR)), result.failures());
        assertEquals(result.requests() - result.errors(), result.latencies().getTotalCount(), result.line());
        assertEquals(1, connections.size(), "a call that times out resets its stream, not the connection");
    }

    @Test
    void aClosedLoopKeepsExactlyNCallsInFlight() throws Exception {
        OpenLoop.Result result = OpenLoop.run(options(0, 8, 2, 0.5, 1, 100, Duration.ofSeconds(5)));

        assertEquals(0, result.errors() + result.dropped() + result.non2xx(), result.line());
        assertEquals(8, mostInFlight.get(), "calls in flight at once");
        assertEquals(1, connections.size());
        assertTrue(result.percentileMillis(50) >= SERVICE_MILLIS, result.line());
        // Little's law: with 8 calls always outstanding, the rate is 8 over the mean latency.
        double outstanding = result.rateAchieved() * result.latencies().getMean() / 1e6;
        assertEquals(8, outstanding, 2, "rate times mean latency; " + result.line());
    }

    @Test
    void streamsBoundTheCallsOnEachConnection() throws Exception {
        OpenLoop.Result result = OpenLoop.run(options(0, 8, 1, 0.2, 2, 3, Duration.ofSeconds(5)));

        assertEquals(0, result.errors() + result.non2xx(), result.line());
        assertEquals(2, connections.size());
        assertEquals(6, mostInFlight.get(), "3 streams on each of 2 connections; the other 2 calls wait");
    }

    @Test
    void theFrameIsTheMessageAfterItsLength() {
        byte[] framed = OpenLoop.grpcFrame(new byte[300]);

        assertEquals(305, framed.length);
        assertArrayEquals(new byte[] {0, 0, 0, 1, 44}, Arrays.copyOf(framed, 5));
    }
}
