package io.quiver.server.protocol.seed;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.error.BadRequestException;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.common.json.JsonBodies;
import io.quiver.server.protocol.ModelStatus;
import io.quiver.server.protocol.RowEncoding;
import io.quiver.server.protocol.RowsDecoder;
import io.quiver.server.serving.InferenceService;
import io.quiver.server.serving.ModelInfo;
import io.quiver.server.serving.ModelLoading;
import io.quiver.server.serving.ModelRegistry;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** The model server API of reference document 002: load, list, unload, batch inference over rows. */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class V1Resource {
    private final ModelRegistry registry;
    private final ModelLoading loading;
    private final InferenceService inference;

    V1Resource(ModelRegistry registry, ModelLoading loading, InferenceService inference) {
        this.registry = registry;
        this.loading = loading;
        this.inference = inference;
    }

    @POST
    @Path("models/load")
    @Blocking
    public Map<String, Object> load(byte[] body) {
        JsonNode json = JsonBodies.object(body);
        String id = JsonBodies.text(json, "model_id");
        String version = JsonBodies.optionalText(json, "version");
        String uri = JsonBodies.text(json, "registry_uri");
        List<ModelInfo> loaded = loading.load(id, version, uri);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("model_id", id);
        answer.put("versions", loaded.stream().map(ModelInfo::version).toList());
        answer.put("status", "loaded");
        answer.put("models", ModelStatus.of(loaded.stream().map(i -> registry.resolve(i.name(), i.version())).toList()));
        return answer;
    }

    @GET
    @Path("models")
    public Map<String, Object> list() {
        return Map.of("models", ModelStatus.of(registry.slots()));
    }

    @DELETE
    @Path("models/{id}/{version}")
    public Map<String, Object> unload(@PathParam("id") String id, @PathParam("version") String version) {
        ModelInfo info = registry.unload(id, version);
        return Map.of("model_id", info.name(), "version", info.version(), "status", "unloaded");
    }

    @POST
    @Path("infer")
    public CompletionStage<Map<String, Object>> infer(byte[] body) {
        JsonNode json = JsonBodies.object(body);
        String id = JsonBodies.text(json, "model_id");
        String version = JsonBodies.optionalText(json, "model_version");
        JsonNode inputs = JsonBodies.required(json, "inputs");
        if (!inputs.isArray()) {
            throw new BadRequestException("'inputs' must be an array of rows, got " + JsonBodies.kind(inputs));
        }
        List<JsonNode> rows = new ArrayList<>(inputs.size());
        inputs.forEach(rows::add);
        return inference.infer(id, version, model -> InferenceRequest.of(RowsDecoder.decode(model, rows)))
                .thenApply(result -> {
                    Map<String, Object> answer = new LinkedHashMap<>();
                    answer.put("model_id", result.model().name());
                    answer.put("model_version", result.model().version());
                    answer.put("predictions", RowEncoding.records(result));
                    return answer;
                });
    }
}
