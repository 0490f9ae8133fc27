package io.quiver.server.protocol.v2;

import io.quiver.server.protocol.RepositoryLoads;
import io.quiver.server.serving.ModelLoading;
import io.quiver.server.serving.ModelRegistry;
import io.quiver.server.serving.RepositoryIndex;
import io.smallrye.common.annotation.Blocking;
import jakarta.validation.Valid;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The Open Inference Protocol's model repository extension, as Triton serves it: the index of the
 * repository, and load and unload by model name. A load reads {@code <repository>/<name>/<version>/}
 * for every version there.
 */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
public class RepositoryResource {
    private final RepositoryIndex index;
    private final ModelLoading loading;
    private final ModelRegistry registry;

    RepositoryResource(RepositoryIndex index, ModelLoading loading, ModelRegistry registry) {
        this.index = index;
        this.loading = loading;
        this.registry = registry;
    }

    /** {@code POST /v2/repository/index}'s optional body. */
    public record IndexRequest(@Schema(description = "true lists only the versions being served") Boolean ready) {
    }

    /**
     * Load's and unload's optional body: Triton's {@code parameters}. Those that would make the
     * server load something other than the repository's files are refused.
     */
    public record RepositoryRequest(Map<String, Object> parameters) {
        Map<String, Object> parametersOrNone() {
            return parameters == null ? Map.of() : parameters;
        }
    }

    /** Load and unload answer an empty object, as Triton does. */
    public record Done() {
    }

    @POST
    @Path("repository/index")
    @Blocking
    public List<RepositoryIndex.Entry> index(@Valid IndexRequest request) {
        return index.entries(request != null && Boolean.TRUE.equals(request.ready()));
    }

    @POST
    @Path("repository/models/{name}/load")
    @Blocking
    public Done load(@PathParam("name") String name, @Valid RepositoryRequest request) {
        RepositoryLoads.load(loading, name, request == null ? List.of() : request.parametersOrNone().keySet());
        return new Done();
    }

    @POST
    @Path("repository/models/{name}/unload")
    public Done unload(@PathParam("name") String name, @Valid RepositoryRequest request) {
        // Triton's one unload parameter, unload_dependents, has nothing to act on here: no model depends on another.
        registry.unload(name);
        return new Done();
    }
}
