package io.quiver.manager.discovery;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.quiver.manager.registry.Registration;
import java.util.Objects;
import java.util.Optional;

/**
 * A model-server pod as discovery sees it: the service id it is registered under, the URL it
 * serves on and the one it serves gRPC on (null when the pod names no gRPC port: then its HTTP
 * port's), when it may be routed to. A pod may be routed to when Kubernetes calls it ready, has
 * an address, and is not being deleted: a terminating pod stays ready for a moment, but is about
 * to stop answering.
 */
record DiscoveredPod(String serviceId, String url, String grpcUrl) {
    /** Every id discovery gives starts with this, so a resync can tell its services from registered ones. */
    static final String ID_PREFIX = Registration.DISCOVERED_PREFIX;
    /** The registry's longest id. */
    private static final int MAX_ID = 128;

    static Optional<DiscoveredPod> routable(Pod pod, DiscoveryConfig config) {
        if (pod.getStatus() == null || pod.getMetadata().getDeletionTimestamp() != null) {
            return Optional.empty();
        }
        String ip = pod.getStatus().getPodIP();
        boolean ready = pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        if (!ready || ip == null || ip.isBlank()) {
            return Optional.empty();
        }
        String host = ip.contains(":") ? "[" + ip + "]" : ip;
        Optional<Integer> grpc = port(pod, config.grpcPortName());
        return Optional.of(new DiscoveredPod(serviceId(pod), "http://" + host + ":" + port(pod, config.portName())
                .orElse(config.port()), grpc.map(p -> "http://" + host + ":" + p).orElse(null)));
    }

    /**
     * {@code k8s:<namespace>:<name>}, which an operator can read back to the pod; the pod's uid when
     * that would be longer than the registry allows (names may be up to 253 characters).
     */
    static String serviceId(Pod pod) {
        String id = ID_PREFIX + pod.getMetadata().getNamespace() + ":" + pod.getMetadata().getName();
        return id.length() <= MAX_ID ? id : ID_PREFIX + pod.getMetadata().getUid();
    }

    private static Optional<Integer> port(Pod pod, String name) {
        if (pod.getSpec() == null) {
            return Optional.empty();
        }
        return pod.getSpec().getContainers().stream()
                .flatMap(c -> c.getPorts().stream())
                .filter(p -> name.equals(p.getName()))
                .map(ContainerPort::getContainerPort)
                .filter(Objects::nonNull)
                .findFirst();
    }
}
