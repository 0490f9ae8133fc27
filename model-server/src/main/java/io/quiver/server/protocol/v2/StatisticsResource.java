package io.quiver.server.protocol.v2;

import io.quiver.server.serving.ModelRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The Open Inference Protocol's statistics extension: per model version, since it was loaded. */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
public class StatisticsResource {
    private final ModelRegistry registry;

    StatisticsResource(ModelRegistry registry) {
        this.registry = registry;
    }

    @GET
    @Path("models/stats")
    public ModelStatisticsReport all() {
        return ModelStatisticsReport.of(registry.slots());
    }

    @GET
    @Path("models/{name}/stats")
    public ModelStatisticsReport model(@PathParam("name") String name) {
        return ModelStatisticsReport.of(registry.slots(name));
    }

    @GET
    @Path("models/{name}/versions/{version}/stats")
    public ModelStatisticsReport version(@PathParam("name") String name, @PathParam("version") String version) {
        return ModelStatisticsReport.of(List.of(registry.resolve(name, version)));
    }
}
