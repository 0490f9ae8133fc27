package io.quiver.common.http;

import io.quarkus.vertx.http.HttpServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.tracing.TracingPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ObjIntConsumer;
import java.util.function.Supplier;

/**
 * Requests a service sends itself over loopback HTTP before it reports ready, so that the first
 * clients' requests do not pay for the JVM's first pass over the request path: the model-server's
 * request-path warm-up and the manager's warm-up. Two senders keep a request and an answer in
 * flight at once, as concurrent clients would, each on its own {@link LoopbackConnection} and a new
 * one every {@value #REQUESTS_PER_CONNECTION} requests, as clients open them; gRPC calls go beside
 * them over HTTP/2 ({@link #sendGrpc}).
 */
public final class SelfRequests {
    private static final int SENDERS = 2;
    private static final int REQUESTS_PER_CONNECTION = 16;
    private static final Duration PORT_WAIT = Duration.ofSeconds(30);
    private static final Duration FIRST_PASS_CAP = Duration.ofSeconds(60);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final String GRPC_STATUS = "grpc-status";

    /** Requests answered 200, and the others (another status, or no answer). */
    public record Counts(long answered, long failed) {
    }

    /**
     * One unary gRPC call of a warm-up: what it warms ({@code label}), its path, its message framed
     * with gRPC's 5-byte prefix, and metadata beside the content type.
     */
    public record GrpcCall(String label, String path, Buffer framed, Map<String, String> metadata) {
        public static GrpcCall of(String label, String path, byte[] message, Map<String, String> metadata) {
            // Not compressed, then the message's length.
            return new GrpcCall(label, path, Buffer.buffer().appendByte((byte) 0).appendInt(message.length)
                    .appendBytes(message), metadata);
        }
    }

    private SelfRequests() {
    }

