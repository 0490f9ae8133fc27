package io.quiver.manager.deployments;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Runs model-servers for deployments. The local-process backend is the default; a cluster backend
 * (a Deployment and a Service per version) answers the same calls.
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

    /** Where a deployment's output goes, for the deployment list and failure reports. */
    String logOf(DeploymentName name);

    /** One running model-server. */
    interface Instance {
        /** The operating system's id for it, recorded to find it again after a manager restart. */
        long pid();

        /** The base URL the manager forwards to. */
        String url();

        int port();

        /** Completes when the server has exited, for whatever reason. */
        CompletableFuture<?> onExit();

        boolean alive();

        /** Kills it at once, without waiting. */
        void kill();
    }
}
