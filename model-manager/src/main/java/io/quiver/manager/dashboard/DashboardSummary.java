package io.quiver.manager.dashboard;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quiver.common.training.TrainingMessages;
import io.quiver.manager.registry.RecentTraffic;
import io.quiver.manager.registry.RegistryEvents;
import io.quiver.manager.registry.ServiceView;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Everything the dashboard shows that no other endpoint answers in one piece: each service with its
 * health, load, recent minutes and what it holds, the training jobs on the trainers, and the
 * registry's recent events. Experiments and deployments come from their own endpoints.
 */
@RegisterForReflection(ignoreNested = false)
@Schema(description = "The dashboard's view of the mesh now")
public record DashboardSummary(
        Instant at,
        @Schema(description = "how often the page should ask again: the health-check interval, in milliseconds")
        long refreshMs,
        List<Service> services,
        @Schema(description = "training jobs on every trainer, as each lists them") List<Job> trainingJobs,
        @Schema(description = "the most recent registry events, oldest first") List<RegistryEvents.Event> events) {

    /** One service: its registration in brief, its health, load and recent minutes, and its models. */
    @Schema(name = "DashboardService")
    public record Service(
            String serviceId,
            String serviceUrl,
            String modelType,
            List<String> capabilities,
            ServiceView.Health health,
            @Schema(description = "the most requests in flight it is sent; its own or the manager's default")
            int maxConcurrentRequests,
            @Schema(description = "requests sent to it per minute over the last minutes, oldest first, with errors "
                    + "(failures and 5xx) and latency percentiles in ms (the upper bound of a bucket, within 25%)")
            List<RecentTraffic.MinuteFigures> minutes,
            @Schema(description = "model versions it lists (GET /v1/models), with residency")
            List<ReplicaInventory.ModelCopy> models,
            @Schema(description = "bytes of the versions it keeps resident") long residentBytes,
            @Schema(description = "its memory budget for resident versions, when its listing gives it") Long memoryBudgetBytes,
            @Schema(description = "when its listing was last read; null before the first reading") Instant modelsReadAt,
            @Schema(description = "why its listing could not be read last time, if it could not") String modelsError) {
    }

    /** A training job and the service running it. */
    @Schema(name = "DashboardTrainingJob")
    public record Job(String serviceId, TrainingMessages.Job job) {
    }
}
