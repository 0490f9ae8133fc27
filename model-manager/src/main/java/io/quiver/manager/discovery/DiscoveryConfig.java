package io.quiver.manager.discovery;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Finding model-servers from the Kubernetes API (docs/model-manager/configuration.md). Off by
 * default: off Kubernetes the manager learns of services from their registrations and the services
 * file. The resync runs every {@code quiver.manager.registry.discovery-interval}.
 */
@ConfigMapping(prefix = "quiver.manager.discovery")
public interface DiscoveryConfig {

    /** Watch model-server pods and route to the ready ones (QUIVER_MANAGER_DISCOVERY_ENABLED). */
    @WithDefault("false")
    boolean enabled();

    /** The namespace to watch; when absent, the manager's own (the client reads it from its service account). */
    Optional<String> namespace();

    /** Which pods are model-servers: a Kubernetes label selector. */
    @WithDefault("app.kubernetes.io/name=quiver-model-server")
    String labelSelector();

    /** The name of the container port a model-server serves HTTP on. */
    @WithDefault("http")
    String portName();

    /** The port to use when a pod names none {@code port-name}. */
    @WithDefault("8080")
    int port();

    /**
     * The name of the container port a model-server serves gRPC on (its own port,
     * {@code quiver.grpc.port}); a pod that names none gets gRPC calls at its HTTP port.
     */
    @WithDefault("grpc")
    String grpcPortName();

    /** How long reading a pod's model list ({@code GET /v1/models}) may take. */
    @WithDefault("2s")
    Duration modelListTimeout();

    /** What discovered services may be sent, as a registration's {@code capabilities}. */
    @WithDefault("prediction,training")
    List<String> capabilities();
}
