package io.quiver.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the tracing rows' services export their spans: OTLP over HTTP ({@code POST /v1/traces})
 * answered 200 at once, the body read and counted but not decoded, so that the rows measure what
 * tracing costs the services and not a collector. {@code GET /count} says how many export requests
 * and bytes came, to show the spans did leave.
 */
public final class OtlpSink {
    private OtlpSink() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: OtlpSink <port>");
            System.exit(2);
        }
        AtomicLong requests = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                Integer.parseInt(args[0])), 64);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/v1/traces", exchange -> {
            try (exchange; InputStream body = exchange.getRequestBody()) {
                bytes.addAndGet(body.transferTo(java.io.OutputStream.nullOutputStream()));
                requests.incrementAndGet();
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.createContext("/count", exchange -> {
            try (exchange) {
                byte[] answer = ("requests=" + requests.get() + " bytes=" + bytes.get() + "\n").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
            }
        });
        server.start();
    }
}
