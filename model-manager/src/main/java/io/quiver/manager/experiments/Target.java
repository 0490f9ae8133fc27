package io.quiver.manager.experiments;

import java.util.List;

/**
 * Where a variant's requests go: a model type (and version) on any service that serves it, or only
 * the listed services. With services and no model type, the first listed service's registered
 * model type is what the model-server is asked to run.
 */
public record Target(String modelType, String modelVersion, List<String> services) {
    public Target {
        services = services == null ? List.of() : List.copyOf(services);
    }
}
