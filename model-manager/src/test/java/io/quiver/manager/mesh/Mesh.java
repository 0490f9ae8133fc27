package io.quiver.manager.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.examples.ExampleModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A model-manager and its model-servers as real processes on loopback ports, for one test class:
 * register it with {@code @RegisterExtension static final Mesh MESH = Mesh.withReplicas(3);}. Each
 * model-server serves the example models from its own repository; the manager checks health every
 * second, retries after 50 ms and keeps its registry in its own data directory. Every process is
 * killed after the class, and when a test fails the path and last lines of every log are printed.
 */
public final class Mesh implements BeforeAllCallback, AfterAllCallback, TestWatcher {
    public static final String MODEL_TYPE = "LSTM";
    /** With {@link #withExporterModels}: an identity model of every datatype gRPC has a typed field for. */
    public static final String TYPED_DATATYPES = "typed_datatypes";
    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final int START_ATTEMPTS = 3;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    private static final Duration POLL = Duration.ofMillis(20);

    private final int replicaCount;
    private boolean selfRegistering;
    private boolean registered;
    private boolean sharedRepository;
    private boolean exporterModels;
    private String controlToken;
    private final Map<String, String> managerSettings = new LinkedHashMap<>();
    private final Map<String, String> replicaSettings = new LinkedHashMap<>();
    private final List<ServiceProcess> replicas = new ArrayList<>();
    private final Http http = new Http();
    private ServiceProcess manager;
    /** Replicas of the manager beyond the first, started by {@link #anotherManager}. */
    private final List<ServiceProcess> moreManagers = new ArrayList<>();
    private Path dir;
    /** Replicas run in network namespaces of their own, by name; empty for all on loopback. */
    private final Set<String> isolated = new LinkedHashSet<>();
    private NetworkNamespaces namespaces;
    private final Map<String, NetworkNamespaces.Namespace> namespaceOf = new LinkedHashMap<>();
    /** Replicas registered at a {@link FaultyProxy} in front of them rather than at their own address. */
    private final Set<String> proxied = new LinkedHashSet<>();
    private final Map<String, FaultyProxy> proxyOf = new LinkedHashMap<>();

    private Mesh(int replicaCount) {
        this.replicaCount = replicaCount;
        managerSettings.put("API_HOST", "127.0.0.1");
        // The API's tokens are tested on their own (auth/); these tests are about routing and failures.
        managerSettings.put("QUIVER_MANAGER_AUTH_ENABLED", "false");
        managerSettings.put("HEALTH_CHECK_INTERVAL", "1");
        managerSettings.put("RETRY_DELAY", "0.05");
    }

    public static Mesh withReplicas(int count) {
        return new Mesh(count);
    }

    /**
     * Model-servers that register themselves with the manager (QUIVER_MANAGER_URL), heartbeating
     * every 300 ms, instead of being registered by the test: the manager starts first.
     */
    public Mesh selfRegistering() {
        this.selfRegistering = true;
        return this;
    }

    /** Replicas registered with the manager by the harness once everything is up, as an operator would. */
    public Mesh registered() {
        this.registered = true;
        return this;
    }

    /**
     * Replicas that share one model repository, as replicas on a shared volume do: a version one of
     * them publishes (a training job's) is found by the others' repository polling, every 200 ms.
     */
    public Mesh sharedRepository() {
        this.sharedRepository = true;
        return this;
    }

    /**
     * Each replica's repository also holds the models written the way public exporters write them
     * (ExporterModels: scikit-learn classifiers, FP16 and UINT8 models, one with every datatype).
     */
    public Mesh withExporterModels() {
        this.exporterModels = true;
        return this;
    }

    /**
     * ExporterModels' repository, and {@value #TYPED_DATATYPES}: every_datatype without FP16 and BF16,
     * the two datatypes the gRPC protocol has no typed field for, so that one call can carry every
     * other datatype in typed contents.
     */
    private static void writeExporterModels(Path repository) throws IOException {
        io.quiver.examples.ExporterModels.writeRepository(repository);
        List<ai.onnx.proto.OnnxMl.TensorProto.DataType> typed = io.quiver.examples.ExporterModels.EVERY_TYPE.stream()
                .filter(t -> t != ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT16
                        && t != ai.onnx.proto.OnnxMl.TensorProto.DataType.BFLOAT16).toList();
        Path model = Files.createDirectories(repository.resolve(TYPED_DATATYPES).resolve("1"));
        Files.write(model.resolve("model.onnx"), io.quiver.examples.ExporterModels.identities(typed).toByteArray());
    }

