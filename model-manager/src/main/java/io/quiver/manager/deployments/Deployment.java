package io.quiver.manager.deployments;

import java.time.Instant;

/**
 * One deployment's state. Changed only under its own monitor; the fields the store and the list
 * read without it are volatile.
 */
final class Deployment {
    enum State { STARTING, RUNNING, RESTARTING, FAILED, UNDEPLOYED }

    final DeploymentName name;
    final ModelRegistrySource.ModelLocation location;
    volatile DeploymentBackend.Instance instance;
    volatile int port;
    volatile State state = State.STARTING;
    volatile int restarts;
    volatile String reason;
    /** Crashes since the process last ran for {@code stable-after}; past the limit, the deployment fails. */
    int crashesInARow;
    Instant startedAt = Instant.now();
    /** Undeployed or the manager is stopping: an exit is expected and nothing is restarted. */
    volatile boolean stopping;

    Deployment(DeploymentName name, ModelRegistrySource.ModelLocation location) {
        this.name = name;
        this.location = location;
    }

    DeploymentMessages.DeploymentView view(String log) {
        DeploymentBackend.Instance running = instance;
        boolean placed = state != State.FAILED && state != State.UNDEPLOYED && port > 0;
        return new DeploymentMessages.DeploymentView(name.toString(), name.model(), name.version(),
                placed && running != null ? running.url() : null, placed ? port : null,
                state.name().toLowerCase(java.util.Locale.ROOT), "/" + name + "/", restarts,
                placed && running != null && running.pid() > 0 ? running.pid() : null, reason, log);
    }
}
