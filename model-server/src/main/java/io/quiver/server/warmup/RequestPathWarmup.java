package io.quiver.server.warmup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.http.HttpServer;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.http.SelfRequests;
import io.quiver.grpc.inference.ModelInferRequest;
import io.quiver.server.config.GrpcPort;
import io.quiver.server.config.ServerConfig;
import io.quiver.server.inference.DataType;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.Tensor;
import io.quiver.server.inference.TensorValues;
import io.quiver.server.protocol.TensorBytes;
import io.quiver.server.repository.ModelDescriptor;
import io.quiver.server.serving.ModelInfo;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Before the model-server reports ready, it sends itself inference requests over loopback HTTP
 * for {@code quiver.warmup.http-duration}: V2 JSON and binary tensor data to every model loaded at
 * start, on the inputs its session warm-up ran. A JVM runs a request path it has not yet run in its
 * interpreter, after loading and initialising every class on the way (the REST layer, Jackson's
 * serialisers, the V2 codec, the inference service, the metrics), and compiles it only after
 * thousands of calls: without this, the first clients' requests pay for that, hundreds to
 * thousands of times a steady request's time (docs/benchmarks.md, "Warm-up").
 *
 * <p>The requests carry {@value #HEADER} with a token made at start, which no client can know, so
 * that they count in no request metric, statistic or payload log ({@link #sentBy}). They share
 * everything else with a client's request: that is what warms it. A request that fails drops its
 * model from the rotation (a model that refuses its generated inputs is served unwarmed, as its
 * session warm-up said); nothing here stops the server from becoming ready.
 */
@ApplicationScoped
public class RequestPathWarmup {
    private static final String MODEL_INFER = "/inference.GRPCInferenceService/ModelInfer";
    /** The header (and gRPC metadata) that marks the model-server's own warm-up requests. */
    public static final String HEADER = "Quiver-Warmup";
    private static final Logger LOG = Logger.getLogger(RequestPathWarmup.class);
    /** Input elements up to which a version's JSON is sent in every style, not compact alone. */
    private static final int SMALL_INPUTS = 4096;

    private final ServerConfig.Warmup config;
    private final HttpServer httpServer;
    private final Vertx vertx;
    private final String host;
    private final String grpcPortSetting;
    private final String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    private final ObjectMapper mapper = new ObjectMapper();
    /** JSON as most libraries write it. */
    private final JsonStyle compact = new JsonStyle(mapper.writer(), "");
    /** JSON spaced after separators, as Python's {@code json.dumps} and many clients write it. */
    private final JsonStyle spaced = new JsonStyle(mapper.writer(new MinimalPrettyPrinter().setSeparators(
            Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEntrySpacing(Separators.Spacing.AFTER).withArrayValueSpacing(Separators.Spacing.AFTER))), "");
    /** JSON indented and ending in a line break, as a file that {@code curl --data-binary @file} sends. */
    private final JsonStyle indented = new JsonStyle(mapper.writerWithDefaultPrettyPrinter(), "\n");
    private final Counter answeredMeter;
    private final Counter failedMeter;
    private volatile Outcome last = Outcome.SKIPPED;

    RequestPathWarmup(ServerConfig config, HttpServer httpServer, MeterRegistry meters, Vertx vertx,
                      @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0") String host,
                      @ConfigProperty(name = "quiver.grpc.port", defaultValue = GrpcPort.DEFAULT) String grpcPortSetting) {
        this.vertx = vertx;
        this.grpcPortSetting = grpcPortSetting;
        this.config = config.warmup();
        this.answeredMeter = Counter.builder("quiver.warmup.requests").tag("outcome", "answered")
                .description("The model-server's own warm-up requests at start (quiver.warmup.http-duration), "
                        + "counted in no other request metric").register(meters);
        this.failedMeter = Counter.builder("quiver.warmup.requests").tag("outcome", "failed")
                .description("The model-server's own warm-up requests at start (quiver.warmup.http-duration), "
                        + "counted in no other request metric").register(meters);
        this.httpServer = httpServer;
        this.host = host;
    }

    /** Whether {@code request} is one of this server's own warm-up requests. */
    public boolean sentBy(HttpServerRequest request) {
        return sentBy(request.getHeader(HEADER));
    }

    /** Whether {@value #HEADER}'s value (a gRPC call's metadata of that name) marks one of this server's own warm-up requests. */
    public boolean sentBy(String headerValue) {
        return headerValue != null && token.equals(headerValue);
    }

    /**
     * What {@link #run} did: requests answered, requests failed, versions still warmed at the end,
     * how long it took, and the versions ({@code name:version}) that refused at least one form.
     */
    public record Outcome(long answered, long failed, long grpcAnswered, int models, Duration took, Set<String> refused) {
        static final Outcome SKIPPED = new Outcome(0, 0, 0, 0, Duration.ZERO, Set.of());
    }

    /** What the last {@link #run} did; {@link Outcome#SKIPPED} before one. */
    public Outcome lastOutcome() {
        return last;
    }

    /**
     * Sends the warm-up requests to {@code models} (those loaded at start) and returns when
     * {@code quiver.warmup.http-duration} is over, or at once when it is 0 or warm-up is off.
     */
    public Outcome run(List<ModelInfo> models) {
        Duration duration = config.httpDuration();
        if (!config.enabled() || config.runs() < 1 || duration.isZero() || duration.isNegative()) {
            return Outcome.SKIPPED;
        }
        List<Target> targets = new CopyOnWriteArrayList<>();
        List<SelfRequests.GrpcCall> grpcCalls = new CopyOnWriteArrayList<>();
        for (ModelInfo model : models) {
            targets.addAll(targets(model, grpcCalls));
        }
        if (targets.isEmpty()) {
            return Outcome.SKIPPED;
        }
        int port = SelfRequests.awaitPort(httpServer);
        if (port <= 0) {
            LOG.warn("no HTTP port known: the request path is not warmed up, so the first requests pay "
                    + "for the JVM's first pass over it");
            return Outcome.SKIPPED;
        }
        String address = SelfRequests.loopback(host);
        // Accept as most clients send it (curl, Python's requests): the REST layer's content
        // negotiation is part of a request's path too.
        String fixed = "Host: " + address + ":" + port + "\r\nAccept: */*\r\n" + HEADER + ": " + token + "\r\n";
        Set<String> refused = ConcurrentHashMap.newKeySet();
        long started = System.nanoTime();
        // A version that refuses a form leaves the rotation (a model that refuses its generated
        // inputs is served unwarmed, as its session warm-up said).
        // gRPC calls go alongside, to gRPC's own port or the HTTP one, until the HTTP requests are over.
        int grpcPort = GrpcPort.ownPort(grpcPortSetting).orElse(port);
        SelfRequests.Sent counts = SelfRequests.alongside(
                () -> SelfRequests.send(address, port, duration, targets, target -> target.head(fixed),
                        Target::body, (target, status) -> {
                            if (targets.remove(target)) {
                                refused.add(target.model());
                                LOG.debugf("warm-up requests to %s %s stop: answered %d", target.model(), target.path(),
                                        status);
                            }
                        }),
                over -> SelfRequests.sendGrpc(vertx, address, grpcPort, grpcCalls, over, call -> {
                    if (grpcCalls.remove(call)) {
                        refused.add(call.label());
                        LOG.debugf("warm-up gRPC calls to %s stop: it refused one", call.label());
                    }
                }));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        answeredMeter.increment(counts.answered());
        failedMeter.increment(counts.failed());
        Outcome outcome = new Outcome(counts.answered(), counts.failed(), counts.grpc().answered(),
                (int) targets.stream().map(Target::model).distinct().count(), took, new TreeSet<>(refused));
        LOG.infof("request path warmed up: %d requests answered in %d ms (%d of them gRPC calls; %d failed%s) to %d "
                + "model versions, before reporting ready", outcome.answered(), took.toMillis(), outcome.grpcAnswered(),
                outcome.failed(),
                outcome.refused().isEmpty() ? "" : "; refused by " + String.join(", ", outcome.refused()),
                outcome.models());
        last = outcome;
        return outcome;
    }

    /**
     * The requests for one model version, as clients write them, to the version's own path and to
     * the model's (which clients call far more often): binary tensor data, and V2 JSON compact; and
     * when the inputs are small (at most {@value #SMALL_INPUTS} elements) JSON spaced as Python's
     * {@code json.dumps} writes it (with varied values when the inputs were generated) and indented.
     * A JIT compiles the branches its profile saw taken: a first client request that takes one the
     * warm-up never did (another route, whitespace, a number with more digits) sends the compiled
     * code back to the interpreter. Large inputs get the one JSON form: clients send those binary,
     * and every turn spent parsing a large JSON body is one less on the binary path.
     */
    private List<Target> targets(ModelInfo model, List<SelfRequests.GrpcCall> grpcCalls) {
        ModelDescriptor.Warmup declared = model.descriptor().warmup() == null
                ? ModelDescriptor.Warmup.DEFAULTS : model.descriptor().warmup();
        if (Boolean.FALSE.equals(declared.enabled()) || (declared.runs() != null && declared.runs() < 1)) {
            return List.of();
        }
        InferenceRequest inputs;
        try {
            inputs = WarmupInputs.of(declared, model.signature());
        } catch (BadRequestException e) {
            return List.of();
        }
        grpcCalls.addAll(grpcCalls(model, inputs));
        boolean jsonable = inputs.inputs().stream().noneMatch(t -> t.type() == DataType.FP16 || t.type() == DataType.BF16);
        boolean small = inputs.inputs().stream().mapToLong(Tensor::size).sum() <= SMALL_INPUTS;
        InferenceRequest varied = declared.inputs().isEmpty() ? WarmupInputs.varied(inputs) : inputs;
        List<byte[]> raw = inputs.inputs().stream().map(TensorBytes::write).toList();
        byte[] header = json(compact, inputs, raw);
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        binary.writeBytes(header);
        raw.forEach(binary::writeBytes);
        byte[] binaryBody = binary.toByteArray();
        List<byte[]> jsonBodies = new ArrayList<>(3);
        if (jsonable) {
            jsonBodies.add(json(compact, inputs, null));
            if (small) {
                jsonBodies.add(json(spaced, varied, null));
                jsonBodies.add(json(indented, inputs, null));
            }
        }

        String label = model.name() + ":" + model.version();
        List<Target> targets = new ArrayList<>(8);
        for (String path : List.of("/v2/models/" + model.name() + "/versions/" + model.version() + "/infer",
                "/v2/models/" + model.name() + "/infer")) {
            targets.add(new Target(label, path, binaryBody, header.length));
            jsonBodies.forEach(body -> targets.add(new Target(label, path, body, -1)));
        }
        return targets;
    }

    /**
     * gRPC's {@code ModelInfer} for one model version, the inputs as {@code raw_input_contents} (as
     * gRPC clients send tensors), to the version and to the model.
     */
    private List<SelfRequests.GrpcCall> grpcCalls(ModelInfo model, InferenceRequest inputs) {
        ModelInferRequest.Builder message = ModelInferRequest.newBuilder().setModelName(model.name());
        for (Tensor input : inputs.inputs()) {
            ModelInferRequest.InferInputTensor.Builder tensor = ModelInferRequest.InferInputTensor.newBuilder()
                    .setName(input.name()).setDatatype(input.type().name());
            for (long d : input.shape()) {
                tensor.addShape(d);
            }
            message.addInputs(tensor).addRawInputContents(ByteString.copyFrom(TensorBytes.write(input)));
        }
        String label = model.name() + ":" + model.version();
        Map<String, String> marked = Map.of(HEADER.toLowerCase(Locale.ROOT), token);
        return List.of(
                SelfRequests.GrpcCall.of(label, MODEL_INFER, message.setModelVersion(model.version()).build().toByteArray(), marked),
                SelfRequests.GrpcCall.of(label, MODEL_INFER, message.clearModelVersion().build().toByteArray(), marked));
    }

    /** The V2 JSON request, or with {@code raw} (each input's bytes) the JSON part of a binary one. */
    private byte[] json(JsonStyle style, InferenceRequest inputs, List<byte[]> raw) {
        ObjectNode request = mapper.createObjectNode();
        ArrayNode tensors = request.putArray("inputs");
        for (int i = 0; i < inputs.inputs().size(); i++) {
            Tensor input = inputs.inputs().get(i);
            ObjectNode tensor = tensors.addObject();
            tensor.put("name", input.name());
            ArrayNode shape = tensor.putArray("shape");
            for (long d : input.shape()) {
                shape.add(d);
            }
            tensor.put("datatype", input.type().name());
            if (raw != null) {
                tensor.putObject("parameters").put("binary_data_size", raw.get(i).length);
            } else {
                tensor.set("data", mapper.valueToTree(TensorValues.forJson(input)));
            }
        }
        try {
            return (style.writer().writeValueAsString(request) + style.end()).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a warm-up request could not be written", e);
        }
    }

    /** A way of writing JSON, and what follows the document. */
    private record JsonStyle(ObjectWriter writer, String end) {
    }

    /** One warm-up request: its body, and the length of its JSON part when it carries binary data (else -1). */
    private record Target(String model, String path, byte[] body, int jsonLength) {
        /** The request line and headers but the length, {@code fixed} (host and warm-up token) among them. */
        byte[] head(String fixed) {
            String type = jsonLength >= 0
                    ? "Content-Type: application/octet-stream\r\nInference-Header-Content-Length: " + jsonLength + "\r\n"
                    : "Content-Type: application/json\r\n";
            return ("POST " + path + " HTTP/1.1\r\n" + fixed + type).getBytes(StandardCharsets.ISO_8859_1);
        }
    }
}
