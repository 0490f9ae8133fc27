package io.quiver.manager.warmup;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready until the manager's warm-up is over ({@code quiver.manager.warmup.duration}), then what it did. */
@Readiness
@ApplicationScoped
public class WarmupCheck implements HealthCheck {
    private final ManagerWarmup warmup;

    WarmupCheck(ManagerWarmup warmup) {
        this.warmup = warmup;
    }

    @Override
    public HealthCheckResponse call() {
        ManagerWarmup.Outcome outcome = warmup.lastOutcome();
        return HealthCheckResponse.named("warm-up").status(warmup.done())
                .withData("answered", outcome.answered())
                .withData("failed", outcome.failed())
                .withData("grpc_answered", outcome.grpcAnswered())
                .withData("took_ms", outcome.took().toMillis())
                .build();
    }
}
