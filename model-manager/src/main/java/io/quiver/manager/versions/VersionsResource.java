package io.quiver.manager.versions;

import io.quiver.common.error.RequestIds;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.concurrent.CompletionStage;

/** Retiring a model version across the mesh. */
@Path("/models/{model}/versions/{version}")
public class VersionsResource {
    private final VersionRetirement retirement;

    VersionsResource(VersionRetirement retirement) {
        this.retirement = retirement;
    }

    @DELETE
    @Produces(MediaType.APPLICATION_JSON)
    public CompletionStage<VersionRetirement.Outcome> retire(@PathParam("model") String model,
                                                             @PathParam("version") String version,
                                                             @Context HttpServerRequest request) {
        return retirement.retire(model, version, RequestIds.of(request));
    }
}