    /**
     * The manager's API behind bearer tokens, as in production: the harness's own calls carry the
     * control token, and so do self-registering model-servers; a test sends the data token itself
     * where it needs one.
     */
    public Mesh withApiTokens(String controlToken, String dataToken) {
        managerSettings.put("QUIVER_MANAGER_AUTH_ENABLED", "true");
        managerSettings.put("QUIVER_MANAGER_AUTH_CONTROL_TOKENS", sha256(controlToken));
        managerSettings.put("QUIVER_MANAGER_AUTH_DATA_TOKENS", sha256(dataToken));
        http.authorizeWith("Bearer " + controlToken);
        this.controlToken = controlToken;
        return this;
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * This replica in a network namespace of its own, reached by the manager over a veth pair, so that
     * a test can cut or degrade its network alone ({@link #network}). Skips the class where
     * namespaces cannot be made (see {@link NetworkNamespaces#openOrSkip}).
     */
    public Mesh inNetworkNamespace(String replica) {
        isolated.add(replica);
        return this;
    }

    /**
     * This replica registered at a {@link FaultyProxy} on loopback in front of it ({@link #proxyOf}),
     * so that a test can delay or silence it; with {@link #registered}.
     */
    public Mesh behindAProxy(String replica) {
        proxied.add(replica);
        return this;
    }

    /** A manager setting as an environment variable, e.g. {@code MAX_RETRIES}; before the mesh starts. */
    public Mesh managerSetting(String variable, String value) {
        managerSettings.put(variable, value);
        return this;
    }

    /** A setting of every model-server as an environment variable, e.g. {@code QUARKUS_HTTP_IDLE_TIMEOUT}; before the mesh starts. */
    public Mesh replicaSetting(String variable, String value) {
        replicaSettings.put(variable, value);
        return this;
    }

    /** A setting of the manager and of every model-server; before the mesh starts. */
    public Mesh setting(String variable, String value) {
        return managerSetting(variable, value).replicaSetting(variable, value);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        if (!isolated.isEmpty()) {
            namespaces = NetworkNamespaces.openOrSkip();
        }
        Path serverJar = jar("quiver.mesh.server-jar");
        Path managerJar = jar("quiver.mesh.manager-jar");
        Path root = Path.of(System.getProperty("quiver.mesh.work-dir", "target/mesh")).toAbsolutePath();
        Files.createDirectories(root);
        dir = Files.createTempDirectory(root, context.getRequiredTestClass().getSimpleName() + "-");
        Map<String, String> managerEnv = new LinkedHashMap<>(managerSettings);
        managerEnv.put("QUIVER_DATA_DIR", dir.resolve("manager-data").toString());
        // As for the model-servers below: the manager's warm-up would add its seconds to every start
        // and restart (ManagerWarmsUpBeforeReadyTest is its test). A test may still set it.
        managerEnv.putIfAbsent("QUIVER_MANAGER_WARMUP_DURATION", "0s");
        manager = new ServiceProcess("manager", managerJar, managerEnv, "/health", dir);
        System.out.println("[mesh] " + context.getRequiredTestClass().getSimpleName() + ": logs and data in " + dir);
        if (selfRegistering) {
            startOnFreePorts(List.of(manager));
        }
        for (int i = 1; i <= replicaCount; i++) {
            String name = "replica-" + i;
            Path repository = sharedRepository ? dir.resolve("repository") : dir.resolve(name).resolve("repository");
            if (!Files.isDirectory(repository)) {
                ExampleModels.writeRepository(repository);
                if (exporterModels) {
                    writeExporterModels(repository);
                }
            }
            Map<String, String> env = new LinkedHashMap<>(replicaSettings);
            env.put("QUIVER_REPOSITORY", repository.toString());
            // The mesh tests start and restart model-servers by the dozen and measure no first
            // request: the request path's warm-up would only add its seconds to every start
            // (RequestPathWarmsUpBeforeReadyTest is its test). A test may still set it.
            env.putIfAbsent("QUIVER_WARMUP_HTTP_DURATION", "0s");
            if (sharedRepository) {
                env.put("QUIVER_REPOSITORY_POLL_INTERVAL", "200ms");
            }
            String host = "127.0.0.1";
            List<String> launcher = List.of();
            if (isolated.contains(name)) {
                NetworkNamespaces.Namespace namespace = namespaces.create("r" + i);
                namespaceOf.put(name, namespace);
                host = namespace.address();
                launcher = namespace.launcher();
            }
            env.put("MODEL_SERVER_HOST", host);
            if (selfRegistering) {
                env.put("QUIVER_MANAGER_URL", manager.uri().toString());
                env.put("QUIVER_REGISTRATION_SERVICE_ID", name);
                env.put("QUIVER_REGISTRATION_ADVERTISED_URL", "http://127.0.0.1:{port}");
                env.put("QUIVER_REGISTRATION_HEARTBEAT_INTERVAL", "300ms");
                if (controlToken != null) {
                    env.put("QUIVER_MANAGER_TOKEN", controlToken);
                }
            }
            replicas.add(new ServiceProcess(name, serverJar, env, "/ready", dir, host, launcher));
        }
        List<ServiceProcess> all = new ArrayList<>(replicas);
        if (!selfRegistering) {
            all.add(manager);
        }
        startOnFreePorts(all);
        if (registered) {
            registerReplicas();
        }
    }

    /** Starts all at once, each on a port found free, and waits for each; a port taken meanwhile is chosen again. */
    private static void startOnFreePorts(List<ServiceProcess> processes) {
        List<ServiceProcess> pending = new ArrayList<>(processes);
        for (int attempt = 1; !pending.isEmpty(); attempt++) {
            for (ServiceProcess process : pending) {
                // Each model-server's gRPC has a free port of its own too, as its default is one (8081).
                process.start(portVariable(process), freePort(), manager(process) ? 0 : freePort());
            }
            List<ServiceProcess> failed = new ArrayList<>();
            for (ServiceProcess process : pending) {
                if (!process.awaitReady(STARTUP)) {
                    String tail = process.tail(40);
                    if (attempt >= START_ATTEMPTS || !tail.contains("in use")) {
                        throw new IllegalStateException(process.name() + " exited before it was ready; its log: "
                                + process.log() + "\n" + tail);
                    }
                    failed.add(process);
                }
            }
            pending = failed;
        }
    }

    private static String portVariable(ServiceProcess process) {
        return manager(process) ? "API_PORT" : "MODEL_SERVER_PORT";
    }

    private static boolean manager(ServiceProcess process) {
        return process.name().startsWith("manager");
    }

    /**
     * The packaged application failsafe names. Surefire does not name them, and must not run these
     * tests: its test phase comes before package, so it would find no jar or last build's.
     */
    private static Path jar(String property) {
        String path = System.getProperty(property);
        if (path == null) {
            throw new IllegalStateException("-D" + property + " is not set. The mesh tests run the packaged "
                    + "applications under failsafe, after package: ./mvnw -B -pl common,example-models,model-server,"
                    + "model-manager install -Dit.test='Mesh*' (surefire's -Dtest would run them before package, "
                    + "against a missing or stale jar). From an IDE, set -Dquiver.mesh.manager-jar and "
                    + "-Dquiver.mesh.server-jar to the quarkus-run.jar files.");
        }
        return Path.of(path).toAbsolutePath().normalize();
    }

    /** A port nothing listens on now: bound to 0 on loopback and released; never the same one twice. */
    public static int freePort() {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free port", e);
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            printLogs();
        }
        List<ServiceProcess> all = new ArrayList<>(replicas);
        if (manager != null) {
            all.add(manager);
        }
        all.addAll(moreManagers);
        RuntimeException first = null;
        for (ServiceProcess process : all) {
            try {
                process.kill();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        proxyOf.values().forEach(FaultyProxy::close);
        if (namespaces != null) {
            // After the processes in them are gone: a namespace lives on while a process is in it.
            namespaces.close();
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        printLogs();
    }

    private void printLogs() {
        List<ServiceProcess> all = new ArrayList<>(replicas);
        if (manager != null) {
            all.add(manager);
        }
        all.addAll(moreManagers);
        StringBuilder report = new StringBuilder("[mesh] a test failed; the processes' logs:\n");
        for (ServiceProcess process : all) {
            report.append("--- ").append(process).append(process.alive() ? "" : " [not running]").append('\n')
                    .append(process.tail(25)).append('\n');
        }
        System.out.println(report);
    }

    public ServiceProcess manager() {
        return manager;
    }

    /**
     * One more manager with the first one's settings and a data directory of its own, as a second
     * replica of it is; started and waited for here, killed with the mesh. {@code name} starts with
     * "manager".
     */
    public ServiceProcess anotherManager(String name) {
        Map<String, String> env = new LinkedHashMap<>(managerSettings);
        env.put("QUIVER_DATA_DIR", dir.resolve(name + "-data").toString());
        env.putIfAbsent("QUIVER_MANAGER_WARMUP_DURATION", "0s");
        ServiceProcess another = new ServiceProcess(name, jar("quiver.mesh.manager-jar"), env, "/health", dir);
        moreManagers.add(another);
        startOnFreePorts(List.of(another));
        return another;
    }

    public List<ServiceProcess> replicas() {
        return replicas;
    }

    public ServiceProcess replica(String id) {
        return replicas.stream().filter(r -> r.name().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no replica " + id));
    }

    public Http http() {
        return http;
    }

    /** The namespaces of the replicas given to {@link #inNetworkNamespace}, to inject faults in. */
    public NetworkNamespaces network() {
        return namespaces;
    }

    /** The proxy a replica given to {@link #behindAProxy} is registered behind. */
    public FaultyProxy proxyOf(String replica) {
        FaultyProxy proxy = proxyOf.get(replica);
        if (proxy == null) {
            throw new IllegalArgumentException(replica + " is not registered behind a proxy");
        }
        return proxy;
    }

    /** The network namespace a replica runs in. */
    public NetworkNamespaces.Namespace namespaceOf(String replica) {
        NetworkNamespaces.Namespace namespace = namespaceOf.get(replica);
        if (namespace == null) {
            throw new IllegalArgumentException(replica + " is not in a network namespace of its own");
        }
        return namespace;
    }

    /** How many requests the manager retried so far (its quiver.manager.retries counter, outcome retried). */
    public double retries() {
        String metrics;
        try {
            metrics = http.get(managerUri("/q/metrics")).body();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the manager's metrics", e);
        }
        double retried = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("quiver_manager_retries_total{") && line.contains("outcome=\"retried\"")) {
                retried += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return retried;
    }

    public URI managerUri(String path) {
        return manager.uri(path);
    }

    /** Registers every replica under its own name as a service of type LSTM with a 1 s timeout. */
    public void registerReplicas() {
        for (ServiceProcess replica : replicas) {
            String url = replica.uri().toString();
            if (proxied.contains(replica.name())) {
                FaultyProxy proxy = proxyOf.computeIfAbsent(replica.name(), name -> FaultyProxy.to(replica.uri()));
                url = proxy.uri().toString();
            }
            Http.Answer answer = register(replica.name(), url, MODEL_TYPE);
            if (answer.status() != 201) {
                throw new AssertionError("registering " + replica.name() + " answered " + answer);
            }
        }
    }

    public Http.Answer register(String id, String url, String modelType) {
        return register(id, url, modelType, List.of("prediction"));
    }

    /** Registers a service by hand, as an operator would with seed 003's POST /services/register. */
    public Http.Answer register(String id, String url, String modelType, List<String> capabilities) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("service_id", id);
        body.put("service_url", url);
        body.put("model_type", modelType);
        ArrayNode declared = body.putArray("capabilities");
        capabilities.forEach(declared::add);
        ArrayNode models = body.putArray("models");
        if (modelType.equals(MODEL_TYPE)) {
            models.addObject().put("name", ExampleModels.LSTM_FORECASTER).put("version", "1").put("model_type", MODEL_TYPE);
        }
        body.put("max_concurrent_requests", 64);
        body.put("timeout", 1);
        try {
            return http.post(managerUri("/services/register"), body.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("registering " + id + " failed", e);
        }
    }

    /** Every registered service by id, as GET /services lists it. */
    public Map<String, JsonNode> services() {
        Map<String, JsonNode> services = new LinkedHashMap<>();
        for (JsonNode service : http.getJson(managerUri("/services")).path("services")) {
            services.put(service.path("service_id").asText(), service);
        }
        return services;
    }

    /** GET /services/{id}/health. */
    public JsonNode health(String id) {
        return http.getJson(managerUri("/services/" + id + "/health"));
    }

    /** SIGKILL the manager and start it again on the same port with the same data directory. */
    public void restartManager() {
        manager.kill();
        startManagerAgain();
    }

    /**
     * SIGKILL the manager alone, as {@code kill -9} does, so the processes it started live on, and
     * start it again on the same port with the same data directory.
     */
    public void crashAndRestartManagerAlone() {
        manager.killAlone();
        startManagerAgain();
    }

    private void startManagerAgain() {
        manager.start("API_PORT", manager.port());
        if (!manager.awaitReady(STARTUP)) {
            throw new IllegalStateException("the restarted manager exited; its log: " + manager.log() + "\n"
                    + manager.tail(40));
        }
    }

    /** Polls until the condition holds; fails naming what was awaited once the timeout passes. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        Awaitility.await(what).atMost(timeout).pollInterval(POLL).pollInSameThread().until(condition::getAsBoolean);
    }

    /** Polls for a value; fails naming what was awaited once the timeout passes. */
    public static <T> T await(String what, Duration timeout, Supplier<Optional<T>> poll) {
        return Awaitility.await(what).atMost(timeout).pollInterval(POLL).pollInSameThread()
                .until(poll::get, Optional::isPresent).get();
    }
}
