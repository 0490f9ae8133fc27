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
 * on a port of the configured range, serving one model version, writing to a log file of its own.
 * Their pids and ports are kept in the manager's {@link DeploymentStore}.
 */
final class LocalProcessBackend implements DeploymentBackend {
    private static final Logger LOG = Logger.getLogger(LocalProcessBackend.class);
    /** On the command line of every deployment's process, so that a recorded pid is only ever taken for ours. */
    /** Not under {@code quiver.}: the model-server refuses settings of its own prefix that it does not know. */
    static final String MARKER = "-Ddeployed-by-quiver=";

    private final DeploymentsConfig config;
    private final Path logDir;
    private final DeploymentStore store;
    private final Map<Integer, DeploymentName> reserved = new ConcurrentHashMap<>();

    LocalProcessBackend(DeploymentsConfig config, Path logDir, DeploymentStore store) {
        this.config = config;
        this.logDir = logDir.toAbsolutePath().normalize();
        this.store = store;
    }

    @Override
    public synchronized int reserve(DeploymentName name) {
        for (Map.Entry<Integer, DeploymentName> entry : reserved.entrySet()) {
            if (entry.getValue().equals(name)) {
                return entry.getKey();
            }
        }
        for (int port = config.portMin(); port <= config.portMax(); port++) {
            // A port another program listens on is skipped: the model-server could not bind it.
            if (!reserved.containsKey(port) && bindable(port)) {
                reserved.put(port, name);
                return port;
            }
        }
        throw new UnavailableException("No free ports available", 5);
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
        reserved.values().removeIf(name::equals);
    }

    @Override
    public Instance start(DeploymentName name, ModelRegistrySource.ModelLocation location, int port) {
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
        env.putAll(DeploymentBackend.serverEnvironment(location, location.repository().toString()));
        // The registry's address and credentials (MLflow's, S3's), in the environment of a child process alone:
        // the Kubernetes backend's pods take theirs from the Secret the manifests mount.
        env.putAll(location.environment());
        Path log = logFile(name);
        try {
            Files.createDirectories(logDir);
            Files.writeString(log, "=== " + Instant.now() + " deploying " + name + " on port " + port + ": "
                    + String.join(" ", command) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Process process = builder.start();
            LOG.infof("started %s as pid %d on port %d (log %s)", name, process.pid(), port, log);
            return new ProcessInstance(process.toHandle(), url(port), port, config);
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
        DeploymentName holder = reserved.putIfAbsent(stored.port(), stored.name());
        if (holder != null && !holder.equals(stored.name())) {
            return Optional.empty();
        }
        return Optional.of(new ProcessInstance(handle.get(), url(stored.port()), stored.port(), config));
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

    private record ProcessInstance(ProcessHandle handle, String url, int port, DeploymentsConfig config)
            implements Instance {
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
