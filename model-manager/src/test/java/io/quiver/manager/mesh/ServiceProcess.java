package io.quiver.manager.mesh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * One packaged Quarkus application run as a real child JVM on a loopback port: started with its
 * settings in environment variables, its output in a log file, and able to be killed with SIGKILL,
 * frozen with SIGSTOP and thawed with SIGCONT, as a crashed or hung service would be.
 */
public final class ServiceProcess implements AutoCloseable {
    /** Every child still alive, so that a test JVM that dies early takes none of them along to the next run. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    /** What a JVM needs from ours, and ONNX Runtime's telemetry switch, which the build sets for every test. */
    private static final Set<String> INHERITED = Set.of("PATH", "HOME", "USER", "TMPDIR", "LANG", "LC_ALL", "TZ",
            "ORT_DISABLE_TELEMETRY");
    private static final HttpClient PROBE = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "mesh-reaper"));
    }

    private final String name;
    private final Path jar;
    private final Map<String, String> environment;
    private final String readyPath;
    private final Path logDir;
    /** The address it binds to and is reached at: loopback, or its network namespace's. */
    private final String host;
    /** Words run before {@code java}, such as {@code ip netns exec NAME}; empty to run it directly. */
    private final List<String> launcher;
    private int port;
    /** A model-server's gRPC port of its own (QUIVER_GRPC_PORT); 0 for a service without one. */
    private int grpcPort;
    private String portVariableOfLastStart;
    private int starts;
    private Process process;
    private Path log;

    /**
     * @param readyPath the path that answers 200 once the application can serve
     * @param environment its settings; the port variable is added by {@link #start}
     */
    ServiceProcess(String name, Path jar, Map<String, String> environment, String readyPath, Path logDir) {
        this(name, jar, environment, readyPath, logDir, "127.0.0.1", List.of());
    }

    /** One reached at {@code host} and started through {@code launcher} (e.g. inside a network namespace). */
    ServiceProcess(String name, Path jar, Map<String, String> environment, String readyPath, Path logDir, String host,
            List<String> launcher) {
        this.host = host;
        this.launcher = List.copyOf(launcher);
        this.name = name;
        this.jar = jar;
        this.environment = new LinkedHashMap<>(environment);
        this.readyPath = readyPath;
        this.logDir = logDir;
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public URI uri() {
        return URI.create("http://" + host + ":" + port);
    }

    /** Where it serves gRPC: its own gRPC port, or its HTTP port when it has none. */
    public URI grpcUri() {
        return grpcPort == 0 ? uri() : URI.create("http://" + host + ":" + grpcPort);
    }

    public URI uri(String path) {
        return URI.create("http://" + host + ":" + port + path);
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** Starts the JVM with {@code portVariable=port} added to its environment; does not wait. */
    void start(String portVariable, int port) {
        start(portVariable, port, 0);
    }

    /** As {@link #start(String, int)}, a model-server with its gRPC on {@code grpcPort} (QUIVER_GRPC_PORT) unless that is 0. */
    void start(String portVariable, int port, int grpcPort) {
        if (alive()) {
            throw new IllegalStateException(name + " is already running");
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(name + ": " + jar + " does not exist. The mesh tests run the packaged "
                    + "applications: run them with failsafe after package, e.g. ./mvnw -B -pl common,example-models,"
                    + "model-server,model-manager install -Dit.test='Mesh*'");
        }
        this.port = port;
        this.grpcPort = grpcPort;
        this.portVariableOfLastStart = portVariable;
        starts++;
        log = logDir.resolve(name + (starts == 1 ? "" : "-" + starts) + ".log");
        List<String> command = new ArrayList<>(launcher);
        command.add(javaExecutable());
        command.add("-Xmx96m");
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).directory(logDir.toFile());
        // Only what a JVM needs from ours: a developer's shell may set the services' own variables.
        Map<String, String> env = builder.environment();
        env.keySet().retainAll(INHERITED);
        // "{port}" in a setting stands for the port this start listens on (an advertised URL).
        environment.forEach((key, value) -> env.put(key, value.replace("{port}", Integer.toString(port))));
        builder.environment().put(portVariable, Integer.toString(port));
        if (grpcPort != 0) {
            builder.environment().put("QUIVER_GRPC_PORT", Integer.toString(grpcPort));
        }
        try {
            Files.createDirectories(logDir);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
        LIVE.add(process);
    }

    /**
     * Polls the ready path until it answers 200. Returns false when the process exits first (a port
     * taken since it was chosen, for one), and fails when the deadline passes.
     */
    boolean awaitReady(Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(uri(readyPath)).timeout(Duration.ofSeconds(1)).GET().build();
        try {
            Awaitility.await(name + " ready").atMost(timeout).pollInterval(Duration.ofMillis(100)).pollInSameThread()
                    .until(() -> !process.isAlive() || answers200(request));
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException(name + " was not ready at " + uri(readyPath) + " within " + timeout
                    + "; its log: " + log + "\n" + tail(40), e);
        }
        return process.isAlive();
    }

    private static boolean answers200(HttpRequest request) throws InterruptedException {
        try {
            return PROBE.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false; // Not listening yet.
        }
    }

    /** SIGKILL, as a crash: no shutdown hook runs, nothing is flushed. Waits until the process is gone. */
    public void kill() {
        if (process == null) {
            return;
        }
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        killAlone();
    }

    /**
     * SIGKILL to this process only, as {@code kill -9 <pid>} sends it: processes it started live on.
     * Waits until it is gone.
     */
    public void killAlone() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + process.pid() + ") survived SIGKILL for 20 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted killing " + name, e);
        }
        LIVE.remove(process);
    }

    /** SIGTERM, as an operator's stop: shutdown hooks run. Waits until the process is gone. */
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + process.pid() + ") did not stop within 20 s of SIGTERM");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted stopping " + name, e);
        }
        LIVE.remove(process);
    }

    /** Starts it again on the port it had. */
    public void restart() {
        start(portVariableOfLastStart, port, grpcPort);
        awaitReady(Duration.ofSeconds(60));
    }

    /** SIGSTOP: the process keeps its sockets, so connections are accepted but never answered. */
    public void freeze() {
        signal("STOP");
    }

    /** SIGCONT: the frozen process carries on where it stopped. */
    public void thaw() {
        signal("CONT");
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send SIG" + signal + " to " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted signalling " + name, e);
        }
    }

    /** The last lines of the current log, for failure messages. */
    public String tail(int lines) {
        if (log == null || !Files.exists(log)) {
            return "(no log)";
        }
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        kill();
    }

    @Override
    public String toString() {
        return name + (process == null ? "" : " (pid " + process.pid() + ", port " + port + ", log " + log + ")");
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
