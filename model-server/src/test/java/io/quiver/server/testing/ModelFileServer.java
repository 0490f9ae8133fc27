package io.quiver.server.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on a free loopback port serving the files below a directory, for URL model
 * sources, and answering redirects where {@link #redirect} says.
 */
public final class ModelFileServer implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, String> redirects = new ConcurrentHashMap<>();
    /** Files are served once this is open; {@code POST /release} opens it. */
    private final CountDownLatch held = new CountDownLatch(1);

    public ModelFileServer(Path root) {
        this(root, false);
    }

    /** When {@code holding}, every file request waits until {@code POST /release} (at most a minute). */
    public ModelFileServer(Path root, boolean holding) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/release", exchange -> {
            held.countDown();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.createContext("/", exchange -> {
            try {
                if (!held.await(60, TimeUnit.SECONDS)) {
                    exchange.sendResponseHeaders(503, -1);
                    exchange.close();
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            String location = redirects.get(exchange.getRequestURI().getPath());
            if (location != null) {
                exchange.getResponseHeaders().set("Location", location);
                exchange.sendResponseHeaders(302, -1);
                exchange.close();
                return;
            }
            Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            byte[] body = Files.readAllBytes(file);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        // A held request waits on a thread of its own, so that /release is still answered.
        server.setExecutor(Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "model-file-server");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
        if (!holding) {
            held.countDown();
        }
    }

    /** GET {@code /path} answers 302 to {@code location}. */
    public ModelFileServer redirect(String path, String location) {
        redirects.put("/" + path, location);
        return this;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + path;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
