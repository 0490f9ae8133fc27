package io.quiver.manager.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which Open Inference Protocol requests the manager forwards, and to which model: the name is
 * the path's segment after {@code /v2/models/}, escapes decoded and case ignored as the registry
 * ignores it; GET with or without a further path, POST only with one. A stand-in model-server
 * records every request that reaches it.
 */
@QuarkusTest
@WithTestResource(TempDataDir.class)
class V2RoutesTest {
    private static final String MODEL = "route_probe";

    @Inject
    ServiceRegistry registry;

    @TestHTTPResource("/")
    URI manager;

    private HttpServer service;
    private final List<String> reached = new CopyOnWriteArrayList<>();
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void startService() throws IOException {
        service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        service.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String seen = exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath()
                    + (body.length > 0 ? " " + new String(body, StandardCharsets.UTF_8) : "");
            if (!exchange.getRequestURI().getPath().equals("/ready")) {
                reached.add(seen);
            }
            byte[] answer = "{\"ready\": true}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        service.start();
        String url = "http://127.0.0.1:" + service.getAddress().getPort();
        registry.register(new ServiceRecord("route-probe-1", url, MODEL, List.of(MODEL), List.of("prediction"), List.of(),
                null, null, null, null, Instant.now()));
    }

    @AfterEach
    void stopService() {
        registry.remove("route-probe-1");
        service.stop(0);
    }

    @Test
    void modelRequestsReachTheModelsServiceWithTheirPathAsSent() throws Exception {
        assertEquals(200, send("GET", "/v2/models/" + MODEL, null).statusCode());
        assertEquals(200, send("GET", "/v2/models/" + MODEL + "/ready", null).statusCode());
        assertEquals(200, send("POST", "/v2/models/" + MODEL + "/infer", "{\"inputs\": []}").statusCode());
        assertEquals(200, send("POST", "/v2/models/" + MODEL + "/versions/2/infer", "{}").statusCode());
        assertEquals(List.of("GET /v2/models/" + MODEL, "GET /v2/models/" + MODEL + "/ready",
                "POST /v2/models/" + MODEL + "/infer {\"inputs\": []}", "POST /v2/models/" + MODEL + "/versions/2/infer {}"),
                reached);
    }

    @Test
    void theNameIsDecodedAndItsCaseIgnoredAsTheRegistryDoes() throws Exception {
        assertEquals(200, send("POST", "/v2/models/Route_Probe/infer", "{}").statusCode());
        assertEquals(200, send("POST", "/v2/models/route%5Fprobe/infer", "{}").statusCode());
        assertEquals(List.of("POST /v2/models/Route_Probe/infer {}", "POST /v2/models/route%5Fprobe/infer {}"), reached);
    }

    @Test
    void requestsThatNameNoModelOrNoOperationAreNotForwarded() throws Exception {
        HttpResponse<String> noOperation = send("POST", "/v2/models/" + MODEL, "{}");
        HttpResponse<String> noName = send("GET", "/v2/models/", null);
        HttpResponse<String> otherMethod = send("DELETE", "/v2/models/" + MODEL + "/infer", null);
        for (HttpResponse<String> refused : List.of(noOperation, noName, otherMethod)) {
            assertTrue(refused.statusCode() >= 400 && refused.statusCode() < 500,
                    refused.request().method() + " " + refused.uri() + " answered " + refused.statusCode());
        }
        assertEquals(List.of(), reached, "none of them reached the model's service");
    }

    @Test
    void anUnknownModelIsANotFoundThatNamesIt() throws Exception {
        HttpResponse<String> answer = send("POST", "/v2/models/no_such_model/infer", "{}");
        assertEquals(404, answer.statusCode());
        assertTrue(answer.body().contains("no_such_model"), answer.body());
        assertEquals(List.of(), reached);
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(manager.resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
