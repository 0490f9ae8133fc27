package io.quiver.manager.deployments;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Runs model-servers for deployments. The local-process backend is the default; the Kubernetes
 * backend (a Deployment and a Service per version) answers the same calls.
 */
public interface DeploymentBackend {

    /**
     * Reserves where {@code name} will listen, keeping it across restarts until {@link #release}.
     *
     * @throws io.quiver.common.error.UnavailableException "No free ports available"
     */
    int reserve(DeploymentName name);

    /** Gives back what {@link #reserve} took; nothing when it took nothing. */
    void release(DeploymentName name);

    /**
     * Starts a model-server for the version at {@code location} on the reserved port. It returns once
     * the server is started, not ready: the caller polls its readiness.
     */
    Instance start(DeploymentName name, ModelRegistrySource.ModelLocation location, int port);

    /**
     * The server a previous run of the manager started for {@code stored}, when it still runs as
     * that deployment (its port then stays reserved).
     */
    Optional<Instance> adopt(StoredDeployment stored);

    /** Stops the server and waits until it has gone; a server that does not stop in time is killed. */
    void stop(Instance instance);

    /**
     * Keeps what runs, so that a restarted manager finds it: the local backend writes its store; a
     * cluster keeps its own objects and needs no record.
     */
    void record(List<StoredDeployment> running);

    /** What a previous run of the manager left running, for {@link #adopt} or cleaning up. */
    List<StoredDeployment> recorded();

    /**
     * The manager is stopping. The local backend stops {@code running}, as no child process may
     * outlive it; a cluster backend leaves its deployments serving for the next manager to adopt.
     */
    void managerStopping(List<Instance> running);

    /** Where a deployment's output goes, for the deployment list and failure reports. */
    String logOf(DeploymentName name);

    /**
     * The environment that makes a model-server serve exactly this version, from {@code repository}
     * as the server sees it, and no other: a registry it reads itself (S3) is where it fetches the
     * version from at start, and the repository is not polled for versions that appear later.
     */
    static Map<String, String> serverEnvironment(ModelRegistrySource.ModelLocation location, String repository) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUIVER_REPOSITORY", repository);
        env.put("QUIVER_STARTUP_MODELS", location.model() + "/" + location.version());
        location.source().ifPresent(source -> env.put("QUIVER_MODEL_SOURCE", source));
        env.put("QUIVER_INVOCATIONS_MODEL", location.model() + "/" + location.version());
        env.put("QUIVER_REPOSITORY_POLL_INTERVAL", "0s");
        return env;
    }

    /** One running model-server. */
    interface Instance {
        /** The operating system's id for it, recorded to find it again after a manager restart; 0 when it has none. */
        long pid();

        /** The base URL the manager forwards to. */
        String url();

        int port();

        /**
         * Where it serves gRPC, which the manager forwards gRPC calls to: a model-server serves it
         * on a port of its own ({@code quiver.grpc.port}, docs/model-server/grpc.md).
         */
        String grpcUrl();

        /** The port of {@link #grpcUrl}, kept in the store beside {@link #port}. */
        int grpcPort();

        /** Completes when the server has exited, for whatever reason. */
        CompletableFuture<?> onExit();

        boolean alive();

        /** Kills it at once, without waiting. */
        void kill();

        /**
         * Whether it serves, as the platform running it reports (Kubernetes: the Deployment's ready
         * replicas and conditions). Empty when the platform says nothing, and the model-server's own
         * {@code /ready} is asked.
         */
        default Optional<Reported> reported() {
            return Optional.empty();
        }
    }

    /** Whether an instance is ready, and why it cannot serve when it cannot (waiting for it is then over). */
    record Reported(boolean ready, String failure) {
    }
}
