package io.quiver.common.http;

import io.quarkus.vertx.http.HttpServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.ObjIntConsumer;

/**
 * Requests a service sends itself over loopback HTTP before it reports ready, so that the first
 * clients' requests do not pay for the JVM's first pass over the request path: the model-server's
 * request-path warm-up and the manager's warm-up. Two senders keep a request and an answer in
 * flight at once, as concurrent clients would, each on its own {@link LoopbackConnection} and a new
 * one every {@value #REQUESTS_PER_CONNECTION} requests, as clients open them.
 */
public final class SelfRequests {
    private static final int SENDERS = 2;
    private static final int REQUESTS_PER_CONNECTION = 16;
    private static final Duration PORT_WAIT = Duration.ofSeconds(30);
    private static final Duration FIRST_PASS_CAP = Duration.ofSeconds(60);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** Requests answered 200, and the others (another status, or no answer). */
    public record Counts(long answered, long failed) {
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
