package io.quiver.manager.routing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.manager.registry.ServiceRecord;
import io.quiver.manager.registry.ServiceRegistry;
import io.quiver.manager.testing.TempDataDir;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Open Inference Protocol's binary tensor data passes through the manager byte for byte, with
 * the {@code Inference-Header-Content-Length} header both ways: to a stand-in model-server that
 * records what it got and answers in binary.
 */
@QuarkusTest
@WithTestResource(TempDataDir.class)
class BinaryTensorsPassThroughTest {
    private static final String HEADER = "Inference-Header-Content-Length";
    private static final String MODEL = "binary_passthrough";

    @Inject
    ServiceRegistry registry;

    @TestHTTPResource("/v2/models/" + MODEL + "/infer")
    URI infer;

    private HttpServer service;
    private final AtomicReference<byte[]> received = new AtomicReference<>();
    private final AtomicReference<String> receivedLength = new AtomicReference<>();
    private final AtomicReference<String> receivedType = new AtomicReference<>();
    private final byte[] answerJson = "{\"outputs\":[{\"name\":\"y\",\"datatype\":\"UINT8\",\"shape\":[3],\"parameters\":{\"binary_data_size\":3}}]}"
            .getBytes(StandardCharsets.UTF_8);
    private final byte[] answer = concat(answerJson, new byte[] {0, (byte) 0xff, 0x7f});

    @BeforeEach
    void startService() throws IOException {
        service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        service.createContext("/v2/models/" + MODEL + "/infer", exchange -> {
            received.set(exchange.getRequestBody().readAllBytes());
            receivedLength.set(exchange.getRequestHeaders().getFirst(HEADER));
            receivedType.set(exchange.getRequestHeaders().getFirst("Content-Type"));
            exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
            exchange.getResponseHeaders().set(HEADER, String.valueOf(answerJson.length));
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        service.createContext("/ready", exchange -> {
            byte[] ready = "{\"ready\": true}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, ready.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(ready);
            }
        });
        service.start();
        String url = "http://127.0.0.1:" + service.getAddress().getPort();
        registry.register(new ServiceRecord("binary-1", url, MODEL, List.of(MODEL), List.of("prediction"), List.of(),
                null, null, null, null, Instant.now()));
    }

    @AfterEach
    void stopService() {
        service.stop(0);
    }

    @Test
    void binaryRequestAndAnswerPassThroughByteForByte() throws Exception {
        byte[] json = ("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"BYTES\",\"shape\":[1],"
                + "\"parameters\":{\"binary_data_size\":7}}]}").getBytes(StandardCharsets.UTF_8);
        byte[] body = concat(json, new byte[] {3, 0, 0, 0, (byte) 0xe2, (byte) 0x82, (byte) 0xac});
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(infer)
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/octet-stream")
                        .header(HEADER, String.valueOf(json.length))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        assertArrayEquals(body, received.get(), "the model-server gets the bytes the client sent");
        assertEquals(String.valueOf(json.length), receivedLength.get());
        assertEquals("application/octet-stream", receivedType.get());
        assertArrayEquals(answer, response.body(), "the client gets the bytes the model-server answered");
        assertEquals(String.valueOf(answerJson.length), response.headers().firstValue(HEADER).orElse(null));
        assertEquals("application/octet-stream", response.headers().firstValue("Content-Type").orElse(null));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
