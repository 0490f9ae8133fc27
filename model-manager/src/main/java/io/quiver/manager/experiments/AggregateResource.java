package io.quiver.manager.experiments;

import io.quiver.common.error.RequestIds;
import io.quiver.common.json.WireErrors;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.concurrent.CompletionStage;

/** A prediction fanned out to several model types or an experiment's variants, answered side by side or combined. */
@Path("/predict/aggregate")
@Produces(MediaType.APPLICATION_JSON)
public class AggregateResource {
    private final Aggregator aggregator;
    private final ExperimentStore experiments;
    private final long defaultDeadline;
    private final long maxDeadline;

    AggregateResource(Aggregator aggregator, ExperimentStore experiments, ExperimentsConfig config) {
        this.aggregator = aggregator;
        this.experiments = experiments;
        this.defaultDeadline = config.aggregateDeadline().toMillis();
        this.maxDeadline = config.maxAggregateDeadline().toMillis();
    }

    @POST
    public CompletionStage<Aggregator.Answer> aggregate(@NotNull(message = WireErrors.REQUIRED) AggregateRequest.Body body,
                                                 @Context HttpServerRequest request) {
        AggregateRequest parsed = AggregateRequest.of(body, experiments, defaultDeadline, maxDeadline);
        return aggregator.aggregate(parsed, RequestIds.of(request));
    }
}
