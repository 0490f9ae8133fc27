package io.quiver.manager.deployments;

import io.quiver.common.error.UnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Deployments as child processes of the manager: {@code java <jvm options> -jar <model-server jar>}
 * on two ports of the configured range, one for HTTP and one for gRPC (a model-server serves gRPC on
 * a port of its own, {@code QUIVER_GRPC_PORT}), serving one model version, writing to a log file of
 * its own. Their pids and ports are kept in the manager's {@link DeploymentStore}.
 */
final class LocalProcessBackend implements DeploymentBackend {
    private static final Logger LOG = Logger.getLogger(LocalProcessBackend.class);
    /** On the command line of every deployment's process, so that a recorded pid is only ever taken for ours. */
    /** Not under {@code quiver.}: the model-server refuses settings of its own prefix that it does not know. */
    static final String MARKER = "-Ddeployed-by-quiver=";

    private final DeploymentsConfig config;
    private final Path logDir;
    private final DeploymentStore store;
    private final Map<DeploymentName, Ports> reserved = new ConcurrentHashMap<>();

    /** A deployment's HTTP and gRPC ports; one and the same for a server that serves gRPC on its HTTP port. */
    private record Ports(int http, int grpc) {
        boolean holds(int port) {
            return http == port || grpc == port;
        }
    }

    LocalProcessBackend(DeploymentsConfig config, Path logDir, DeploymentStore store) {
        this.config = config;
        this.logDir = logDir.toAbsolutePath().normalize();
        this.store = store;
    }

    @Override
    public synchronized int reserve(DeploymentName name) {
        Ports held = reserved.get(name);
        if (held != null) {
            return held.http();
        }
        int http = free(config.portMin());
        int grpc = http < 0 ? -1 : free(http + 1);
        if (grpc < 0) {
            throw new UnavailableException("No free ports available", 5);
        }
        reserved.put(name, new Ports(http, grpc));
        return http;
    }

    /** The first port from {@code from} of the range that no deployment holds and no other program listens on; -1 when none. */
    private int free(int from) {
        for (int port = from; port <= config.portMax(); port++) {
            // A port another program listens on is skipped: the model-server could not bind it.
            if (!taken(port) && bindable(port)) {
                return port;
            }
        }
        return -1;
    }

    private boolean taken(int port) {
        return reserved.values().stream().anyMatch(ports -> ports.holds(port));
    }

    private boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(config.host()), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public synchronized void release(DeploymentName name) {
        reserved.remove(name);
    }

    @Override
    public Instance start(DeploymentName name, ModelRegistrySource.ModelLocation location, int port) {
        Ports ports = reserved.get(name);
        if (ports == null || ports.http() != port) {
            throw new IllegalStateException(name + " is started on port " + port + ", which was not reserved for it");
        }
        Path jar = config.serverJar().toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new UnavailableException("the model-server jar is not at " + jar
                    + "; build it (./mvnw -pl model-server -am package) or set quiver.manager.deployments.server-jar", 30);
        }
        List<String> command = new ArrayList<>();
        command.add(config.java().map(Path::toString).orElseGet(LocalProcessBackend::currentJava));
        config.jvmOptions().ifPresent(options -> options.stream().flatMap(o -> Arrays.stream(o.trim().split("\\s+")))
                .filter(o -> !o.isEmpty()).forEach(command::add));
        command.add(MARKER + name);
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        // The manager's own settings (its port, tokens, data directory) are not the model-server's.
        env.keySet().removeIf(k -> k.startsWith("QUIVER_") || k.startsWith("API_") || k.startsWith("MODEL_SERVER_")
                || k.equals("JAVA_OPTS") || k.equals("JAVA_TOOL_OPTIONS"));
        env.put("MODEL_SERVER_HOST", config.host());
        env.put("MODEL_SERVER_PORT", Integer.toString(port));
        env.put("QUIVER_GRPC_PORT", Integer.toString(ports.grpc()));
        env.putAll(DeploymentBackend.serverEnvironment(location, location.repository().toString()));
        // The registry's address and credentials (MLflow's, S3's), in the environment of a child process alone:
        // the Kubernetes backend's pods take theirs from the Secret the manifests mount.
        env.putAll(location.environment());
        Path log = logFile(name);
        try {
            Files.createDirectories(logDir);
            Files.writeString(log, "=== " + Instant.now() + " deploying " + name + " on port " + port + " (gRPC "
                    + ports.grpc() + "): "
                    + String.join(" ", command) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Process process = builder.start();
            LOG.infof("started %s as pid %d on port %d, gRPC %d (log %s)", name, process.pid(), port, ports.grpc(), log);
            return new ProcessInstance(process.toHandle(), url(port), port, ports.grpc(), config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the model-server for " + name, e);
        }
    }

    @Override
    public synchronized Optional<Instance> adopt(StoredDeployment stored) {
        Optional<ProcessHandle> handle = ProcessHandle.of(stored.pid()).filter(ProcessHandle::isAlive)
                .filter(h -> h.info().arguments().map(args -> Arrays.asList(args).contains(MARKER + stored.name()))
                        .orElse(false));
        if (handle.isEmpty()) {
            return Optional.empty();
        }
        Ports ports = new Ports(stored.port(), stored.grpcPortOrHttp());
        Ports held = reserved.get(stored.name());
        if (held == null && (taken(ports.http()) || taken(ports.grpc()))) {
            return Optional.empty();
        }
        if (held != null && !held.equals(ports)) {
            return Optional.empty();
        }
        reserved.put(stored.name(), ports);
        return Optional.of(new ProcessInstance(handle.get(), url(stored.port()), stored.port(), ports.grpc(), config));
    }

    @Override
    public void stop(Instance instance) {
        ((ProcessInstance) instance).stop();
    }

    @Override
    public void record(List<StoredDeployment> running) {
        store.save(running);
    }

    @Override
    public List<StoredDeployment> recorded() {
        return store.load();
    }

    /** Stops them all at once: no child process outlives the manager; the next start finds their records and forgets them. */
    @Override
    public void managerStopping(List<Instance> running) {
        running.parallelStream().forEach(this::stop);
    }

    @Override
    public String logOf(DeploymentName name) {
        return logFile(name).toString();
    }

    private Path logFile(DeploymentName name) {
        return logDir.resolve(name + ".log");
    }

    private String url(int port) {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + host + ":" + port;
    }

    private static String currentJava() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private record ProcessInstance(ProcessHandle handle, String url, int port, int grpcPort, DeploymentsConfig config)
            implements Instance {
        @Override
        public String grpcUrl() {
            return url.substring(0, url.lastIndexOf(':') + 1) + grpcPort;
        }

        @Override
        public long pid() {
            return handle.pid();
        }

        @Override
        public CompletableFuture<?> onExit() {
            return handle.onExit();
        }

        @Override
        public boolean alive() {
            return handle.isAlive();
        }

        @Override
        public void kill() {
            handle.destroyForcibly();
        }

        void stop() {
            if (!handle.isAlive()) {
                return;
            }
            handle.destroy();
            if (!exited(config.stopTimeout().toMillis())) {
                LOG.warnf("pid %d did not stop within %s; killing it", handle.pid(), config.stopTimeout());
                handle.destroyForcibly();
                exited(5_000);
            }
        }

        private boolean exited(long millis) {
            try {
                handle.onExit().get(millis, TimeUnit.MILLISECONDS);
                return true;
            } catch (TimeoutException | ExecutionException e) {
                return !handle.isAlive();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !handle.isAlive();
            }
        }
    }
}