    /**
     * Sends {@code targets} in turn, every one once and then for {@code duration}, and returns when
     * that is over or the list is empty: the first requests of a cold JVM take up to a second each
     * on a small machine, and must not eat the time that compiles the path; a cap of a minute more
     * ends it however slow that first pass is. {@code refused} hears of every answer but 200 (it may
     * take its target out of {@code targets}, which must then allow that while it is read, as a
     * {@link java.util.concurrent.CopyOnWriteArrayList} does).
     *
     * @param head a target's request line and headers, without its length and the blank line
     */
    public static <T> Counts send(String address, int port, Duration duration, List<T> targets,
                                  Function<T, byte[]> head, Function<T, byte[]> body, ObjIntConsumer<T> refused) {
        long started = System.nanoTime();
        AtomicLong end = new AtomicLong(Long.MAX_VALUE);
        long cap = started + duration.toNanos() + FIRST_PASS_CAP.toNanos();
        int firstPass = targets.size();
        AtomicInteger next = new AtomicInteger();
        AtomicLong answered = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Thread> senders = new ArrayList<>(SENDERS);
        for (int i = 0; i < SENDERS; i++) {
            Thread sender = new Thread(() -> {
                LoopbackConnection connection = null;
                int sentOnIt = 0;
                try {
                    while (!targets.isEmpty()) {
                        long now = System.nanoTime();
                        long at = end.get();
                        if (at != Long.MAX_VALUE && now - at > 0 || now - cap > 0) {
                            return;
                        }
                        int turn = next.getAndIncrement();
                        if (turn >= firstPass) {
                            end.compareAndSet(Long.MAX_VALUE, now + duration.toNanos());
                        }
                        T target;
                        try {
                            target = targets.get(Math.floorMod(turn, targets.size()));
                        } catch (IndexOutOfBoundsException taken) {
                            continue;
                        }
                        try {
                            if (connection == null || sentOnIt == REQUESTS_PER_CONNECTION) {
                                if (connection != null) {
                                    connection.close();
                                }
                                connection = new LoopbackConnection(address, port, REQUEST_TIMEOUT);
                                sentOnIt = 0;
                            }
                            sentOnIt++;
                            int status = connection.send(head.apply(target), body.apply(target));
                            if (status == 200) {
                                answered.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                                refused.accept(target, status);
                            }
                        } catch (IOException | RuntimeException e) {
                            failed.incrementAndGet();
                            if (connection != null) {
                                connection.close();
                                connection = null;
                            }
                            // A refused or reset connection: the service is not taking requests yet or any more.
                            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
                        }
                    }
                } finally {
                    if (connection != null) {
                        connection.close();
                    }
                }
            }, "warmup-requests-" + i);
            sender.setDaemon(true);
            sender.start();
            senders.add(sender);
        }
        for (Thread sender : senders) {
            try {
                sender.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return new Counts(answered.get(), failed.get());
    }

    /**
     * Sends {@code calls} in turn, one at a time on one HTTP/2 connection without TLS, as a gRPC
     * channel keeps it, until {@code over} says so or the list is empty; meant to run beside
     * {@link #send}. A call that ends with a grpc-status other than 0 is counted failed and handed to
     * {@code refused}, which may take it out of {@code calls} (then a list that allows that while it
     * is read, as a {@link java.util.concurrent.CopyOnWriteArrayList} does).
     */
    public static Counts sendGrpc(Vertx vertx, String address, int port, List<GrpcCall> calls, BooleanSupplier over,
                                  Consumer<GrpcCall> refused) {
        String host = address.startsWith("[") ? address.substring(1, address.length() - 1) : address;
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false).setTracingPolicy(TracingPolicy.IGNORE));
        long answered = 0;
        long failed = 0;
        try {
            for (int turn = 0; !over.getAsBoolean() && !calls.isEmpty(); turn++) {
                GrpcCall call;
                try {
                    call = calls.get(Math.floorMod(turn, calls.size()));
                } catch (IndexOutOfBoundsException taken) {
                    continue;
                }
                RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port)
                        .setURI(call.path()).putHeader("content-type", "application/grpc").putHeader("te", "trailers");
                call.metadata().forEach(options::putHeader);
                try {
                    String status = client.request(options).compose(request -> request.send(call.framed()))
                            .compose(response -> response.body().map(body -> response.getTrailer(GRPC_STATUS) != null
                                    ? response.getTrailer(GRPC_STATUS) : response.getHeader(GRPC_STATUS)))
                            .toCompletionStage().toCompletableFuture()
                            .get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    if ("0".equals(status)) {
                        answered++;
                    } else {
                        failed++;
                        refused.accept(call);
                    }
                } catch (ExecutionException | TimeoutException e) {
                    failed++;
                    LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            client.close();
        }
        return new Counts(answered, failed);
    }

    /** What {@link #alongside} sent: the HTTP requests and the gRPC calls, each counted. */
    public record Sent(Counts http, Counts grpc) {
        public long answered() {
            return http.answered() + grpc.answered();
        }

        public long failed() {
            return http.failed() + grpc.failed();
        }
    }

    /**
     * Runs {@code http} (a {@link #send}) here and {@code grpc} (a {@link #sendGrpc}, given when to
     * stop) on a thread of its own beside it, and stops the gRPC calls when the HTTP requests are over.
     */
    public static Sent alongside(Supplier<Counts> http, Function<BooleanSupplier, Counts> grpc) {
        AtomicBoolean over = new AtomicBoolean();
        CompletableFuture<Counts> calls = CompletableFuture.supplyAsync(() -> grpc.apply(over::get), task -> {
            Thread thread = new Thread(task, "warmup-grpc");
            thread.setDaemon(true);
            thread.start();
        });
        Counts sent;
        try {
            sent = http.get();
        } finally {
            over.set(true);
        }
        return new Sent(sent, calls.join());
    }

    /** The server's HTTP port once it listens, or 0 when it does not within half a minute. */
    public static int awaitPort(HttpServer server) {
        long deadline = System.nanoTime() + PORT_WAIT.toNanos();
        int port;
        while ((port = server.getPort()) <= 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
        return Math.max(port, 0);
    }

    /** The address to reach a service at from itself: its listening address {@code host}, unless it listens on all. */
    public static String loopback(String host) {
        String h = host.trim();
        if (h.isEmpty() || h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]")) {
            return "127.0.0.1";
        }
        return h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h;
    }
}
