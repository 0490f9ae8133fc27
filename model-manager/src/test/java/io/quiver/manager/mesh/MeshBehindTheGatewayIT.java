package io.quiver.manager.mesh;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.examples.ExampleModels;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpHeaders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real nginx gateway in front of a real manager and model-server: the gateway's users and the
 * manager's tokens, routing by host and path, the body and rate limits, and the request id from the client to the replica and the
 * access log, and a POST that timed out not sent again. The rate limit is shown on a second
 * gateway with a tight one, the retry rule on a third in front of a hanging address as well.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshBehindTheGatewayIT {
    private static final String CONFIG = "config." + Gateway.DOMAIN;
    private static final String MODELS = "models." + Gateway.DOMAIN;
    private static final int TIGHT_RATE_PER_SECOND = 1;
    private static final int TIGHT_BURST = 5;
    private static final int MAX_BODY_KIB = 64;
    private static final double[] SERIES = {0.0, 0.01, 0.02, 0.03};

    private static final String CONTROL_TOKEN = "gateway-it-control-token";
    private static final String DATA_TOKEN = "gateway-it-data-token";

    /** The manager as production runs it: tokens required, which the model-server registers with. */
    @RegisterExtension
    @Order(1)
    static final Mesh MESH = Mesh.withReplicas(1).withApiTokens(CONTROL_TOKEN, DATA_TOKEN).selfRegistering();

    @RegisterExtension
    @Order(2)
    static final Gateway GATEWAY = withTokens(Gateway.inFrontOf(MESH)).setting("GATEWAY_MAX_BODY", MAX_BODY_KIB + "k");

    /** A second gateway whose rate limit a test can spend without slowing the others. */
    @RegisterExtension
    @Order(3)
    static final Gateway TIGHT = withTokens(Gateway.inFrontOf(MESH))
            .setting("GATEWAY_RATE", TIGHT_RATE_PER_SECOND + "r/s")
            .setting("GATEWAY_BURST", Integer.toString(TIGHT_BURST));

    /** Accepts connections (the kernel does) and never answers: a manager address that hangs. */
    private static final ServerSocket SILENT = silentSocket();

    /** A third gateway balancing between the hanging address and the manager, with a 1 s timeout. */
    @RegisterExtension
    @Order(4)
    static final Gateway HALF_HUNG = withTokens(Gateway.inFrontOf(MESH))
            .alsoInFrontOf("http://127.0.0.1:" + SILENT.getLocalPort())
            .setting("GATEWAY_UPSTREAM_TIMEOUT", "1s");

    /** A fourth gateway, whose rate limit leaves room for many requests at once from one address. */
    @RegisterExtension
    @Order(5)
    static final Gateway ROOMY = withTokens(Gateway.inFrontOf(MESH))
            .setting("GATEWAY_RATE", "1000r/s").setting("GATEWAY_BURST", "1000");

    private static Gateway withTokens(Gateway gateway) {
        return gateway.setting("MANAGER_CONTROL_TOKEN", CONTROL_TOKEN).setting("MANAGER_DATA_TOKEN", DATA_TOKEN);
    }

    @BeforeAll
    static void theReplicaHasRegisteredWithItsToken() {
        Mesh.await("replica-1 registered itself", Duration.ofSeconds(30), () -> MESH.services().containsKey("replica-1"));
    }

    /** A warning at every start teaches operators to ignore warnings. */
    @Test
    @Order(0)
    void theServicesStartWithoutWarnings() throws IOException {
        List<ServiceProcess> services = new ArrayList<>(MESH.replicas());
        services.add(MESH.manager());
        for (ServiceProcess service : services) {
            List<String> warnings = Files.readAllLines(service.log()).stream()
                    .filter(line -> line.contains(" WARN ") || line.contains(" ERROR ")).toList();
            assertEquals(List.of(), warnings, service.name() + " logged at start");
        }
    }

    @Test
    @Order(0)
    void theManagerItselfRefusesCallsWithoutItsToken() throws Exception {
        Http.Answer direct = new Http().post(MESH.managerUri("/predict"), Forecasts.body(SERIES));
        assertEquals(401, direct.status(), direct.toString());
    }

    @Test
    @Order(1)
    void withoutCredentialsOnlyTheHealthEndpointsAnswer() {
        Response prediction = anonymous(MODELS).body(Forecasts.body(SERIES)).post("/predict");
        assertEquals(401, prediction.statusCode(), prediction.asString());
        assertTrue(prediction.header("WWW-Authenticate").startsWith("Basic "), prediction.headers().toString());
        assertTrue(json(prediction).path("error").asText().contains("credentials"), prediction.asString());
        assertEquals(prediction.header("X-Request-Id"), json(prediction).path("request_id").asText());

        Response services = anonymous(CONFIG).get("/services");
        assertEquals(401, services.statusCode(), services.asString());

        Response wrongPassword = anonymous(CONFIG).auth().preemptive().basic(Gateway.USER, "not-" + GATEWAY.password())
                .get("/services");
        assertEquals(401, wrongPassword.statusCode(), wrongPassword.asString());

        for (String host : List.of(CONFIG, MODELS)) {
            Response health = anonymous(host).get("/health");
            assertEquals(200, health.statusCode(), host + "/health: " + health.asString());
            assertEquals("UP", json(health).path("status").asText(), "the manager's own health: " + health.asString());
        }
    }

    @Test
    @Order(2)
    void withCredentialsControlCallsAndPredictionsAreServed() {
        Response services = authenticated(CONFIG).get("/services");
        assertEquals(200, services.statusCode(), services.asString());
        assertEquals("replica-1", json(services).path("services").path(0).path("service_id").asText(), services.asString());

        Response prediction = authenticated(MODELS).body(Forecasts.body(SERIES)).post("/predict");
        assertNull(Forecasts.problem(answer(prediction), SERIES));

        // The dashboard on the control host: its page, and its data with the gateway's token added.
        Response page = authenticated(CONFIG).get("/dashboard/");
        assertEquals(200, page.statusCode(), page.asString());
        assertTrue(page.contentType().startsWith("text/html"), page.contentType());
        Response summary = authenticated(CONFIG).get("/dashboard/api/summary");
        assertEquals(200, summary.statusCode(), summary.asString());
        assertEquals("replica-1", json(summary).path("services").path(0).path("service_id").asText(), summary.asString());
    }

    @Test
    @Order(3)
    void theHostNamesTheApiAndThePathTheEndpoint() {
        Response predictionOnConfig = authenticated(CONFIG).body(Forecasts.body(SERIES)).post("/predict");
        assertEquals(404, predictionOnConfig.statusCode(), predictionOnConfig.asString());
        assertTrue(json(predictionOnConfig).path("error").asText().contains(MODELS), predictionOnConfig.asString());
        assertEquals("", accessLogOf(predictionOnConfig).path("upstream").asText(), "the manager must not see it");

        Response servicesOnModels = authenticated(MODELS).get("/services");
        assertEquals(404, servicesOnModels.statusCode(), servicesOnModels.asString());
        assertTrue(json(servicesOnModels).path("error").asText().contains(CONFIG), servicesOnModels.asString());

        Response unknownHost = authenticated("127.0.0.1").get("/services");
        assertEquals(404, unknownHost.statusCode(), unknownHost.asString());
        assertTrue(json(unknownHost).path("error").asText().contains("unknown host"), unknownHost.asString());

        // The V2 protocol on the model host reaches a replica through the manager.
        Response metadata = authenticated(MODELS).get("/v2/models/" + ExampleModels.LSTM_FORECASTER);
        assertEquals(200, metadata.statusCode(), metadata.asString());
        assertEquals("replica-1", metadata.header("X-Served-By"));
        assertEquals(ExampleModels.LSTM_FORECASTER, json(metadata).path("name").asText(), metadata.asString());

        // Seed 001's paths go to the manager, whatever it answers for them.
        Response apiV1 = authenticated(MODELS).body("{\"features\": {\"x\": 1}}").post("/api/v1/predictions");
        assertEquals("127.0.0.1:" + MESH.manager().port(), accessLogOf(apiV1).path("upstream").asText(),
                "/api/v1/predictions must be proxied to the manager: " + apiV1.statusCode() + " " + apiV1.asString());
    }

    @Test
    @Order(4)
    void theRequestIdReachesTheReplicaAndTheAccessLog() {
        // A malformed prediction: the replica's own 400 names the request id it was given.
        String malformed = "{\"model_type\": \"" + Mesh.MODEL_TYPE + "\", \"data\": \"oops\"}";
        Response own = authenticated(MODELS).header("X-Request-Id", "gateway-it-1").body(malformed).post("/predict");
        assertEquals(400, own.statusCode(), own.asString());
        assertEquals("replica-1", own.header("X-Served-By"));
        assertEquals("gateway-it-1", json(own).path("request_id").asText(), "the replica saw another id: " + own.asString());
        assertEquals(List.of("gateway-it-1"), own.headers().getValues("X-Request-Id"));
        JsonNode logged = accessLogOf(own);
        assertEquals(400, logged.path("status").asInt(), logged.toString());
        assertEquals(Gateway.USER, logged.path("user").asText(), logged.toString());

        // Without one, the gateway makes one up and it travels the same way.
        Response made = authenticated(MODELS).body(malformed).post("/predict");
        String id = made.header("X-Request-Id");
        assertNotNull(id, made.headers().toString());
        assertEquals(id, json(made).path("request_id").asText(), made.asString());
        assertEquals(400, accessLogOf(made).path("status").asInt());

        // An id that could not be written into JSON as it is gets replaced, not passed on.
        Response odd = authenticated(MODELS).header("X-Request-Id", "a\"b").body(malformed).post("/predict");
        assertTrue(odd.header("X-Request-Id").matches("[0-9a-f]{32}"), odd.headers().toString());
        assertEquals(odd.header("X-Request-Id"), json(odd).path("request_id").asText());
    }

    @Test
    @Order(5)
    void aBodyOverTheLimitIsRefusedBeforeTheManagerSeesIt() {
        String big = "{\"model_type\": \"LSTM\", \"data\": [" + "0.0,".repeat(MAX_BODY_KIB * 1024 / 4) + "0.0]}";
        Response answer = authenticated(MODELS).body(big).post("/predict");
        assertEquals(413, answer.statusCode(), answer.asString());
        assertTrue(json(answer).path("error").asText().contains(MAX_BODY_KIB + "k"), answer.asString());
        assertEquals("", accessLogOf(answer).path("upstream").asText(), "the manager must not see it");
    }

    @Test
    @Order(6)
    void aBurstOverTheRateIsAnswered429() {
        int requests = 25;
        Map<Integer, Integer> statuses = new TreeMap<>();
        Response refused = null;
        long start = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            Response answer = authenticated(TIGHT, MODELS).body(Forecasts.body(SERIES)).post("/predict");
            statuses.merge(answer.statusCode(), 1, Integer::sum);
            if (answer.statusCode() == 429) {
                refused = answer;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int served = statuses.getOrDefault(200, 0);
        System.out.printf("[mesh] %s burst: requests=%d statuses=%s elapsed=%.2fs rate=%d/s burst=%d%n",
                getClass().getSimpleName(), requests, statuses, seconds, TIGHT_RATE_PER_SECOND, TIGHT_BURST);

        assertEquals(requests, served + statuses.getOrDefault(429, 0), "only 200 and 429 expected: " + statuses);
        assertNotNull(refused, "no request of the burst was refused: " + statuses);
        // nginx lets the burst through at once and then one request per 1/rate seconds.
        assertTrue(served >= TIGHT_BURST, "fewer than the burst were served: " + statuses);
        assertTrue(served <= TIGHT_BURST + 1 + Math.ceil(seconds * TIGHT_RATE_PER_SECOND),
                "more were served than the rate allows in " + seconds + " s: " + statuses);
        assertTrue(json(refused).path("error").asText().contains("too many requests"), refused.asString());
        assertEquals("1", refused.header("Retry-After"));
    }

    @Test
    @Order(7)
    void aPostThatTimedOutIsNotSentAgainToAnotherAddress() {
        // Round-robin over two addresses, the hanging one marked failed for 5 s after its first
        // timeout: of two POSTs, one meets the hanging address whichever order nginx picks.
        List<Integer> posts = new ArrayList<>();
        Response timedOut = null;
        for (int i = 0; i < 2; i++) {
            Response answer = authenticated(HALF_HUNG, MODELS).body(Forecasts.body(SERIES)).post("/predict");
            posts.add(answer.statusCode());
            if (answer.statusCode() == 504) {
                timedOut = answer;
            }
        }
        assertEquals(List.of(200, 504), posts.stream().sorted().toList(),
                "one POST must time out on the hanging address and not be sent on to the manager");
        assertTrue(json(timedOut).path("error").asText().contains("did not answer within 1s"), timedOut.asString());
    }

    @AfterAll
    static void closeTheHangingAddress() throws IOException {
        SILENT.close();
    }

    /**
     * nginx keeps GATEWAY_UPSTREAM_KEEPALIVE idle connections to the manager and closes any it
     * opened beyond them once their request is answered; each such connection costs the manager an
     * accept and a new pipeline. With the default, a few rounds of 32 requests at once leave no
     * closed connection (nginx's end in TIME_WAIT) towards the manager.
     */
    @Test
    @Order(8)
    void connectionsToTheManagerStayOpenForTheRequestsInFlight() throws Exception {
        int inFlight = 32;
        int rounds = 5;
        long closedBefore = closedConnectionsTo(MESH.manager().port());
        ExecutorService clients = Executors.newFixedThreadPool(inFlight);
        try {
            CyclicBarrier together = new CyclicBarrier(inFlight);
            for (int round = 0; round < rounds; round++) {
                List<Future<Integer>> statuses = new ArrayList<>();
                for (int i = 0; i < inFlight; i++) {
                    statuses.add(clients.submit(() -> {
                        together.await(10, TimeUnit.SECONDS);
                        return authenticated(ROOMY, MODELS).body(Forecasts.body(SERIES)).post("/predict").statusCode();
                    }));
                }
                for (Future<Integer> status : statuses) {
                    assertEquals(200, status.get(30, TimeUnit.SECONDS));
                }
            }
        } finally {
            clients.shutdownNow();
        }
        long closed = closedConnectionsTo(MESH.manager().port()) - closedBefore;
        System.out.printf("[mesh] %s: %d rounds of %d requests at once, connections to the manager closed: %d%n",
                getClass().getSimpleName(), rounds, inFlight, closed);
        assertTrue(closed <= 2, closed + " connections to the manager were closed after their request");
    }

    /** Connections to 127.0.0.1:{@code port} that this machine closed and holds in TIME_WAIT (from /proc/net/tcp). */
    private static long closedConnectionsTo(int port) throws IOException {
        String remote = String.format("0100007F:%04X", port);
        try (var lines = Files.lines(Path.of("/proc/net/tcp"))) {
            return lines.skip(1).map(String::trim).map(l -> l.split("\\s+"))
                    .filter(f -> f.length > 3 && f[2].equals(remote) && f[3].equals("06"))
                    .count();
        }
    }

    private static ServerSocket silentSocket() {
        try {
            return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RequestSpecification anonymous(String host) {
        return anonymous(GATEWAY, host);
    }

    private static RequestSpecification anonymous(Gateway gateway, String host) {
        return given().baseUri(gateway.uri("").toString()).header("Host", host).contentType("application/json")
                .redirects().follow(false);
    }

    private static RequestSpecification authenticated(String host) {
        return authenticated(GATEWAY, host);
    }

    private static RequestSpecification authenticated(Gateway gateway, String host) {
        return anonymous(gateway, host).auth().preemptive().basic(Gateway.USER, gateway.password());
    }

    private static JsonNode json(Response response) {
        try {
            return Http.JSON.readTree(response.asString());
        } catch (JsonProcessingException e) {
            throw new AssertionError("HTTP " + response.statusCode() + " body is not JSON: " + response.asString(), e);
        }
    }

    /** The access-log line of the answer's request id; nginx writes it just after answering. */
    private static JsonNode accessLogOf(Response response) {
        String id = response.header("X-Request-Id");
        assertNotNull(id, "no X-Request-Id on " + response.statusCode() + " " + response.asString());
        return Mesh.await("the access log has a line for request " + id, Duration.ofSeconds(5), () -> {
            for (String line : GATEWAY.accessLog()) {
                try {
                    JsonNode entry = Http.JSON.readTree(line);
                    if (id.equals(entry.path("request_id").asText())) {
                        return Optional.of(entry);
                    }
                } catch (JsonProcessingException e) {
                    throw new AssertionError("an access-log line is not JSON: " + line, e);
                }
            }
            return Optional.empty();
        });
    }

    private static Http.Answer answer(Response response) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        response.headers().forEach(h -> headers.computeIfAbsent(h.getName(), k -> new ArrayList<>()).add(h.getValue()));
        return new Http.Answer(response.statusCode(), response.asString(), HttpHeaders.of(headers, (k, v) -> true),
                response.timeIn(TimeUnit.NANOSECONDS));
    }
}
