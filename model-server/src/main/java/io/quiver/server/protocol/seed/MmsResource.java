package io.quiver.server.protocol.seed;

import com.fasterxml.jackson.databind.JsonNode;
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
import io.quiver.common.json.WireErrors;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** The multi-model handler API of reference document 004: models by name, column-oriented predictions. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class MmsResource {
    private final ModelRegistry registry;
    private final ModelLoading loading;
    private final InferenceService inference;

    MmsResource(ModelRegistry registry, ModelLoading loading, InferenceService inference) {
        this.registry = registry;
        this.loading = loading;
        this.inference = inference;
    }

    /** Loads every version in the directory {@code url} names (a directory holding model.onnx is version 1). */
    @POST
    @Path("models")
    @Blocking
    public MmsMessages.RegisterAnswer load(
            @Valid @NotNull(message = WireErrors.REQUIRED) MmsMessages.RegisterRequest request) {
        List<ModelInfo> loaded = loading.load(request.modelName(), null, request.url());
        return new MmsMessages.RegisterAnswer("Model \"" + request.modelName() + "\" registered", request.modelName(),
                loaded.stream().map(ModelInfo::version).toList());
    }

    @GET
    @Path("models")
    public MmsMessages.ModelList list() {
        return new MmsMessages.ModelList(ModelStatus.of(registry.slots()));
    }

    @GET
    @Path("models/{name}")
    public MmsMessages.ModelVersions describe(@PathParam("name") String name) {
        return new MmsMessages.ModelVersions(name, ModelStatus.of(registry.slots(name)));
    }

    @DELETE
    @Path("models/{name}")
    public MmsMessages.UnregisterAnswer unload(@PathParam("name") String name) {
        List<ModelInfo> removed = registry.unload(name);
        return new MmsMessages.UnregisterAnswer("Model \"" + name + "\" unregistered",
                removed.stream().map(ModelInfo::version).toList());
    }

    @POST
    @Path("predictions/{name}")
    public CompletionStage<Map<String, Object>> predict(@PathParam("name") String name,
                                                       @QueryParam("version") String version, byte[] body) {
        List<JsonNode> rows = ColumnRows.rows(JsonBodies.object(body));
        return inference.infer(name, version, model -> InferenceRequest.of(RowsDecoder.decode(model, rows)))
                .thenApply(result -> {
                    Map<String, Object> answer = new LinkedHashMap<>();
                    answer.put("model_name", result.model().name());
                    answer.put("model_version", result.model().version());
                    answer.put("predictions", RowEncoding.predictions(result));
                    return answer;
                });
    }
}
