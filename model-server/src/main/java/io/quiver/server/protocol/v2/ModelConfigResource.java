package io.quiver.server.protocol.v2;

import io.quiver.server.config.ServerConfig;
import io.quiver.server.serving.ModelRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The Open Inference Protocol's model configuration extension: a model version's configuration, Triton's way. */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
public class ModelConfigResource {
    private final ModelRegistry registry;
    private final int maxBatchRows;

    ModelConfigResource(ModelRegistry registry, ServerConfig config) {
        this.registry = registry;
        this.maxBatchRows = config.limits().maxBatchRows();
    }

    @GET
    @Path("models/{name}/config")
    public ModelConfiguration config(@PathParam("name") String name) {
        return ModelConfiguration.of(registry.resolve(name, null), maxBatchRows);
    }

    @GET
    @Path("models/{name}/versions/{version}/config")
    public ModelConfiguration versionConfig(@PathParam("name") String name, @PathParam("version") String version) {
        return ModelConfiguration.of(registry.resolve(name, version), maxBatchRows);
    }
}
