package io.quiver.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * An open-loop HTTP/1.1 load generator: request {@code i} is due at {@code start + i / rate}
 * whatever the answers to the earlier ones, and its latency runs from that intended start to
 * the end of its answer. A closed loop (wrk, autocannon) sends the next request only when the last
 * is answered, so a stall of the server also stops the clock of every request that should have
 * been sent meanwhile and they never show in its percentiles (coordinated omission); here they
 * do, as users sending at that rate would have felt them.
 *
 * <p>Vert.x's HTTP client on one event loop sends over a pool of keep-alive connections: it is on
 * this module's class path already (the bare proxy's stack, so no second client stack), one
 * event loop sends tens of thousands of requests per second with a thread the services do not
 * also need, and the pool queues requests when every connection is busy; that wait counts in
 * their latency. One scheduler thread parks until the next request is due and hands every
 * request due by then to the event loop in one task, so scheduling costs a wake-up per batch,
 * not per request, and a late wake-up delays requests without moving their intended starts.
 *
 * <p>At most {@code --max-outstanding} requests are sent and unanswered at once; a request due
 * when that many are outstanding is not sent and counts as dropped, so an overloaded server
 * shows as drops and long latencies, never as a quietly lower offered rate. Requests due during
 * {@code --warmup} are sent but not counted. Printed: one line of {@code key=value} pairs (see
 * {@link Result#line()}); {@code --histogram FILE} writes HdrHistogram's percentile distribution
 * in milliseconds.
 */
public final class OpenLoop {
    /** Microseconds: HdrHistogram then keeps three significant digits up to an hour. */
    private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

    private OpenLoop() {
    }

    /** What to send, how often and for how long. */
    public record Options(URI url, HttpMethod method, byte[] body, List<String[]> headers, double rate,
            Duration duration, Duration warmup, int connections, int maxOutstanding, Duration timeout) {
        public Options {
            if (!(rate > 0)) {
                throw new IllegalArgumentException("--rate must be a positive number of requests per second");
            }
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("--duration must be positive");
            }
            if (warmup.isNegative()) {
                throw new IllegalArgumentException("--warmup must not be negative");
            }
            if (connections < 1 || maxOutstanding < 1) {
                throw new IllegalArgumentException("--connections and --max-outstanding must be at least 1");
            }
            if (!"http".equals(url.getScheme()) || url.getHost() == null) {
                throw new IllegalArgumentException("the URL must be http://host[:port]/path, not " + url);
            }
        }
    }

    /**
     * The counted requests (those due after the warm-up): latencies in microseconds of every
     * answered one, whatever its status; {@code errors} failed or went unanswered, {@code dropped}
     * were not sent because {@code maxOutstanding} were outstanding.
     */
    public record Result(double rateTarget, double rateAchieved, long requests, Histogram latencies,
            long errors, long non2xx, long dropped) {
        public double percentileMillis(double percentile) {
            return latencies.getTotalCount() == 0 ? 0 : latencies.getValueAtPercentile(percentile) / 1000.0;
        }

        public String line() {
            return String.format(Locale.ROOT,
                    "rate_target=%.1f rate_achieved=%.1f requests=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
                            + "p999_ms=%.3f max_ms=%.3f errors=%d non2xx=%d dropped=%d",
                    rateTarget, rateAchieved, requests, percentileMillis(50), percentileMillis(90),
                    percentileMillis(99), percentileMillis(99.9),
                    latencies.getTotalCount() == 0 ? 0 : latencies.getMaxValue() / 1000.0, errors, non2xx, dropped);
        }
    }

    public static void main(String[] args) throws Exception {
        Options options;
        Path histogramFile;
        try {
            Arguments parsed = Arguments.parse(args);
            options = parsed.options();
            histogramFile = parsed.histogramFile();
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("OpenLoop: " + e.getMessage());
            System.err.println(Arguments.USAGE);
            System.exit(2);
            return;
        }
        Result result = run(options);
        if (histogramFile != null) {
            try (PrintStream out = new PrintStream(Files.newOutputStream(histogramFile))) {
                result.latencies().outputPercentileDistribution(out, 1000.0);
            }
        }
        System.out.println(result.line());
    }

    /** Sends the load and returns once every request is answered or has timed out. */
    public static Result run(Options options) throws InterruptedException {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        try {
            HttpClient client = vertx.createHttpClient(
                    new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
                    new PoolOptions().setHttp1MaxSize(options.connections()));
            Context context = vertx.getOrCreateContext();
            Load load = new Load(options, client);
            long step = Math.round(1e9 / options.rate());
            long total = Math.round((options.warmup().toNanos() + options.duration().toNanos()) / 1e9 * options.rate());
            // The first request is due a little after now, so that the event loop is running.
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            load.measureFrom = start + Math.round(options.warmup().toNanos() / 1e9 * options.rate()) * step;
            long next = 0;
            while (next < total) {
                long due = start + next * step;
                long now = System.nanoTime();
                if (now < due) {
                    LockSupport.parkNanos(due - now);
                    continue;
                }
                long last = Math.min(total, (now - start) / step + 1);
                long from = next;
                context.runOnContext(v -> {
                    for (long i = from; i < last; i++) {
                        load.send(start + i * step);
                    }
                });
                next = last;
            }
            context.runOnContext(v -> load.sendingDone());
            try {
                load.finished.get(options.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // Reported below: what is still outstanding counts as errors.
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
            CompletableFuture<Result> result = new CompletableFuture<>();
            context.runOnContext(v -> result.complete(load.result()));
            try {
                return result.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("the event loop did not report the result", e);
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    /** The state of one run; every field but {@code finished} is touched on the event loop only. */
    private static final class Load {
        private final Options options;
        private final HttpClient client;
        private final RequestOptions request;
        private final Buffer body;
        private final Histogram latencies = new Histogram(HIGHEST_MICROS, 3);
        private final CompletableFuture<Void> finished = new CompletableFuture<>();
        private long measureFrom;
        private long outstanding;
        private long outstandingMeasured;
        private boolean sendingDone;
        private long answered;
        private long lastAnswer;
        private long errors;
        private long non2xx;
        private long dropped;

        Load(Options options, HttpClient client) {
            this.options = options;
            this.client = client;
            URI url = options.url();
            String uri = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                    + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
            request = new RequestOptions().setMethod(options.method()).setHost(url.getHost())
                    .setPort(url.getPort() < 0 ? 80 : url.getPort()).setURI(uri)
                    .setIdleTimeout(options.timeout().toMillis());
            for (String[] header : options.headers()) {
                request.addHeader(header[0], header[1]);
            }
            body = options.body() == null ? null : Buffer.buffer(options.body());
        }

        void send(long intendedStart) {
            boolean measured = intendedStart >= measureFrom;
            if (outstanding >= options.maxOutstanding()) {
                if (measured) {
                    dropped++;
                }
                return;
            }
            outstanding++;
            if (measured) {
                outstandingMeasured++;
            }
            client.request(request)
                    .compose(outbound -> body == null ? outbound.send() : outbound.send(body))
                    .compose(answer -> answer.body().map(content -> answer.statusCode()))
                    .onComplete(done -> {
                        long end = System.nanoTime();
                        outstanding--;
                        if (measured) {
                            outstandingMeasured--;
                            if (done.succeeded()) {
                                answered++;
                                lastAnswer = end;
                                latencies.recordValue(Math.min(HIGHEST_MICROS, (end - intendedStart) / 1000));
                                if (done.result() / 100 != 2) {
                                    non2xx++;
                                }
                            } else {
                                errors++;
                            }
                        }
                        checkFinished();
                    });
        }

        void sendingDone() {
            sendingDone = true;
            checkFinished();
        }

        private void checkFinished() {
            if (sendingDone && outstanding == 0) {
                finished.complete(null);
            }
        }

        Result result() {
            double seconds = (lastAnswer - measureFrom) / 1e9;
            double achieved = answered == 0 || seconds <= 0 ? 0 : answered / seconds;
            long requests = answered + errors + outstandingMeasured;
            return new Result(options.rate(), achieved, requests, latencies.copy(), errors + outstandingMeasured,
                    non2xx, dropped);
        }
    }

    /** The command line. */
    private record Arguments(Options options, Path histogramFile) {
        static final String USAGE = """
                usage: OpenLoop --rate N [options] URL
                  --rate N              requests per second, sent whatever the answers (required)
                  --duration S          seconds counted (default 10)
                  --warmup S            seconds of the same load before, not counted (default 3)
                  --connections N       keep-alive HTTP/1.1 connections at most (default 16)
                  --max-outstanding N   requests sent and unanswered at most; a request due beyond
                                        that is dropped and counted (default 10000)
                  --timeout S           seconds an answer may take before it counts as an error (default 10)
                  --method M            HTTP method (default POST with --body, else GET)
                  --body FILE           request body
                  -H, --header 'N: V'   a request header, repeatable
                  --histogram FILE      write the HdrHistogram percentile distribution (ms) there""";

        static Arguments parse(String[] args) throws IOException {
            Double rate = null;
            double duration = 10;
            double warmup = 3;
            int connections = 16;
            int maxOutstanding = 10_000;
            double timeout = 10;
            String method = null;
            byte[] body = null;
            List<String[]> headers = new ArrayList<>();
            Path histogram = null;
            URI url = null;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (!arg.startsWith("-")) {
                    if (url != null) {
                        throw new IllegalArgumentException("one URL only, got " + url + " and " + arg);
                    }
                    url = URI.create(arg);
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(arg + " needs a value");
                }
                String value = args[++i];
                switch (arg) {
                    case "--rate" -> rate = number(arg, value);
                    case "--duration" -> duration = number(arg, value);
                    case "--warmup" -> warmup = number(arg, value);
                    case "--connections" -> connections = (int) number(arg, value);
                    case "--max-outstanding" -> maxOutstanding = (int) number(arg, value);
                    case "--timeout" -> timeout = number(arg, value);
                    case "--method" -> method = value.toUpperCase(Locale.ROOT);
                    case "--body" -> body = Files.readAllBytes(Path.of(value));
                    case "-H", "--header" -> {
                        int colon = value.indexOf(':');
                        if (colon <= 0) {
                            throw new IllegalArgumentException("a header is 'Name: value', not '" + value + "'");
                        }
                        headers.add(new String[] {value.substring(0, colon).trim(), value.substring(colon + 1).trim()});
                    }
                    case "--histogram" -> histogram = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            }
            if (url == null || rate == null) {
                throw new IllegalArgumentException("a URL and --rate are required");
            }
            HttpMethod httpMethod = HttpMethod.valueOf(method != null ? method : body != null ? "POST" : "GET");
            return new Arguments(new Options(url, httpMethod, body, headers, rate, seconds(duration), seconds(warmup),
                    connections, maxOutstanding, seconds(timeout)), histogram);
        }

        private static double number(String option, String value) {
            try {
                return Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " takes a number, not '" + value + "'");
            }
        }

        private static Duration seconds(double seconds) {
            return Duration.ofNanos(Math.round(seconds * 1e9));
        }
    }
}
