package io.quiver.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
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
 * <p>It writes to Netty directly (on this module's class path with Vert.x): the request is encoded
 * once and each send writes the same bytes to an idle keep-alive connection, and the answer is
 * read by Netty's HTTP decoder, all on one event loop. Vert.x's HTTP client, tried first, spent
 * about ten times wrk's CPU per request (futures, pooling and header maps per request) and could
 * not offer half the rate wrk reaches on two shared cores; the load generator must cost less than
 * the services it measures. A request due while every connection is busy waits for one, and that
 * wait counts in its latency. One scheduler thread parks until the next request is due and hands
 * every request due by then to the event loop in one task, so scheduling costs a wake-up per
 * batch, not per request, and a late wake-up delays requests without moving their intended starts.
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
    public record Options(URI url, String method, byte[] body, List<String[]> headers, double rate,
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
     * were not sent because {@code maxOutstanding} were outstanding; {@code sendLagMicros} is the
     * most a request reached the event loop after it was due, the generator's own delay (a
     * stalled or starved generator shows there, not as a slow server).
     */
    public record Result(double rateTarget, double rateAchieved, long requests, Histogram latencies,
            long errors, long non2xx, long dropped, long sendLagMicros) {
        public double percentileMillis(double percentile) {
            return latencies.getTotalCount() == 0 ? 0 : latencies.getValueAtPercentile(percentile) / 1000.0;
        }

        public String line() {
            return String.format(Locale.ROOT,
                    "rate_target=%.1f rate_achieved=%.1f requests=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
                            + "p999_ms=%.3f max_ms=%.3f errors=%d non2xx=%d dropped=%d send_lag_max_ms=%.3f",
                    rateTarget, rateAchieved, requests, percentileMillis(50), percentileMillis(90),
                    percentileMillis(99), percentileMillis(99.9),
                    latencies.getTotalCount() == 0 ? 0 : latencies.getMaxValue() / 1000.0, errors, non2xx, dropped,
                    sendLagMicros / 1000.0);
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
        Result result;
        try {
            result = run(options);
        } catch (Exception e) {
            // Most often nothing listens at the URL: say so in a line, as for bad arguments.
            System.err.println("OpenLoop: " + options.url() + ": " + e);
            System.exit(1);
            return;
        }
        if (histogramFile != null) {
            try (PrintStream out = new PrintStream(Files.newOutputStream(histogramFile))) {
                result.latencies().outputPercentileDistribution(out, 1000.0);
            }
        }
        System.out.println(result.line());
    }

    /** Sends the load and returns once every request is answered or has timed out. */
    public static Result run(Options options) throws InterruptedException {
        EventLoopGroup group = new NioEventLoopGroup(1);
        try {
            EventLoop loop = group.next();
            Load load = new Load(options, loop);
            load.connect();
            long step = Math.round(1e9 / options.rate());
            long total = Math.round((options.warmup().toNanos() + options.duration().toNanos()) / 1e9 * options.rate());
            // The first request is due a little after now, once the connections are open.
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            long measureFrom = start + Math.round(options.warmup().toNanos() / 1e9 * options.rate()) * step;
            loop.execute(() -> load.measureFrom = measureFrom);
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
                loop.execute(() -> {
                    for (long i = from; i < last; i++) {
                        load.send(start + i * step);
                    }
                });
                next = last;
            }
            loop.execute(load::sendingDone);
            try {
                load.finished.get(options.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // Reported below: what is still outstanding counts as errors.
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
            try {
                return loop.submit(load::result).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("the event loop did not report the result", e);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * The state of one run, touched on the event loop only (but {@code finished}). A connection
     * carries one request at a time (no pipelining, as browsers and the services' own clients
     * send); a request due while all are busy waits in {@code waiting}, its clock running.
     */
    private static final class Load {
        private final Options options;
        private final EventLoop loop;
        private final Bootstrap bootstrap;
        private final ByteBuf request;
        private final Histogram latencies = new Histogram(HIGHEST_MICROS, 3);
        private final CompletableFuture<Void> finished = new CompletableFuture<>();
        private final ArrayDeque<Channel> idle = new ArrayDeque<>();
        private final ArrayDeque<Long> waiting = new ArrayDeque<>();
        private final Set<Connection> busy = new HashSet<>();
        private long measureFrom = Long.MAX_VALUE;
        private long outstanding;
        private long outstandingMeasured;
        private boolean sendingDone;
        private long answered;
        private long lastAnswer;
        private long errors;
        private long non2xx;
        private long dropped;
        private long sendLag;

        Load(Options options, EventLoop loop) {
            this.options = options;
            this.loop = loop;
            request = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(encode(options)));
            bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                    .remoteAddress(options.url().getHost(), port(options.url()))
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(new HttpResponseDecoder(), new Connection());
                        }
                    });
        }

        /** Opens every connection before the first request is due, so none pays for a handshake. */
        void connect() throws InterruptedException {
            for (int i = 0; i < options.connections(); i++) {
                ChannelFuture connected = bootstrap.connect().sync();
                Channel channel = connected.channel();
                loop.submit(() -> idle.add(channel)).syncUninterruptibly();
            }
            // A request unanswered for --timeout closes its connection and counts as an error.
            long timeout = options.timeout().toNanos();
            loop.scheduleAtFixedRate(() -> {
                long now = System.nanoTime();
                for (Connection connection : List.copyOf(busy)) {
                    if (now - connection.sentAt > timeout) {
                        connection.context.close();
                    }
                }
            }, 100, 100, TimeUnit.MILLISECONDS);
        }

        void send(long intendedStart) {
            if (intendedStart >= measureFrom) {
                sendLag = Math.max(sendLag, System.nanoTime() - intendedStart);
            }
            if (outstanding >= options.maxOutstanding()) {
                if (intendedStart >= measureFrom) {
                    dropped++;
                }
                return;
            }
            outstanding++;
            if (intendedStart >= measureFrom) {
                outstandingMeasured++;
            }
            Channel channel = idle.poll();
            if (channel == null) {
                waiting.add(intendedStart);
            } else {
                write(channel, intendedStart);
            }
        }

        private void write(Channel channel, long intendedStart) {
            Connection connection = channel.pipeline().get(Connection.class);
            connection.intendedStart = intendedStart;
            connection.sentAt = System.nanoTime();
            busy.add(connection);
            channel.writeAndFlush(request.retainedDuplicate(), channel.voidPromise());
        }

        /** The answer to a connection's request has ended (or failed): count it, send what waits. */
        private void done(Connection connection, int status, Channel reuse) {
            long end = System.nanoTime();
            busy.remove(connection);
            outstanding--;
            if (connection.intendedStart >= measureFrom) {
                outstandingMeasured--;
                if (status > 0) {
                    answered++;
                    lastAnswer = end;
                    latencies.recordValue(Math.min(HIGHEST_MICROS, (end - connection.intendedStart) / 1000));
                    if (status / 100 != 2) {
                        non2xx++;
                    }
                } else {
                    errors++;
                }
            }
            if (reuse != null) {
                Long next = waiting.poll();
                if (next != null) {
                    write(reuse, next);
                } else {
                    idle.add(reuse);
                }
            }
            checkFinished();
        }

        /** A connection closed (by the server, an error or a timeout): another takes its place. */
        private void replace() {
            if (sendingDone && waiting.isEmpty()) {
                return;
            }
            bootstrap.connect().addListener((ChannelFuture connected) -> {
                if (connected.isSuccess()) {
                    Long next = waiting.poll();
                    if (next != null) {
                        write(connected.channel(), next);
                    } else {
                        idle.add(connected.channel());
                    }
                } else if (!waiting.isEmpty()) {
                    // Nothing listens any more: the waiting requests fail, not hang.
                    long intended = waiting.poll();
                    Connection failed = new Connection();
                    failed.intendedStart = intended;
                    done(failed, 0, null);
                    loop.schedule(this::replace, 10, TimeUnit.MILLISECONDS);
                }
            });
        }

        void sendingDone() {
            sendingDone = true;
            checkFinished();
        }

        private void checkFinished() {
            if (sendingDone && outstanding == 0) {
                finished.complete(null);
                for (Channel channel : idle) {
                    channel.close();
                }
            }
        }

        Result result() {
            double seconds = (lastAnswer - measureFrom) / 1e9;
            double achieved = answered == 0 || seconds <= 0 ? 0 : answered / seconds;
            long requests = answered + errors + outstandingMeasured;
            return new Result(options.rate(), achieved, requests, latencies.copy(), errors + outstandingMeasured,
                    non2xx, dropped, sendLag / 1000);
        }

        /** One connection's request in flight and the answer coming back. */
        private final class Connection extends ChannelInboundHandlerAdapter {
            private long intendedStart;
            private long sentAt;
            private int status;
            private boolean inFlight;
            private ChannelHandlerContext context;

            @Override
            public void handlerAdded(ChannelHandlerContext context) {
                this.context = context;
            }

            @Override
            public void channelRead(ChannelHandlerContext context, Object message) {
                try {
                    if (message instanceof HttpResponse response) {
                        status = response.status().code();
                        inFlight = true;
                    }
                    if (message instanceof LastHttpContent && inFlight) {
                        inFlight = false;
                        boolean keep = status > 0;
                        done(this, status, keep ? context.channel() : null);
                        status = 0;
                    }
                } finally {
                    ReferenceCountUtil.release(message);
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext context) {
                idle.remove(context.channel());
                if (busy.contains(this)) {
                    done(this, 0, null);
                }
                replace();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
                context.close();
            }
        }
    }

    private static int port(URI url) {
        return url.getPort() < 0 ? 80 : url.getPort();
    }

    /** The whole request, encoded once: each send writes the same bytes. */
    private static byte[] encode(Options options) {
        URI url = options.url();
        String path = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        StringBuilder head = new StringBuilder()
                .append(options.method()).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(url.getHost()).append(':').append(port(url)).append("\r\n");
        byte[] body = options.body() == null ? new byte[0] : options.body();
        if (options.body() != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        for (String[] header : options.headers()) {
            head.append(header[0]).append(": ").append(header[1]).append("\r\n");
        }
        byte[] headBytes = head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] whole = Arrays.copyOf(headBytes, headBytes.length + body.length);
        System.arraycopy(body, 0, whole, headBytes.length, body.length);
        return whole;
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
            String httpMethod = method != null ? method : body != null ? "POST" : "GET";
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
