package io.quiver.server.protocol.v2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.json.JsonBodies;
import io.quiver.server.serving.LoadFailure;
import io.quiver.server.serving.ModelLoading;
import io.quiver.server.serving.ModelRegistry;
import io.quiver.server.serving.RepositoryIndex;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The Open Inference Protocol's model repository extension, as Triton serves it: the index of the
 * repository, and load and unload by model name. A load reads {@code <repository>/<name>/<version>/}
 * for every version there.
 */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
public class RepositoryResource {
    /** Load parameters that would change what is loaded; ignoring them would serve something else than asked. */
    private static final String CONFIG_PARAMETER = "config";
    private static final String FILE_PARAMETER_PREFIX = "file:";

    private final RepositoryIndex index;
    private final ModelLoading loading;
    private final ModelRegistry registry;

    RepositoryResource(RepositoryIndex index, ModelLoading loading, ModelRegistry registry) {
        this.index = index;
        this.loading = loading;
        this.registry = registry;
    }

    @POST
    @Path("repository/index")
    @Blocking
    public List<RepositoryIndex.Entry> index(byte[] body) {
        JsonNode json = optionalObject(body, Set.of("ready"));
        JsonNode ready = json.get("ready");
        if (ready != null && !ready.isNull() && !ready.isBoolean()) {
            throw new BadRequestException("field 'ready' must be a boolean, got " + JsonBodies.kind(ready));
        }
        return index.entries(ready != null && ready.asBoolean(false));
    }

    @POST
    @Path("repository/models/{name}/load")
    @Blocking
    public Map<String, Object> load(@PathParam("name") String name, byte[] body) {
        JsonNode parameters = parameters(optionalObject(body, Set.of("parameters")));
        for (Iterator<String> it = parameters.fieldNames(); it.hasNext(); ) {
            String parameter = it.next();
            if (parameter.equals(CONFIG_PARAMETER) || parameter.startsWith(FILE_PARAMETER_PREFIX)) {
                throw new BadRequestException("load parameter '" + parameter + "' is not supported: models load "
                        + "only from the repository, with the configuration read from their files");
            }
        }
        List<LoadFailure> failed = loading.loadFromRepository(name);
        if (!failed.isEmpty()) {
            throw new BadRequestException("failed to load '" + name + "': " + failed.stream()
                    .map(LoadFailure::toString).collect(Collectors.joining("; ")));
        }
        return Map.of();
    }

    @POST
    @Path("repository/models/{name}/unload")
    public Map<String, Object> unload(@PathParam("name") String name, byte[] body) {
        // Triton's one unload parameter, unload_dependents, has nothing to act on here: no model depends on another.
        parameters(optionalObject(body, Set.of("parameters")));
        registry.unload(name);
        return Map.of();
    }

    /** The body as an object; no body, or only white space, is an empty one. Fields outside {@code allowed} are refused. */
    private static JsonNode optionalObject(byte[] body, Set<String> allowed) {
        if (body == null || new String(body, StandardCharsets.UTF_8).isBlank()) {
            return JsonNodeFactory.instance.objectNode();
        }
        JsonNode json = JsonBodies.object(body);
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!allowed.contains(field)) {
                throw new BadRequestException("unknown field '" + field + "'; this request takes " + allowed);
            }
        }
        return json;
    }

    private static JsonNode parameters(JsonNode json) {
        JsonNode parameters = json.get("parameters");
        if (parameters == null || parameters.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!parameters.isObject()) {
            throw new BadRequestException("field 'parameters' must be an object, got " + JsonBodies.kind(parameters));
        }
        return parameters;
    }
}
