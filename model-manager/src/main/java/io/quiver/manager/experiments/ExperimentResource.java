package io.quiver.manager.experiments;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.common.json.JsonBodies;
import io.smallrye.common.annotation.Blocking;
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
    public Map<String, Object> list() {
        return Map.of("experiments", store.all().stream().map(ExperimentJson::render).toList());
    }

    @GET
    @Path("{name}")
    public ObjectNode get(@PathParam("name") String name) {
        return ExperimentJson.render(store.get(name));
    }

    @PUT
    @Path("{name}")
    @Blocking
    public Response put(@PathParam("name") String name, byte[] body) {
        Experiment experiment = ExperimentJson.parse(name, JsonBodies.object(body));
        boolean created = store.put(experiment);
        return Response.status(created ? 201 : 200).entity(ExperimentJson.render(experiment)).build();
    }

    @PATCH
    @Path("{name}")
    @Blocking
    public ObjectNode changeWeights(@PathParam("name") String name, byte[] body) {
        return ExperimentJson.render(store.changeWeights(name, JsonBodies.object(body)));
    }

    @DELETE
    @Path("{name}")
    @Blocking
    public ObjectNode end(@PathParam("name") String name) {
        return ExperimentJson.render(store.delete(name));
    }

    @GET
    @Path("{name}/summary")
    public Map<String, Object> summary(@PathParam("name") String name) {
        return summary.of(store.get(name));
    }
}
