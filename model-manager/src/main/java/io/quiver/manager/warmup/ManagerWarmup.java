package io.quiver.manager.warmup;

import com.google.protobuf.ByteString;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.HttpServer;
import io.quiver.common.http.SelfRequests;
import io.quiver.grpc.inference.ModelInferRequest;
import io.quiver.manager.auth.AccessTokens;
import io.quiver.manager.auth.Role;
import io.quiver.manager.config.ManagerConfig;
import io.quiver.manager.registry.Replica;
import io.quiver.manager.registry.ServiceRecord;
import io.quiver.manager.registry.ServiceRegistry;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Before the manager reports ready, it sends itself model traffic for {@code
 * quiver.manager.warmup.duration}: over loopback HTTP to its own port, as clients send it (V2 JSON
 * compact and spaced, V2 binary tensor data, {@code /predict}, metadata, and gRPC's {@code
 * ModelInfer} over HTTP/2), through the access check, the router, the breaker and the forwarder, to
 * a {@link StandInReplica}. A JVM runs code it has not run yet in its interpreter, after loading
 * every class on the way, and compiles it only after thousands of calls: without this, a new
 * manager's first request took 100 to 200 ms, hundreds of times a steady one's
 * (docs/benchmarks.md, "The manager's start").
 *
 * <p>The stand-in is routed to under a model name of random hex digits, which no client asks for,
 * and is never a registered service ({@link ServiceRegistry#routeUnlisted}): it is not journaled or
 * listed, and the meters its traffic would make are never registered ({@link WarmupMeters}). The
 * requests carry a random token the access check accepts for the warm-up's duration only. When it
 * is over the stand-in is unrouted and stopped, and the manager reports ready whatever came of it.
 */
@ApplicationScoped
public class ManagerWarmup {
    private static final Logger LOG = Logger.getLogger(ManagerWarmup.class);
    /** The longest the stand-in's start may take. */
    private static final Duration WAIT_LIMIT = Duration.ofSeconds(10);
    /**
     * The stand-in's model name and service id, which only the warm-up's traffic carries: made
     * once per process, so that the meter filter ({@link WarmupMeters}), made before any bean that
     * registers meters, knows it without depending on one.
     */
    static final String STAND_IN = "quiver-warmup-" + randomHex(8);

    private final Duration duration;
    private final HttpServer httpServer;
    private final ServiceRegistry registry;
    private final AccessTokens tokens;
    private final Vertx vertx;
    private final String host;
    private final String model = STAND_IN;
    private final String token = randomHex(32);
    private final Counter answeredMeter;
    private final Counter failedMeter;
    private volatile boolean done;
    private volatile Outcome last = Outcome.SKIPPED;

    ManagerWarmup(ManagerConfig config, HttpServer httpServer, ServiceRegistry registry, AccessTokens tokens, Vertx vertx,
                  MeterRegistry meters, @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0") String host) {
        this.duration = config.warmup().duration();
        this.httpServer = httpServer;
        this.registry = registry;
        this.tokens = tokens;
        this.vertx = vertx;
        this.host = host;
        String description = "The manager's own warm-up requests at start (quiver.manager.warmup.duration), "
                + "counted in no other request metric";
        this.answeredMeter = Counter.builder("quiver.manager.warmup.requests").tag("outcome", "answered")
                .description(description).register(meters);
        this.failedMeter = Counter.builder("quiver.manager.warmup.requests").tag("outcome", "failed")
                .description(description).register(meters);
    }

    /** Requests answered and failed (gRPC calls among them), and how long the warm-up took. */
    public record Outcome(long answered, long failed, long grpcAnswered, Duration took) {
        static final Outcome SKIPPED = new Outcome(0, 0, 0, Duration.ZERO);
    }

    /** Whether the warm-up is over (or was never to run); the manager is not ready before. */
    public boolean done() {
        return done;
    }

    public Outcome lastOutcome() {
        return last;
    }

    void onStart(@Observes StartupEvent event) {
        if (duration.isZero() || duration.isNegative()) {
            done = true;
            return;
        }
        // Off the start-up thread: the HTTP server the requests go to opens after start-up's observers.
        Thread runner = new Thread(this::runThenReady, "manager-warmup");
        runner.setDaemon(true);
        runner.start();
    }

    private void runThenReady() {
        try {
            last = run();
        } catch (RuntimeException e) {
            LOG.warnf(e, "the manager's warm-up failed; the first requests pay for the JVM's first pass over the data path");
        } finally {
            done = true;
        }
    }

    private Outcome run() {
        int port = SelfRequests.awaitPort(httpServer);
        if (port <= 0) {
            LOG.warn("no HTTP port known: the data path is not warmed up");
            return Outcome.SKIPPED;
        }
        StandInReplica standIn;
        try {
            standIn = StandInReplica.start(vertx, model, WAIT_LIMIT);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warnf("the warm-up's stand-in replica did not start (%s): the data path is not warmed up", e.toString());
            return Outcome.SKIPPED;
        }
        long started = System.nanoTime();
        SelfRequests.Sent sent;
        Replica replica = null;
        AccessTokens.TemporaryGrant grant = null;
        try {
            replica = registry.routeUnlisted(new ServiceRecord(model, standIn.url(), model, List.of(model),
                    List.of("prediction"), List.of(new ServiceRecord.ServedModel(model, "1", model)), null, null, null,
                    null, Instant.now()));
            grant = tokens.enabled() ? tokens.grantTemporarily(token, Role.DATA) : null;
            String address = SelfRequests.loopback(host);
            // Accept as most clients send it (curl, Python's requests).
            String fixed = " HTTP/1.1\r\nHost: " + address + ":" + port + "\r\nAccept: */*\r\n";
            // gRPC alongside, on a connection of its own, until the HTTP/1.1 requests are over.
            boolean authorized = grant != null;
            sent = SelfRequests.alongside(
                    () -> SelfRequests.send(address, port, duration, requests(authorized),
                            request -> (request.line() + fixed + request.headers()).getBytes(StandardCharsets.ISO_8859_1),
                            Request::body, (request, status) -> LOG.debugf("warm-up request %s answered %d", request.line(),
                                    status)),
                    over -> sendGrpc(address, port, authorized, over));
        } finally {
            if (grant != null) {
                grant.close();
            }
            if (replica != null) {
                registry.unroute(replica);
            }
            standIn.close();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        long answered = sent.answered();
        long failed = sent.failed();
        answeredMeter.increment(answered);
        failedMeter.increment(failed);
        LOG.infof("data path warmed up: %d requests answered in %d ms (%d of them gRPC calls; %d failed), before "
                + "reporting ready", answered, took.toMillis(), sent.grpc().answered(), failed);
        return new Outcome(answered, failed, sent.grpc().answered(), took);
    }

    /** gRPC's {@code ModelInfer} through the manager's port, beside the HTTP/1.1 requests, until {@code over}. */
    private SelfRequests.Counts sendGrpc(String address, int port, boolean authorized, BooleanSupplier over) {
        byte[] message = ModelInferRequest.newBuilder().setModelName(model)
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("features").setDatatype("FP32")
                        .addShape(1).addShape(4))
                .addRawInputContents(ByteString.copyFrom(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                        .putFloat(1200f).putFloat(3f).putFloat(10f).putFloat(0.25f).array()))
                .build().toByteArray();
        SelfRequests.GrpcCall call = SelfRequests.GrpcCall.of(model, "/inference.GRPCInferenceService/ModelInfer", message,
                authorized ? Map.of("authorization", "Bearer " + token) : Map.of());
        return SelfRequests.sendGrpc(vertx, address, port, List.of(call), over,
                refused -> LOG.debugf("a warm-up gRPC call to %s failed", refused.label()));
    }

    /**
     * The requests, as clients write them: V2 inference to the model's path and to a version's,
     * JSON compact and spaced as Python's {@code json.dumps} writes it, and binary tensor data;
     * {@code /predict} in both JSON styles (the manager reads its model_type); metadata and
     * readiness GETs. A JIT compiles the branches its profile saw taken, so a first client request
     * that takes one the warm-up never did runs interpreted again.
     */
    private List<Request> requests(boolean authorized) {
        String auth = authorized ? "Authorization: Bearer " + token + "\r\n" : "";
        String v2 = "/v2/models/" + model;
        String compact = "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,4],\"datatype\":\"FP32\","
                + "\"data\":[1200.0,3.0,10.0,0.25]}]}";
        String spaced = "{\"inputs\": [{\"name\": \"features\", \"shape\": [1, 4], \"datatype\": \"FP32\", "
                + "\"data\": [840.5, 2.0, 31.0, 0.75]}]}";
        byte[] header = ("{\"inputs\":[{\"name\":\"features\",\"shape\":[1,4],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":16}}]}").getBytes(StandardCharsets.UTF_8);
        ByteBuffer binary = ByteBuffer.allocate(header.length + 16).order(ByteOrder.LITTLE_ENDIAN).put(header);
        for (float value : new float[] {1200f, 3f, 10f, 0.25f}) {
            binary.putFloat(value);
        }
        String json = "Content-Type: application/json\r\n";
        return List.of(
                new Request("POST " + v2 + "/infer", auth + json, compact.getBytes(StandardCharsets.UTF_8)),
                new Request("POST " + v2 + "/infer", auth + json, spaced.getBytes(StandardCharsets.UTF_8)),
                new Request("POST " + v2 + "/versions/1/infer", auth + json, compact.getBytes(StandardCharsets.UTF_8)),
                new Request("POST " + v2 + "/infer", auth + "Content-Type: application/octet-stream\r\n"
                        + "Inference-Header-Content-Length: " + header.length + "\r\n", binary.array()),
                new Request("POST /predict", auth + json, ("{\"model_type\":\"" + model
                        + "\",\"features\":{\"sqft\":1200.0,\"bedrooms\":3}}").getBytes(StandardCharsets.UTF_8)),
                new Request("POST /predict", auth + json, ("{\"model_type\": \"" + model
                        + "\", \"features\": {\"sqft\": 840.5, \"bedrooms\": 2}}").getBytes(StandardCharsets.UTF_8)),
                new Request("GET " + v2, auth, new byte[0]),
                new Request("GET " + v2 + "/ready", auth, new byte[0]));
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    /** One warm-up request: method and path, the headers it needs but host and length, and its body. */
    private record Request(String line, String headers, byte[] body) {
    }
}
