package io.quiver.server.health;

import io.quiver.server.serving.ModelLoading;
import io.quiver.server.serving.ModelRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the models configured at start have been loaded (or have failed, which is reported). */
@Readiness
@ApplicationScoped
public class StartupModelsCheck implements HealthCheck {
    private final ModelLoading loading;
    private final ModelRegistry registry;

    StartupModelsCheck(ModelLoading loading, ModelRegistry registry) {
        this.loading = loading;
        this.registry = registry;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("models")
                .status(loading.startupDone())
                .withData("loaded", registry.slots().size())
                .withData("startup_failures", String.join("; ", loading.startupFailures()))
                .build();
    }
}
