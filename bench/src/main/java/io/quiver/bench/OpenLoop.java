package io.quiver.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.WeightedFairQueueByteDistributor;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * An open-loop load generator for HTTP/1.1 and for unary gRPC calls: request {@code i} is due at
 * {@code start + i / rate} whatever the answers to the earlier ones, and its latency runs from that
 * intended start to the end of its answer. A closed loop (wrk, autocannon) sends the next request
 * only when the last is answered, so a stall of the server also stops the clock of every request
 * that should have been sent meanwhile and they never show in its percentiles (coordinated
 * omission); here they do, as users sending at that rate would have felt them.
 *
 * <p>It writes to Netty directly (on this module's class path with Vert.x): the request is encoded
 * once and each send writes the same bytes to a keep-alive connection, and the answer is read by
 * Netty's HTTP decoder, all on one event loop. Vert.x's HTTP client, tried first, spent about ten
 * times wrk's CPU per request (futures, pooling and header maps per request) and could not offer
 * half the rate wrk reaches on two shared cores; the load generator must cost less than the
 * services it measures. A request due while every connection is busy waits for one, and that wait
 * counts in its latency. One scheduler thread parks until the next request is due and hands every
 * request due by then to the event loop in one task, so scheduling costs a wake-up per batch, not
 * per request, and a late wake-up delays requests without moving their intended starts.
 *
 * <p>With {@code --grpc} each request is a unary gRPC call (by default
 * {@value #MODEL_INFER}) over HTTP/2 without TLS, with prior knowledge, as gRPC clients reach the
 * services: the body is the serialized protobuf message, framed once with gRPC's 5-byte prefix;
 * the headers are encoded by Netty's HTTP/2 codec. A connection carries up to {@code --streams}
 * calls at once (and no more than the server's {@code SETTINGS_MAX_CONCURRENT_STREAMS}), so one
 * connection is what a gRPC channel is; a call counts as answered with a failure status unless it
 * gets HTTP 200 and {@code grpc-status} 0 (from its trailers, or from its headers when the server
 * answers Trailers-Only).
 *
 * <p>{@code --closed N} turns the loop closed for saturation rows: N requests outstanding, each sent
 * as soon as the one before it is answered, latency from its sending, as wrk measures; so that the
 * REST and gRPC rows of one table come from one client. Over HTTP/1.1 each outstanding request
 * needs a connection of its own (no pipelining), so {@code --connections} defaults to N there.
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
    /** The call {@code --grpc} makes when the URL has no path: the Open Inference Protocol's inference. */
    public static final String MODEL_INFER = "/inference.GRPCInferenceService/ModelInfer";
    private static final String GRPC_STATUS = "grpc-status";

    private OpenLoop() {
    }

    /** What each request is: an HTTP/1.1 request, or a unary gRPC call over HTTP/2 cleartext. */
    public enum Protocol {
        HTTP1, GRPC
    }

    /**
     * What to send, how often and for how long. {@code closed} above 0 makes it a closed loop of that
     * many outstanding requests and {@code rate} is not used; {@code streams} bounds the calls in
     * flight on one HTTP/2 connection.
     */
    public record Options(URI url, String method, byte[] body, List<String[]> headers, double rate,
            Duration duration, Duration warmup, int connections, int maxOutstanding, Duration timeout,
            Protocol protocol, int closed, int streams) {
        public Options {
            if (closed < 0) {
                throw new IllegalArgumentException("--closed must be a positive number of outstanding requests");
            }
            if (closed == 0 && !(rate > 0)) {
                throw new IllegalArgumentException("--rate must be a positive number of requests per second");
            }
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("--duration must be positive");
            }
            if (warmup.isNegative()) {
                throw new IllegalArgumentException("--warmup must not be negative");
            }
            if (connections < 1 || maxOutstanding < 1 || streams < 1) {
                throw new IllegalArgumentException("--connections, --max-outstanding and --streams must be at least 1");
            }
            if (!"http".equals(url.getScheme()) || url.getHost() == null) {
                throw new IllegalArgumentException("the URL must be http://host[:port]/path, not " + url);
            }
        }

        /** An open loop over HTTP/1.1. */
        public Options(URI url, String method, byte[] body, List<String[]> headers, double rate, Duration duration,
                Duration warmup, int connections, int maxOutstanding, Duration timeout) {
            this(url, method, body, headers, rate, duration, warmup, connections, maxOutstanding, timeout,
                    Protocol.HTTP1, 0, 1);
        }
    }

    /**
     * The counted requests (those due, or in a closed loop sent, after the warm-up): latencies in
     * microseconds of every answered one, whatever its status; {@code errors} failed or went
     * unanswered, {@code non2xx} were answered with a failure status (HTTP: not 2xx; gRPC: not HTTP
     * 200 with grpc-status 0), {@code dropped} were not sent because {@code maxOutstanding} were
     * outstanding; {@code sendLagMicros} is the most a request reached the event loop after it was
     * due, the generator's own delay (a stalled or starved generator shows there, not as a slow
     * server). {@code closed} is the closed loop's outstanding requests, 0 for an open loop;
     * {@code failures} counts the counted answers with a failure status by status
     * ({@code http-503}, {@code grpc-14}), so that a row's failures say what they were.
     */
    public record Result(double rateTarget, int closed, double rateAchieved, long requests, Histogram latencies,
            long errors, long non2xx, long dropped, long sendLagMicros, Map<String, Long> failures) {
        public double percentileMillis(double percentile) {
            return latencies.getTotalCount() == 0 ? 0 : latencies.getValueAtPercentile(percentile) / 1000.0;
        }

        public String line() {
            return String.format(Locale.ROOT,
                    "rate_target=%.1f closed=%d rate_achieved=%.1f requests=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
                            + "p999_ms=%.3f max_ms=%.3f errors=%d non2xx=%d dropped=%d send_lag_max_ms=%.3f "
                            + "failures=%s",
                    rateTarget, closed, rateAchieved, requests, percentileMillis(50), percentileMillis(90),
                    percentileMillis(99), percentileMillis(99.9),
                    latencies.getTotalCount() == 0 ? 0 : latencies.getMaxValue() / 1000.0, errors, non2xx, dropped,
                    sendLagMicros / 1000.0, failures.isEmpty() ? "none" : failures.entrySet().stream()
                            .map(failure -> failure.getKey() + ":" + failure.getValue())
                            .collect(Collectors.joining(",")));
        }
    }

    public static void main(String[] args) throws Exception {
        Options options;
        Path histogramFile;
        Map<String, List<Long>> cpuOf;
        try {
            Arguments parsed = Arguments.parse(args);
            options = parsed.options();
            histogramFile = parsed.histogramFile();
            cpuOf = parsed.cpuOf();
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("OpenLoop: " + e.getMessage());
            System.err.println(Arguments.USAGE);
            System.exit(2);
            return;
        }
        Result result;
        Map<String, Long> cpuAtMeasureStart = new LinkedHashMap<>();
        try {
            // Read by the scheduling thread when the first measured request is due, so that the
            // CPU counted is the measured requests' and not the warm-up's.
            result = run(options, () -> cpuOf.forEach((name, pids) -> cpuAtMeasureStart.put(name, cpuTicks(pids))));
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
        StringBuilder line = new StringBuilder(result.line());
        cpuOf.forEach((name, pids) -> line.append(" cpu_").append(name).append("_ticks=")
                .append(cpuTicks(pids) - cpuAtMeasureStart.getOrDefault(name, 0L)));
        System.out.println(line);
    }

    /** User and system CPU clock ticks the processes have spent, from /proc; a process gone counts 0. */
    static long cpuTicks(List<Long> pids) {
        long ticks = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                // The command name in parentheses may hold spaces: fields are counted after it.
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            } catch (IOException e) {
                // Gone: nothing more to count.
            }
        }
        return ticks;
    }

    /** Sends the load and returns once every request is answered or has timed out. */
    public static Result run(Options options) throws InterruptedException {
        return run(options, () -> { });
    }

    /** As {@link #run(Options)}, calling {@code atMeasureStart} when the first measured request is due. */
    public static Result run(Options options, Runnable atMeasureStart) throws InterruptedException {
        EventLoopGroup group = new NioEventLoopGroup(1);
        EventLoop loop = group.next();
        Load load;
        try {
            load = new Load(options, loop);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            throw e;
        }
        try {
            load.connect();
            // The first request is due a little after now, once the connections are open.
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            if (options.closed() > 0) {
                long measureFrom = start + options.warmup().toNanos();
                loop.schedule(() -> {
                    load.measureFrom = measureFrom;
                    for (int i = 0; i < options.closed(); i++) {
                        load.send(System.nanoTime());
                    }
                }, start - System.nanoTime(), TimeUnit.NANOSECONDS);
                parkUntil(measureFrom);
                atMeasureStart.run();
                parkUntil(measureFrom + options.duration().toNanos());
            } else {
                openLoop(options, loop, load, start, atMeasureStart);
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
            // A run within a longer one (the soak runs one per stream per minute) must give its
            // direct buffer back, or Netty's leak detector reports it and the memory is lost.
            load.releaseRequest();
        }
    }

    /** Hands each request to the event loop when it is due, in batches of all those due by a wake-up. */
    private static void openLoop(Options options, EventLoop loop, Load load, long start, Runnable atMeasureStart) {
        long step = Math.round(1e9 / options.rate());
        long total = Math.round((options.warmup().toNanos() + options.duration().toNanos()) / 1e9 * options.rate());
        long measureFrom = start + Math.round(options.warmup().toNanos() / 1e9 * options.rate()) * step;
        loop.execute(() -> load.measureFrom = measureFrom);
        long next = 0;
        boolean measuring = false;
        while (next < total) {
            long due = start + next * step;
            if (!measuring && due >= measureFrom) {
                measuring = true;
                atMeasureStart.run();
            }
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
    }

    private static void parkUntil(long deadline) {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    /**
     * The state of one run, touched on the event loop only (but {@code finished} and
     * {@code connected}). A connection with room for another request waits in {@code ready}
     * (an HTTP/1.1 connection carries one request at a time, no pipelining, as browsers and the
     * services' own clients send; an HTTP/2 one up to {@code --streams} calls); a request due while
     * none has room waits in {@code waiting}, its clock running.
     */
    private static final class Load {
        private final Options options;
        private final EventLoop loop;
        private final Bootstrap bootstrap;
        /** The whole HTTP/1.1 request, or the framed gRPC message, each send a duplicate of it. */
        private final ByteBuf request;
        /** The buffer under {@code request}, released once the run is over. */
        private final ByteBuf requestBuffer;
        private final Http2Headers grpcHeaders;
        private final Histogram latencies = new Histogram(HIGHEST_MICROS, 3);
        private final CompletableFuture<Void> finished = new CompletableFuture<>();
        private final CompletableFuture<Void> connected = new CompletableFuture<>();
        private final ArrayDeque<Wire> ready = new ArrayDeque<>();
        private final ArrayDeque<Long> waiting = new ArrayDeque<>();
        private final Set<Wire> open = new HashSet<>();
        private final Map<String, Long> failures = new TreeMap<>();
        private int usableConnections;
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
            boolean grpc = options.protocol() == Protocol.GRPC;
            byte[] bytes = grpc ? grpcFrame(options.body()) : encode(options);
            requestBuffer = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
            request = Unpooled.unreleasableBuffer(requestBuffer);
            grpcHeaders = grpc ? grpcHeaders(options) : null;
            bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                    .remoteAddress(options.url().getHost(), port(options.url()))
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            if (grpc) {
                                Http2Wire wire = new Http2Wire();
                                channel.pipeline().addLast(wire.handler, wire);
                            } else {
                                channel.pipeline().addLast(new HttpResponseDecoder(), new Http1Wire());
                            }
                        }
                    });
        }

        /**
         * Opens every connection before the first request is due, so none pays for a handshake (nor,
         * over HTTP/2, for the exchange of settings).
         */
        void connect() throws InterruptedException {
            for (int i = 0; i < options.connections(); i++) {
                bootstrap.connect().sync();
            }
            try {
                connected.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException(options.protocol() == Protocol.GRPC
                        ? "the server sent no HTTP/2 settings within 10 s: does it speak HTTP/2 without TLS?"
                        : "the connections did not open within 10 s", e);
            }
            // A request unanswered for --timeout fails and counts as an error.
            long timeout = options.timeout().toNanos();
            loop.scheduleAtFixedRate(() -> {
                long now = System.nanoTime();
                for (Wire wire : List.copyOf(open)) {
                    wire.expire(now, timeout);
                }
            }, 100, 100, TimeUnit.MILLISECONDS);
        }

        void send(long intendedStart) {
            boolean measured = intendedStart >= measureFrom;
            if (measured) {
                sendLag = Math.max(sendLag, System.nanoTime() - intendedStart);
            }
            if (options.closed() == 0 && outstanding >= options.maxOutstanding()) {
                if (measured) {
                    dropped++;
                }
                return;
            }
            outstanding++;
            if (measured) {
                outstandingMeasured++;
            }
            Wire wire = ready.poll();
            while (wire != null && !wire.hasRoom()) {
                wire.queued = false;
                wire = ready.poll();
            }
            if (wire == null) {
                waiting.add(intendedStart);
                return;
            }
            wire.queued = false;
            wire.write(intendedStart);
            // Round-robin: an HTTP/2 connection with room left goes behind the others.
            if (wire.hasRoom()) {
                wire.queued = true;
                ready.add(wire);
            }
        }

        /** A connection can carry requests: the first time, once connected; then after each answer. */
        private void usable(Wire wire) {
            if (open.add(wire) && ++usableConnections == options.connections()) {
                connected.complete(null);
            }
            released(wire);
        }

        /** A connection has room again: it takes what waits, or waits for what comes. */
        private void released(Wire wire) {
            while (wire.hasRoom() && !waiting.isEmpty()) {
                wire.write(waiting.poll());
            }
            if (wire.hasRoom() && !wire.queued) {
                wire.queued = true;
                ready.add(wire);
            }
        }

        /** An answer has ended; {@code failure} names its status unless that says success (null). */
        private void answered(long intendedStart, String failure) {
            long end = System.nanoTime();
            outstanding--;
            if (intendedStart >= measureFrom) {
                outstandingMeasured--;
                answered++;
                lastAnswer = end;
                latencies.recordValue(Math.min(HIGHEST_MICROS, (end - intendedStart) / 1000));
                if (failure != null) {
                    non2xx++;
                    failures.merge(failure, 1L, Long::sum);
                }
            }
            next();
        }

        /** A request failed (connection lost, reset, timed out) or could not be sent. */
        private void failed(long intendedStart) {
            outstanding--;
            if (intendedStart >= measureFrom) {
                outstandingMeasured--;
                errors++;
            }
            next();
        }

        /** A closed loop sends the next request as the last one ends. */
        private void next() {
            if (options.closed() > 0 && !sendingDone) {
                send(System.nanoTime());
            }
            checkFinished();
        }

        /** A connection closed (by the server, an error or a timeout): another takes its place. */
        private void replace() {
            if (sendingDone && waiting.isEmpty()) {
                return;
            }
            bootstrap.connect().addListener((ChannelFuture attempt) -> {
                if (!attempt.isSuccess()) {
                    // Nothing listens any more: the waiting requests fail one by one, not hang.
                    if (!waiting.isEmpty()) {
                        failed(waiting.poll());
                    }
                    loop.schedule(this::replace, 10, TimeUnit.MILLISECONDS);
                }
            });
        }

        void releaseRequest() {
            requestBuffer.release();
        }

        void sendingDone() {
            sendingDone = true;
            checkFinished();
        }

        private void checkFinished() {
            if (sendingDone && outstanding == 0 && !finished.isDone()) {
                finished.complete(null);
                for (Wire wire : List.copyOf(open)) {
                    wire.context.close();
                }
            }
        }

        Result result() {
            double seconds = (lastAnswer - measureFrom) / 1e9;
            double achieved = answered == 0 || seconds <= 0 ? 0 : answered / seconds;
            long requests = answered + errors + outstandingMeasured;
            return new Result(options.closed() > 0 ? 0 : options.rate(), options.closed(), achieved, requests,
                    latencies.copy(), errors + outstandingMeasured, non2xx, dropped, sendLag / 1000, new TreeMap<>(failures));
        }

        /** One connection, the last handler of its pipeline: the requests it carries and their answers. */
        private abstract class Wire extends ChannelInboundHandlerAdapter {
            ChannelHandlerContext context;
            /** In {@code ready}. */
            boolean queued;

            abstract boolean hasRoom();

            abstract void write(long intendedStart);

            /** Fails what has waited for an answer longer than the timeout. */
            abstract void expire(long now, long timeout);

            /** Fails every request in flight: the connection is gone. */
            abstract void failAll();

            @Override
            public void handlerAdded(ChannelHandlerContext context) {
                this.context = context;
            }

            @Override
            public void channelInactive(ChannelHandlerContext context) {
                open.remove(this);
                ready.remove(this);
                queued = false;
                failAll();
                replace();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
                context.close();
            }
        }

        /** An HTTP/1.1 connection: one request in flight at a time. */
        private final class Http1Wire extends Wire {
            private long intendedStart;
            private long sentAt;
            private boolean busy;
            private int status;
            private boolean answering;

            @Override
            public void channelActive(ChannelHandlerContext context) {
                usable(this);
                context.fireChannelActive();
            }

            @Override
            boolean hasRoom() {
                return !busy && context.channel().isActive();
            }

            @Override
            void write(long intendedStart) {
                this.intendedStart = intendedStart;
                sentAt = System.nanoTime();
                busy = true;
                context.channel().writeAndFlush(request.retainedDuplicate(), context.channel().voidPromise());
            }

            @Override
            void expire(long now, long timeout) {
                if (busy && now - sentAt > timeout) {
                    context.close();
                }
            }

            @Override
            void failAll() {
                if (busy) {
                    busy = false;
                    failed(intendedStart);
                }
            }

            @Override
            public void channelRead(ChannelHandlerContext context, Object message) {
                try {
                    if (message instanceof HttpResponse response) {
                        status = response.status().code();
                        answering = true;
                    }
                    if (message instanceof LastHttpContent && answering && busy) {
                        answering = false;
                        busy = false;
                        // Read before the connection is released: releasing it writes the next
                        // waiting request, whose intended start then takes this field's place.
                        long answeredStart = intendedStart;
                        String failure = status / 100 == 2 ? null : "http-" + status;
                        // The connection is free before the next request of a closed loop is sent.
                        released(this);
                        answered(answeredStart, failure);
                    }
                } finally {
                    ReferenceCountUtil.release(message);
                }
            }
        }

        /**
         * An HTTP/2 connection carrying unary gRPC calls, each on a stream of its own. Every call ends
         * in {@code onStreamClosed}, answered or not: Netty has then taken the stream off its count of
         * active streams, so the call sent next in its place is not refused for the server's limit.
         */
        private final class Http2Wire extends Wire {
            final Http2ConnectionHandler handler;
            private final IntObjectMap<Call> calls = new IntObjectHashMap<>();
            private ChannelHandlerContext codec;
            private boolean settled;

            Http2Wire() {
                // Netty's default shares the server's window among streams a kilobyte at a time: a large
                // message then leaves as one DATA frame per kilobyte when several are in flight, each
                // frame work for the server. Sixteen kilobytes, the largest frame by default, as
                // grpc-java's client sets it.
                DefaultHttp2Connection connection = new DefaultHttp2Connection(false);
                WeightedFairQueueByteDistributor distributor = new WeightedFairQueueByteDistributor(connection);
                distributor.allocationQuantum(16 * 1024);
                connection.remote().flowController(new DefaultHttp2RemoteFlowController(connection, distributor));
                handler = new Http2ConnectionHandlerBuilder().connection(connection)
                        .frameListener(new Answers())
                        // Answers are small; a larger window still keeps a big one from waiting on us.
                        .initialSettings(Http2Settings.defaultSettings().initialWindowSize(1 << 20))
                        .build();
                handler.connection().addListener(new Http2ConnectionAdapter() {
                    @Override
                    public void onStreamClosed(Http2Stream stream) {
                        end(stream.id());
                    }
                });
            }

            @Override
            public void handlerAdded(ChannelHandlerContext context) {
                super.handlerAdded(context);
                codec = context.pipeline().context(handler);
            }

            @Override
            boolean hasRoom() {
                return settled && context.channel().isActive() && !handler.connection().goAwayReceived()
                        && calls.size() < options.streams() && handler.connection().local().canOpenStream();
            }

            @Override
            void write(long intendedStart) {
                int id = handler.connection().local().incrementAndGetNextStreamId();
                calls.put(id, new Call(intendedStart, System.nanoTime()));
                ChannelPromise headersWritten = codec.newPromise();
                headersWritten.addListener(written -> {
                    if (!written.isSuccess()) {
                        end(id);
                    }
                });
                handler.encoder().writeHeaders(codec, id, grpcHeaders, 0, false, headersWritten);
                handler.encoder().writeData(codec, id, request.retainedDuplicate(), 0, true, codec.newPromise());
                // Through the whole pipeline: the HTTP/2 handler's flush writes the flow-controlled data.
                context.channel().flush();
            }

            /** The call on that stream is over: answered if the server ended its answer, else failed. */
            private void end(int id) {
                Call call = calls.remove(id);
                if (call == null) {
                    return;
                }
                released(this);
                if (call.ended) {
                    answered(call.intendedStart, call.httpStatus != 200 ? "http-" + call.httpStatus
                            : call.grpcStatus < 0 ? "grpc-missing" : call.grpcStatus != 0 ? "grpc-" + call.grpcStatus : null);
                } else {
                    failed(call.intendedStart);
                }
            }

            @Override
            void expire(long now, long timeout) {
                List<Integer> late = new ArrayList<>();
                for (IntObjectMap.PrimitiveEntry<Call> entry : calls.entries()) {
                    if (now - entry.value().sentAt > timeout) {
                        late.add(entry.key());
                    }
                }
                for (int id : late) {
                    if (handler.connection().stream(id) == null) {
                        end(id);
                    } else {
                        // Closing the stream ends the call, as a failure.
                        handler.resetStream(codec, id, Http2Error.CANCEL.code(), codec.newPromise());
                    }
                }
                if (!late.isEmpty()) {
                    context.channel().flush();
                }
            }

            @Override
            void failAll() {
                for (int id : List.copyOf(calls.keySet())) {
                    end(id);
                }
            }

            /** What the server sends back, stream by stream. */
            private final class Answers extends Http2FrameAdapter {
                @Override
                public void onSettingsRead(ChannelHandlerContext context, Http2Settings settings) {
                    if (!settled) {
                        settled = true;
                        usable(Http2Wire.this);
                    }
                }

                @Override
                public void onHeadersRead(ChannelHandlerContext context, int streamId, Http2Headers headers,
                        int padding, boolean endOfStream) {
                    Call call = calls.get(streamId);
                    if (call == null) {
                        return;
                    }
                    CharSequence status = headers.status();
                    if (status != null) {
                        call.httpStatus = number(status);
                    }
                    CharSequence grpcStatus = headers.get(GRPC_STATUS);
                    if (grpcStatus != null) {
                        call.grpcStatus = number(grpcStatus);
                    }
                    call.ended |= endOfStream;
                }

                @Override
                public void onHeadersRead(ChannelHandlerContext context, int streamId, Http2Headers headers,
                        int streamDependency, short weight, boolean exclusive, int padding, boolean endOfStream) {
                    onHeadersRead(context, streamId, headers, padding, endOfStream);
                }

                @Override
                public int onDataRead(ChannelHandlerContext context, int streamId, ByteBuf data, int padding,
                        boolean endOfStream) {
                    Call call = calls.get(streamId);
                    if (call != null) {
                        // A body that ends the stream without trailers carries no grpc-status: a failure.
                        call.ended |= endOfStream;
                    }
                    return data.readableBytes() + padding;
                }

                @Override
                public void onGoAwayRead(ChannelHandlerContext context, int lastStreamId, long errorCode,
                        ByteBuf debugData) {
                    // The server is going away: its calls fail and a new connection takes this one's place.
                    Http2Wire.this.context.close();
                }
            }
        }
    }

    /** One gRPC call in flight. */
    private static final class Call {
        final long intendedStart;
        final long sentAt;
        int httpStatus;
        int grpcStatus = -1;
        boolean ended;

        Call(long intendedStart, long sentAt) {
            this.intendedStart = intendedStart;
            this.sentAt = sentAt;
        }
    }

    private static int number(CharSequence text) {
        try {
            return Integer.parseInt(text.toString().trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int port(URI url) {
        return url.getPort() < 0 ? 80 : url.getPort();
    }

    private static String path(URI url, String otherwise) {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() || "/".equals(url.getRawPath())
                ? otherwise : url.getRawPath();
        return path + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
    }

    /** The whole request, encoded once: each send writes the same bytes. */
    private static byte[] encode(Options options) {
        URI url = options.url();
        StringBuilder head = new StringBuilder()
                .append(options.method()).append(' ').append(path(url, "/")).append(" HTTP/1.1\r\n")
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

    /** gRPC's length-prefixed message: a compression flag (0, none), the length big-endian, the message. */
    static byte[] grpcFrame(byte[] message) {
        byte[] body = message == null ? new byte[0] : message;
        byte[] framed = new byte[5 + body.length];
        framed[1] = (byte) (body.length >>> 24);
        framed[2] = (byte) (body.length >>> 16);
        framed[3] = (byte) (body.length >>> 8);
        framed[4] = (byte) body.length;
        System.arraycopy(body, 0, framed, 5, body.length);
        return framed;
    }

    /** One set of request headers for every call; HTTP/2 wants the names in lower case. */
    private static Http2Headers grpcHeaders(Options options) {
        URI url = options.url();
        Http2Headers headers = new DefaultHttp2Headers()
                .method("POST").scheme("http").authority(url.getHost() + ":" + port(url)).path(path(url, MODEL_INFER));
        headers.set("content-type", "application/grpc");
        headers.set("te", "trailers");
        for (String[] header : options.headers()) {
            headers.set(header[0].toLowerCase(Locale.ROOT), header[1]);
        }
        return headers;
    }

    /** The command line. */
    private record Arguments(Options options, Path histogramFile, Map<String, List<Long>> cpuOf) {
        static final String USAGE = """
                usage: OpenLoop (--rate N | --closed N) [options] URL
                  --rate N              requests per second, sent whatever the answers (an open loop)
                  --closed N            N requests outstanding, each sent when the one before is
                                        answered (a closed loop, for saturation), instead of --rate
                  --grpc                unary gRPC calls over HTTP/2 without TLS: --body is the
                                        serialized protobuf message; the URL's path is the method
                                        (default %s)
                  --duration S          seconds counted (default 10)
                  --warmup S            seconds of the same load before, not counted (default 3)
                  --connections N       keep-alive connections (default: 16 HTTP/1.1 ones, N with
                                        --closed N; 1 HTTP/2 one with --grpc)
                  --streams N           gRPC calls in flight on one connection at most (default 100)
                  --max-outstanding N   requests sent and unanswered at most; a request due beyond
                                        that is dropped and counted (default 10000)
                  --timeout S           seconds an answer may take before it counts as an error (default 10)
                  --method M            HTTP method (default POST with --body, else GET)
                  --body FILE           request body
                  -H, --header 'N: V'   a request header (gRPC: metadata), repeatable
                  --histogram FILE      write the HdrHistogram percentile distribution (ms) there
                  --cpu-of NAME=PID[,PID...]
                                        print cpu_NAME_ticks=: the CPU clock ticks those processes
                                        spent from the first measured request's due time to the
                                        end of the run (its warm-up left out), repeatable"""
                .formatted(MODEL_INFER);

        static Arguments parse(String[] args) throws IOException {
            Double rate = null;
            int closed = 0;
            boolean grpc = false;
            double duration = 10;
            double warmup = 3;
            Integer connections = null;
            int streams = 100;
            int maxOutstanding = 10_000;
            double timeout = 10;
            String method = null;
            byte[] body = null;
            List<String[]> headers = new ArrayList<>();
            Path histogram = null;
            Map<String, List<Long>> cpuOf = new LinkedHashMap<>();
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
                if ("--grpc".equals(arg)) {
                    grpc = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(arg + " needs a value");
                }
                String value = args[++i];
                switch (arg) {
                    case "--rate" -> rate = number(arg, value);
                    case "--closed" -> closed = count(arg, value);
                    case "--duration" -> duration = number(arg, value);
                    case "--warmup" -> warmup = number(arg, value);
                    case "--connections" -> connections = count(arg, value);
                    case "--streams" -> streams = count(arg, value);
                    case "--max-outstanding" -> maxOutstanding = count(arg, value);
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
                    case "--cpu-of" -> {
                        int equals = value.indexOf('=');
                        if (equals <= 0 || !value.substring(0, equals).matches("[a-z0-9_]+")) {
                            throw new IllegalArgumentException("--cpu-of takes NAME=PID[,PID...] with a NAME of"
                                    + " lower-case letters, digits and _, not '" + value + "'");
                        }
                        List<Long> pids = new ArrayList<>();
                        for (String pid : value.substring(equals + 1).split(",")) {
                            pids.add((long) count(arg, pid.trim()));
                        }
                        cpuOf.put(value.substring(0, equals), pids);
                    }
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            }
            if (url == null || (rate == null) == (closed == 0)) {
                throw new IllegalArgumentException("a URL and one of --rate and --closed are required");
            }
            if (connections == null) {
                connections = grpc ? 1 : closed > 0 ? closed : 16;
            }
            String httpMethod = method != null ? method : body != null || grpc ? "POST" : "GET";
            return new Arguments(new Options(url, httpMethod, body, headers, rate == null ? 0 : rate,
                    seconds(duration), seconds(warmup), connections, maxOutstanding, seconds(timeout),
                    grpc ? Protocol.GRPC : Protocol.HTTP1, closed, streams), histogram, cpuOf);
        }

        private static double number(String option, String value) {
            try {
                return Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " takes a number, not '" + value + "'");
            }
        }

        private static int count(String option, String value) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " takes a whole number, not '" + value + "'");
            }
        }

        private static Duration seconds(double seconds) {
            return Duration.ofNanos(Math.round(seconds * 1e9));
        }
    }
}
