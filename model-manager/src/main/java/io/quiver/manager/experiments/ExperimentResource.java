package io.quiver.manager.experiments;

import io.quiver.common.json.WireErrors;
import io.smallrye.common.annotation.Blocking;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * The experiments API (control plane): create or replace, read, change weights, end, and the
 * per-variant summary. Changes answer once they are on disk.
 */
@Path("/experiments")
@Produces(MediaType.APPLICATION_JSON)
public class ExperimentResource {
    private final ExperimentStore store;
    private final ExperimentSummary summary;

    ExperimentResource(ExperimentStore store, ExperimentSummary summary) {
        this.store = store;
        this.summary = summary;
    }

    @GET
    public ExperimentJson.Listing list() {
        return new ExperimentJson.Listing(store.all().stream().map(ExperimentJson.View::of).toList());
    }

    @GET
    @Path("{name}")
    public ExperimentJson.View get(@PathParam("name") String name) {
        return ExperimentJson.View.of(store.get(name));
    }

    @PUT
    @Path("{name}")
    @Blocking
    @APIResponse(responseCode = "201", description = "Created",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ExperimentJson.View.class)))
    @APIResponse(responseCode = "200", description = "Replaced",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ExperimentJson.View.class)))
    public Response put(@PathParam("name") String name,
                        @NotNull(message = WireErrors.REQUIRED) ExperimentJson.Spec body) {
        Experiment experiment = body.toExperiment(name);
        boolean created = store.put(experiment);
        return Response.status(created ? 201 : 200).entity(ExperimentJson.View.of(experiment)).build();
    }

    @PATCH
    @Path("{name}")
    @Blocking
    public ExperimentJson.View changeWeights(@PathParam("name") String name,
                                             @NotNull(message = WireErrors.REQUIRED) WeightChange change) {
        return ExperimentJson.View.of(store.changeWeights(name, change));
    }

    @DELETE
    @Path("{name}")
    @Blocking
    public ExperimentJson.View end(@PathParam("name") String name) {
        return ExperimentJson.View.of(store.delete(name));
    }

    @GET
    @Path("{name}/summary")
    public Map<String, Object> summary(@PathParam("name") String name) {
        return summary.of(store.get(name));
    }
}
