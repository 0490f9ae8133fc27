package io.quiver.manager.mesh;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.manager.mesh.OtlpReceiver.Span;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One trace per request, from the real nginx gateway through a real manager to a real model-server,
 * exported over OTLP (HTTP, protobuf) to a receiver in this test ({@link OtlpReceiver}, a stand-in
 * for a collector, which does not run here). A second mesh with tracing at its default, off,
 * answers without any traceparent, and runs no exporter.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshTracingIT {
    private static final String MANAGER = "quiver-model-manager";
    private static final String SERVER = "quiver-model-server";
    private static final String EXPORTER_THREAD = "BatchSpanProcessor";
    private static final double[] SERIES = {0.0, 0.01, 0.02, 0.03};
    private static final Duration EXPORTED = Duration.ofSeconds(20);

    private static final OtlpReceiver COLLECTOR = OtlpReceiver.start();

    /**
     * Traced: every service exports to {@link #COLLECTOR} every 100 ms. The health checks never take
     * a service out and live traffic never ejects one, so that the dead service the retry test
     * registers stays in the rotation.
     */
    @RegisterExtension
    @Order(1)
    static final Mesh TRACED = Mesh.withReplicas(1).registered()
            .setting("QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", COLLECTOR.url())
            .setting("QUARKUS_OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf")
            .setting("QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "100ms")
            .managerSetting("QUIVER_MANAGER_HEALTH_UNHEALTHY_THRESHOLD", "100000")
            .managerSetting("QUIVER_MANAGER_HEALTH_EJECT_AFTER_FAILURES", "100000");

    @RegisterExtension
    @Order(2)
    static final Gateway GATEWAY = Gateway.inFrontOf(TRACED);

    /** Tracing at its default: no endpoint set. */
    @RegisterExtension
    @Order(3)
    static final Mesh UNTRACED = Mesh.withReplicas(1).registered();

    @Test
    @Order(1)
    void aRequestWithTheClientsTraceparentIsOneConnectedTraceFromTheGatewayToOnnxRuntime() {
        String traceId = randomHex(16);
        String clientSpan = randomHex(8);
        Response answer = throughTheGateway().header("traceparent", "00-" + traceId + "-" + clientSpan + "-01")
                .body(Forecasts.body(SERIES)).post("/predict");
        assertEquals(200, answer.statusCode(), answer.asString());

        List<Span> trace = awaitTrace(traceId, spans -> has(spans, SERVER, "onnx.run"));
        Span managerServer = only(trace, MANAGER, s -> s.kind() == Span.SERVER);
        assertEquals(clientSpan, managerServer.parentId(), "the manager continues the client's trace: " + trace);
        assertEquals(Mesh.MODEL_TYPE, managerServer.attributes().get("quiver.model_type"));

        Span attempt = only(trace, MANAGER, s -> s.kind() == Span.CLIENT);
        assertEquals(managerServer.spanId(), attempt.parentId());
        assertEquals("replica-1", attempt.attributes().get("quiver.replica"));
        assertEquals(1L, attempt.attributes().get("quiver.attempt"));
        assertEquals("allowed", attempt.attributes().get("quiver.breaker.decision"));
        assertEquals(200L, attempt.attributes().get("http.response.status_code"));

        Span serverSpan = only(trace, SERVER, s -> s.kind() == Span.SERVER);
        assertEquals(attempt.spanId(), serverSpan.parentId(), "the model-server continues the attempt's span");
        assertEquals(serverSpan.spanId(), only(trace, SERVER, named("decode")).parentId());
        Span queue = only(trace, SERVER, named("queue"));
        assertEquals(serverSpan.spanId(), queue.parentId());
        Span batch = only(trace, SERVER, named("batch"));
        assertEquals(serverSpan.spanId(), batch.parentId(), "the batch hangs from the request it served");
        assertEquals(1L, batch.attributes().get("quiver.batch.size"));
        assertEquals(1L, batch.attributes().get("quiver.batch.rows"));
        assertEquals(batch.spanId(), only(trace, SERVER, named("onnx.run")).parentId());
        assertConnected(trace, clientSpan);
    }

    @Test
    @Order(2)
    void theGatewayStartsTheTraceWhenTheClientSentNone() {
        Response answer = throughTheGateway().body(Forecasts.body(SERIES)).post("/predict");
        assertEquals(200, answer.statusCode(), answer.asString());
        String requestId = answer.header("X-Request-Id");
        assertNotNull(requestId);

        // The trace id is the request id the gateway made up and answered with.
        List<Span> trace = awaitTrace(requestId, spans -> has(spans, SERVER, "onnx.run"));
        Span managerServer = only(trace, MANAGER, s -> s.kind() == Span.SERVER);
        assertTrue(managerServer.parentId().matches("[0-9a-f]{16}") && !managerServer.parentId().equals("0".repeat(16)),
                "the gateway's span id is the manager's parent: " + managerServer);
        assertConnected(trace, managerServer.parentId());
    }

    @Test
    @Order(2)
    void concurrentRequestsShareABatchThatLinksEveryRequestItServed() throws Exception {
        // A model batches what queues while a run is in progress; bursts of concurrent clients queue.
        Span batch = Mesh.await("a batch of more than one request", Duration.ofSeconds(60), () -> {
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Thread client = new Thread(() -> {
                    try {
                        TRACED.http().post(TRACED.managerUri("/predict"), Forecasts.body(SERIES));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                client.start();
                clients.add(client);
            }
            for (Thread client : clients) {
                try {
                    client.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return COLLECTOR.spans().stream().filter(named("batch"))
                    .filter(s -> (Long) s.attributes().get("quiver.batch.size") > 1).findFirst();
        });
        long size = (Long) batch.attributes().get("quiver.batch.size");
        assertEquals(size - 1, batch.links().size(), "one link per request but the one it hangs from: " + batch);
        for (String linked : batch.links()) {
            Span request = Mesh.await("the linked request's span " + linked, EXPORTED, () ->
                    COLLECTOR.spans().stream().filter(s -> s.spanId().equals(linked)).findFirst());
            assertEquals(SERVER, request.service());
            assertEquals(Span.SERVER, request.kind(), "a batch links the server spans of the requests it served");
        }
    }

    @Test
    @Order(3)
    void aRetryIsASecondAttemptSpanUnderTheSameRequest() throws Exception {
        // A service that refuses connections: an attempt on it fails at once and the request goes on.
        Http.Answer registered = TRACED.register("dead", "http://127.0.0.1:" + Mesh.freePort(), Mesh.MODEL_TYPE);
        assertTrue(registered.status() < 300, registered.toString());
        // Round robin sends the first or the second request to it (its breaker opens only later).
        List<Span> trace = Mesh.await("a request that tried the dead service first", Duration.ofSeconds(60), () -> {
            String traceId = randomHex(16);
            try {
                Http.Answer answer = TRACED.http().post(TRACED.managerUri("/predict"), Forecasts.body(SERIES),
                        "traceparent", "00-" + traceId + "-" + randomHex(8) + "-01");
                assertEquals(200, answer.status(), answer.toString());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            Optional<List<Span>> complete = Optional.of(awaitTrace(traceId, spans -> has(spans, SERVER, "onnx.run")));
            return complete.filter(spans -> spans.stream().filter(s -> s.kind() == Span.CLIENT).count() == 2);
        });
        Span managerServer = only(trace, MANAGER, s -> s.kind() == Span.SERVER);
        Span first = only(trace, MANAGER, s -> Long.valueOf(1).equals(s.attributes().get("quiver.attempt")));
        Span second = only(trace, MANAGER, s -> Long.valueOf(2).equals(s.attributes().get("quiver.attempt")));
        assertEquals(managerServer.spanId(), first.parentId());
        assertEquals(managerServer.spanId(), second.parentId());
        assertEquals("dead", first.attributes().get("quiver.replica"));
        assertEquals("retried", first.attributes().get("quiver.retry"));
        assertEquals("replica-1", second.attributes().get("quiver.replica"));
        assertEquals(second.spanId(), only(trace, SERVER, s -> s.kind() == Span.SERVER).parentId(),
                "the model-server continues the attempt that reached it");
    }

    @Test
    @Order(4)
    void withTracingOffRequestsNeedNoTraceparentAndNoExporterRuns() throws Exception {
        Http.Answer answer = UNTRACED.http().post(UNTRACED.managerUri("/predict"), Forecasts.body(SERIES));
        assertEquals(200, answer.status(), answer.toString());

        List<ServiceProcess> untraced = new ArrayList<>(UNTRACED.replicas());
        untraced.add(UNTRACED.manager());
        for (ServiceProcess service : untraced) {
            assertFalse(threads(service).contains(EXPORTER_THREAD), service.name() + " runs a span exporter");
            // An exporter sending to Quarkus' default, localhost:4317, where nothing listens, would say so.
            List<String> tracing = Files.readAllLines(service.log()).stream()
                    .filter(line -> line.contains(" WARN ") || line.contains(" ERROR "))
                    .filter(line -> line.contains("opentelemetry") || line.contains("otel")).toList();
            assertEquals(List.of(), tracing, service.name() + " warned about tracing");
        }
        // The check can fail: the traced services do run one.
        assertTrue(threads(TRACED.manager()).contains(EXPORTER_THREAD), "the traced manager runs no span exporter");
    }

    @AfterAll
    static void stopTheCollector() {
        COLLECTOR.close();
    }

    private static io.restassured.specification.RequestSpecification throughTheGateway() {
        return given().baseUri(GATEWAY.uri("").toString()).header("Host", "models." + Gateway.DOMAIN)
                .contentType("application/json").auth().preemptive().basic(Gateway.USER, GATEWAY.password());
    }

    /**
     * The trace once {@code complete} and both services' server spans are in: each ends after the
     * spans under it, so it may come in a later export than they.
     */
    private static List<Span> awaitTrace(String traceId, Predicate<List<Span>> complete) {
        return Mesh.await("trace " + traceId + " exported", EXPORTED, () -> {
            List<Span> spans = COLLECTOR.trace(traceId);
            boolean servers = spans.stream().filter(s -> s.kind() == Span.SERVER).map(Span::service).distinct().count() == 2;
            return complete.test(spans) && servers ? Optional.of(spans) : Optional.empty();
        });
    }

    /** Whether the trace has a span of {@code service} named {@code name} (any name when null). */
    private static boolean has(List<Span> trace, String service, String name) {
        return trace.stream().anyMatch(s -> s.service().equals(service) && (name == null || s.name().equals(name)));
    }

    private static Predicate<Span> named(String name) {
        return s -> s.name().equals(name);
    }

    private static Span only(List<Span> trace, String service, Predicate<Span> which) {
        List<Span> found = trace.stream().filter(s -> s.service().equals(service)).filter(which).toList();
        assertEquals(1, found.size(), "one such span of " + service + " expected in " + describe(trace));
        return found.get(0);
    }

    /** Every span leads, parent by parent, to the span the trace came from ({@code root}, never exported). */
    private static void assertConnected(List<Span> trace, String root) {
        Map<String, Span> byId = trace.stream().collect(Collectors.toMap(Span::spanId, s -> s));
        for (Span span : trace) {
            Span at = span;
            for (int depth = 0; depth < trace.size() && !at.parentId().equals(root); depth++) {
                at = byId.get(at.parentId());
                assertNotNull(at, span.name() + " does not lead to the trace's root: " + describe(trace));
            }
            assertEquals(root, at.parentId(), span.name() + " does not lead to the trace's root: " + describe(trace));
        }
    }

    private static String describe(List<Span> trace) {
        return trace.stream().map(s -> s.service() + ":" + s.name() + "(" + s.spanId() + "<-" + s.parentId() + ")")
                .collect(Collectors.joining(", "));
    }

    /** The names of a process's threads, as jcmd prints them. */
    private static String threads(ServiceProcess service) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(service.pid()), "Thread.print")
                .redirectErrorStream(true).start();
        String out = new String(dump.getInputStream().readAllBytes());
        assertTrue(dump.waitFor(30, TimeUnit.SECONDS) && dump.exitValue() == 0, "jcmd failed: " + out);
        return out;
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
