package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.examples.ExampleModels;
import io.quiver.examples.ReferenceModels;
import io.quiver.manager.mesh.AbusiveClients.Attack;
import io.quiver.manager.mesh.AbusiveClients.Target;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Slow and abusive clients against each entry point in turn (a model-server directly, the manager,
 * the gateway in front of the manager), while a well-behaved client sends forecasts at a fixed rate:
 * a header (slowloris) or a body trickled a byte a second, idle connections, connections that pipeline
 * requests and never read an answer, and {@code Expect: 100-continue} never followed by its body.
 * No request of the well-behaved client may fail, and every abusive connection must be closed by
 * the timeout configured for it (short ones here: {@value #TIMEOUT_SECONDS} s; a connection that
 * never reads is answered until the socket buffers are full first), except a body
 * trickled a byte a second, which nothing has a deadline for: at the services it stays open, at the
 * gateway no more than its per-address connection limit stays open (docs/reliability.md). While
 * connections that never read attack a service, its live heap (sampled every second with jcmd) must
 * stay under {@value #MAX_LIVE_HEAP_MB} MB of its 96 MB. The figures are printed at the end.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshSlowAndAbusiveClientsIT {
    private static final int TIMEOUT_SECONDS = 4;
    private static final String TIMEOUT = TIMEOUT_SECONDS + "s";
    private static final double RATE = 50;
    /** Long enough for the attack to be in full swing, its connections to time out, and a while after. */
    private static final Duration PHASE = Duration.ofSeconds(TIMEOUT_SECONDS + 5);
    /** A connection closed this much after its timeout is late: timers, and an event loop busy with the rest. */
    private static final Duration SLACK = Duration.ofSeconds(3);
    /**
     * At most how long a never-reading connection may take to fill the socket buffers and time out:
     * 15 to 30 s on this machine when idle, longer when busy; a server that never closed them fails.
     */
    private static final Duration UNTIL_BUFFERS_FULL = Duration.ofMinutes(3);
    private static final String MODELS_HOST = "models." + Gateway.DOMAIN;
    /** What the never-reading connections ask for: a model's metadata, a small JSON answer. */
    private static final String METADATA = "/v2/models/" + ExampleModels.LSTM_FORECASTER;
    /**
     * A service's live heap under never-reading clients: about 20 MB alone, it reached the 96 MB
     * maximum within seconds when Vert.x queued every pipelined request.
     */
    private static final long MAX_LIVE_HEAP_MB = 48;

    @RegisterExtension
    @Order(1)
    static final Mesh MESH = Mesh.withReplicas(1).selfRegistering()
            .managerSetting("QUARKUS_HTTP_IDLE_TIMEOUT", TIMEOUT)
            .replicaSetting("QUARKUS_HTTP_IDLE_TIMEOUT", TIMEOUT)
            // The replica's own admission limit is not what is tested here: on a shared build machine the
            // manager's default of 64 requests in flight is reached at times, and it would answer 503.
            .replicaSetting("QUIVER_REGISTRATION_MAX_CONCURRENT_REQUESTS", "512");

    /** The attackers come from another address than the client, so per-address limits apply to them alone. */
    @RegisterExtension
    @Order(2)
    static final Gateway GATEWAY = Gateway.inFrontOf(MESH)
            .setting("GATEWAY_CLIENT_HEADER_TIMEOUT", TIMEOUT)
            .setting("GATEWAY_CLIENT_BODY_TIMEOUT", TIMEOUT)
            .setting("GATEWAY_SEND_TIMEOUT", TIMEOUT)
            .setting("GATEWAY_KEEPALIVE_TIMEOUT", TIMEOUT)
            .setting("GATEWAY_RATE", "100r/s")
            .setting("GATEWAY_BURST", "100");

    private static final List<String> FIGURES = Collections.synchronizedList(new ArrayList<>());

    /**
     * The replica registers itself (retrying), then every entry point gets a first round of requests:
     * with idle timeouts this short, a request a cold JVM takes longer over than the timeout is cut
     * off, as the timeouts' documentation warns.
     */
    @BeforeAll
    static void registeredAndWarm() {
        Mesh.await("replica-1 registered itself", Duration.ofSeconds(30), () -> MESH.services().containsKey("replica-1"));
        for (EntryPoint entry : EntryPoint.values()) {
            SteadyClient.run(newClient(), forecasts(entry), RATE, Duration.ofSeconds(2), 0);
        }
    }

    enum EntryPoint {
        MODEL_SERVER, MANAGER, GATEWAY
    }

    static Stream<Arguments> everyAttackAtEveryEntryPoint() {
        return Stream.of(EntryPoint.values())
                .flatMap(entry -> Stream.of(Attack.values()).map(attack -> Arguments.of(entry, attack)));
    }

    @ParameterizedTest(name = "{0} without an attack")
    @Order(1)
    @EnumSource(EntryPoint.class)
    void aWellBehavedClientAlone(EntryPoint entry) {
        SteadyClient.Figures figures = SteadyClient.run(newClient(), forecasts(entry), RATE, Duration.ofSeconds(4), 1);
        FIGURES.add(String.format("%-12s %-20s %s", entry, "(none)", figures));
        assertEquals(List.of(), figures.failures(), entry + " alone: " + figures);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @Order(2)
    @MethodSource("everyAttackAtEveryEntryPoint")
    void aWellBehavedClientIsServedThroughTheAttack(EntryPoint entry, Attack attack) throws Exception {
        Target target = target(entry);
        int count = switch (attack) {
            case SLOW_HEADERS, SLOW_BODY, IDLE -> 300;
            case NEVER_READING -> 20;
            case EXPECT_WITHOUT_BODY -> 50;
        };
        ServiceProcess service = switch (entry) {
            case MODEL_SERVER -> MESH.replica("replica-1");
            case MANAGER -> MESH.manager();
            case GATEWAY -> null;
        };
        boolean sampled = attack == Attack.NEVER_READING && service != null;
        LiveHeap peak = null;
        try (AbusiveClients abusers = AbusiveClients.open(attack, target, count);
                LiveHeap.Peak heap = sampled ? new LiveHeap.Peak(service.pid()) : null) {
            SteadyClient.Figures figures = SteadyClient.run(newClient(), forecasts(entry), RATE, PHASE, attack.ordinal());
            if (heap != null) {
                peak = heap.peak();
            }
            boolean cutOff = attack != Attack.SLOW_BODY;
            boolean neverReading = attack == Attack.NEVER_READING;
            try {
                if (neverReading) {
                    // Every entry point goes on answering a never-reading client until the socket buffers
                    // (megabytes, on loopback) are full, and only then does its idle or send timeout start:
                    // how long that takes depends on how fast it answers, tens of seconds on a busy machine.
                    // Nor does its last read tell when its timeout starts: it may still be answering the
                    // requests it read (io.quiver.common.http.PipelineValve holds them) long after. The
                    // services read no further while an answer waits, so this costs them time, not memory.
                    Mesh.await(entry + " closes every " + attack + " connection", UNTIL_BUFFERS_FULL,
                            () -> abusers.stillOpen() == 0);
                } else if (cutOff) {
                    Mesh.await(entry + " closes every " + attack + " connection", SLACK, () -> abusers.stillOpen() == 0);
                }
            } finally {
                List<Duration> closed = abusers.closedAfter();
                List<Duration> lastRead = abusers.lastReadAfter();
                FIGURES.add(String.format("%-12s %-20s %s; %d of %d abusive connections answered, %d closed%s", entry, attack,
                        figures, abusers.answered(), count, closed.size(), closed.isEmpty() ? "" : String.format(" after %s s",
                                range(closed)))
                        + (neverReading && !lastRead.isEmpty() ? ", read until " + range(lastRead) + " s" : "")
                        + (peak == null ? "" : String.format("; live heap at most %.1f MB, %d Vert.x requests",
                                peak.bytes() / 1e6, peak.vertxRequests())));
            }
            List<Duration> closed = abusers.closedAfter();

            assertEquals(List.of(), figures.failures(), entry + " under " + attack + ": " + figures);
            if (peak != null) {
                assertTrue(service.alive(), entry + " died under " + attack);
                assertTrue(peak.bytes() < MAX_LIVE_HEAP_MB * 1_000_000, entry + " under " + attack + " kept " + peak);
            }
            if (cutOff) {
                Duration earliest = closed.get(0);
                Duration latest = closed.get(closed.size() - 1);
                assertTrue(earliest.compareTo(Duration.ofMillis(TIMEOUT_SECONDS * 800L)) >= 0,
                        attack + " connections were closed after " + earliest + ", before their " + TIMEOUT + " timeout");
                Duration allowed = neverReading ? UNTIL_BUFFERS_FULL : PHASE.plus(SLACK);
                assertTrue(latest.compareTo(allowed) <= 0, attack + " connections lasted " + latest);
            } else if (entry == EntryPoint.GATEWAY) {
                // No deadline for a whole body in nginx either: a byte a second keeps the body timeout away,
                // but no address has more than GATEWAY_MAX_CONNECTIONS requests in progress; the rest are
                // answered 429 at once (nginx then reads and drops their bodies for up to lingering_time, 30 s).
                assertTrue(count - abusers.answered() <= 64, count - abusers.answered() + " trickled bodies in progress at the gateway");
            } else {
                // Every body byte restarts Vert.x's idle timeout, and the services have no deadline for a whole body.
                assertEquals(count, abusers.stillOpen(), entry + " closed trickled bodies: update docs/reliability.md");
            }
        }
    }

    @AfterAll
    static void printFigures() {
        System.out.println("[slow clients] a well-behaved client at " + (int) RATE + " requests/s, timeouts " + TIMEOUT
                + ":\n" + String.join("\n", FIGURES));
    }

    private static Target target(EntryPoint entry) {
        return switch (entry) {
            case MODEL_SERVER -> new Target(entry.name(), address(MESH.replica("replica-1").uri()),
                    "127.0.0.1:" + MESH.replica("replica-1").port(), null, METADATA);
            case MANAGER -> new Target(entry.name(), address(MESH.manager().uri()), "127.0.0.1:" + MESH.manager().port(),
                    null, METADATA);
            case GATEWAY -> new Target(entry.name(), address(GATEWAY.uri("")), MODELS_HOST, basicAuthorization(),
                    METADATA);
        };
    }

    private static String range(List<Duration> durations) {
        return String.format("%.1f-%.1f", durations.get(0).toMillis() / 1000.0,
                durations.get(durations.size() - 1).toMillis() / 1000.0);
    }

    private static InetSocketAddress address(URI uri) {
        return new InetSocketAddress(uri.getHost(), uri.getPort());
    }

    private static String basicAuthorization() {
        String credentials = Gateway.USER + ":" + GATEWAY.password();
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    /** A client of its own per run, so that no connection kept from the last run meets a server that closed it. */
    private static HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** POST /predict with a series of its own, answered with the reference forecast. */
    private static SteadyClient.Call forecasts(EntryPoint entry) {
        URI uri = switch (entry) {
            case MODEL_SERVER -> MESH.replica("replica-1").uri("/predict");
            case MANAGER -> MESH.managerUri("/predict");
            case GATEWAY -> GATEWAY.uri("/predict");
        };
        return random -> {
            double[] series = Forecasts.series(random);
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(SteadyClient.TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Forecasts.body(series)));
            if (entry == EntryPoint.GATEWAY) {
                // Host is a restricted header; the failsafe configuration allows it (jdk.httpclient.allowRestrictedHeaders).
                request.header("Host", MODELS_HOST).header("Authorization", basicAuthorization());
            }
            return new SteadyClient.Prepared(request.build(), answer -> {
                try {
                    JsonNode predictions = Http.JSON.readTree(answer.body()).path("predictions");
                    double expected = ReferenceModels.lstmForecast(series);
                    return predictions.size() == 1 && Math.abs(predictions.get(0).asDouble() - expected) <= Forecasts.TOLERANCE
                            ? null : "expected the forecast " + expected + ", got " + answer.body();
                } catch (Exception e) {
                    return "not JSON: " + answer.body();
                }
            });
        };
    }
}
