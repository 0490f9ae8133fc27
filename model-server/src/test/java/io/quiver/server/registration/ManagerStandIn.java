package io.quiver.server.registration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A real HTTP server on a free loopback port standing in for the model-manager's service registry:
 * it records every request and answers 201 to a register call, 200 to a heartbeat or a delete,
 * unless told to refuse some. It checks nothing itself; the tests read what it recorded. The
 * manager's own side of the contract is tested by the model-manager's end-to-end tests.
 */
public final class ManagerStandIn implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as it arrived (its Authorization header, or null), and the status it was answered with. */
    public record Call(int sequence, String method, String path, JsonNode body, String authorization, int answered) {
        boolean isRegister() {
            return method.equals("POST") && path.equals("/services/register");
        }

        boolean isHeartbeat() {
            return method.equals("PUT") && path.endsWith("/heartbeat");
        }
    }

    private final HttpServer server;
    private final List<Call> calls = new ArrayList<>();
    private final AtomicInteger registrationsToRefuse = new AtomicInteger();
    private final AtomicInteger heartbeatsToForget = new AtomicInteger();
    private volatile Duration delay = Duration.ZERO;

    public ManagerStandIn() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::answer);
        server.setExecutor(Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "manager-stand-in");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The next {@code count} register calls are answered 503, as by a manager that is starting. */
    public void refuseRegistrations(int count) {
        registrationsToRefuse.set(count);
    }

    /** The next heartbeat is answered 404, as by a manager whose lease for the service ran out. */
    public void forgetOnNextHeartbeat() {
        heartbeatsToForget.set(1);
    }

    /** Every answer is held back this long, as by a manager that has stopped answering. */
    public void answerAfter(Duration delay) {
        this.delay = delay;
    }

    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> calls(Predicate<Call> which) {
        return calls().stream().filter(which).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode body;
            try (InputStream in = exchange.getRequestBody()) {
                byte[] bytes = in.readAllBytes();
                body = bytes.length == 0 ? NullNode.getInstance() : JSON.readTree(bytes);
            }
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            int status = statusFor(method, path);
            synchronized (this) {
                calls.add(new Call(calls.size(), method, path, body,
                        exchange.getRequestHeaders().getFirst("Authorization"), status));
            }
            sleep(delay);
            byte[] answer = ("{\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
        }
    }

    private int statusFor(String method, String path) {
        if (method.equals("POST") && path.equals("/services/register")) {
            return registrationsToRefuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 503 : 201;
        }
        if (method.equals("PUT") && path.startsWith("/services/") && path.endsWith("/heartbeat")) {
            return heartbeatsToForget.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 404 : 200;
        }
        if (method.equals("DELETE") && path.startsWith("/services/")) {
            return 200;
        }
        return 405;
    }

    private static void sleep(Duration delay) {
        if (delay.isZero()) {
            return;
        }
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
