package io.quiver.server.health;

import io.quiver.server.serving.LoadFailure;
import io.quiver.server.serving.ModelLoading;
import io.quiver.server.serving.ModelRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.stream.Collectors;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the models configured at start have been loaded (or have failed, which is reported:
 * every model that failed at start and has not loaded since, with the reason).
 */
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
        List<LoadFailure> failures = loading.startupFailures();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("models")
                .status(loading.startupDone())
                .withData("loaded", registry.slots().size())
                .withData("startup_failures", failures.stream().map(LoadFailure::toString)
                        .collect(Collectors.joining("; ")));
        // One entry per model as well, so that a client can tell which models failed without parsing the summary.
        for (LoadFailure failure : failures) {
            String what = failure.name() == null ? "repository"
                    : failure.version() == null ? failure.name() : failure.name() + "/" + failure.version();
            response.withData("failed:" + what, failure.reason());
        }
        return response.build();
    }
}
