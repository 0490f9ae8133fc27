package io.quiver.server.payloadlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on a free loopback port taking the payload log's POSTs as a CloudEvents
 * collector would: it records each batch's content type and events and answers 202. It checks
 * nothing itself; the tests read what it recorded. The server logs to it and to a file:
 * house_price and fraud_classifier every request, other models none, bodies cut at 1 KiB,
 * {@code age} and {@code label} redacted.
 */
public class Collector extends LoggingServer {
    /** One POST as it arrived. */
    record Batch(String contentType, List<JsonNode> events) {
    }

    private static final List<Batch> BATCHES = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @Override
    Map<String, String> settings() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/events", this::take);
        server.setExecutor(Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "payload-collector");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
        return Map.of(
                "quiver.payload-log.http.url", "http://127.0.0.1:" + server.getAddress().getPort() + "/events",
                "quiver.payload-log.http.batch-size", "5",
                "quiver.payload-log.http.flush-interval", "50ms",
                "quiver.payload-log.sample-rate", "0",
                "quiver.payload-log.sample-rates.house_price", "1",
                // As an environment variable gives it: QUIVER_PAYLOAD_LOG_SAMPLE_RATES_FRAUD_CLASSIFIER.
                "quiver.payload-log.sample-rates.fraud.classifier", "1",
                "quiver.payload-log.max-body-size", "1K",
                "quiver.payload-log.redacted-fields", "age,label");
    }

    private void take(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            List<JsonNode> events = new ArrayList<>();
            body.forEach(events::add);
            BATCHES.add(new Batch(exchange.getRequestHeaders().getFirst("Content-Type"), events));
            exchange.sendResponseHeaders(202, -1);
        }
    }

    @Override
    void close() {
        server.stop(0);
    }

    static List<Batch> batches() {
        return List.copyOf(BATCHES);
    }
}
