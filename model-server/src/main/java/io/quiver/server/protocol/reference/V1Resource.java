package io.quiver.server.protocol.reference;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.server.cache.ModelResidency;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.common.error.RequestIds;
import io.quiver.server.payloadlog.Exchange;
import io.quiver.server.protocol.ModelStatus;
import io.quiver.server.protocol.RowEncoding;
import io.quiver.server.protocol.RowsDecoder;
import io.quiver.server.serving.InferenceService;
import io.quiver.server.serving.ModelInfo;
import io.quiver.server.serving.ModelLoading;
import io.quiver.server.serving.ModelRegistry;
import io.smallrye.common.annotation.Blocking;
import io.quiver.common.json.WireErrors;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** The model server API of reference document 002: load, list, unload, batch inference over rows. */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class V1Resource {
    private final ModelRegistry registry;
    private final ModelLoading loading;
    private final InferenceService inference;
    private final ModelResidency residency;

    V1Resource(ModelRegistry registry, ModelLoading loading, InferenceService inference, ModelResidency residency) {
        this.registry = registry;
        this.loading = loading;
        this.inference = inference;
        this.residency = residency;
    }

    @POST
    @Path("models/load")
    @Blocking
    public V1Messages.LoadAnswer load(@Valid @NotNull(message = WireErrors.REQUIRED) V1Messages.LoadRequest request) {
        List<ModelInfo> loaded = loading.load(request.modelId(), request.version(), request.registryUri());
        return new V1Messages.LoadAnswer(request.modelId(), loaded.stream().map(ModelInfo::version).toList(), "loaded",
                ModelStatus.of(loaded.stream().map(i -> registry.resolve(i.name(), i.version())).toList()));
    }

    @GET
    @Path("models")
    public V1Messages.ModelList list() {
        return new V1Messages.ModelList(ModelStatus.of(registry.slots()),
                new V1Messages.Memory(residency.usedBytes(), residency.budgetBytes()));
    }

    @DELETE
    @Path("models/{id}/{version}")
    public V1Messages.UnloadAnswer unload(@PathParam("id") String id, @PathParam("version") String version) {
        ModelInfo info = registry.unload(id, version);
        return new V1Messages.UnloadAnswer(info.name(), info.version(), "unloaded");
    }

    @POST
    @Path("infer")
    public CompletionStage<V1Messages.InferAnswer> infer(
            @Valid @NotNull(message = WireErrors.REQUIRED) V1Messages.InferRequest request,
            @Context HttpServerRequest http) {
        List<JsonNode> rows = new ArrayList<>(request.inputs().size());
        request.inputs().forEach(rows::add);
        return inference.infer(new Exchange(Exchange.Protocol.V1, RequestIds.of(http), request), request.modelId(),
                        request.modelVersion(),
                        model -> InferenceRequest.of(RowsDecoder.decode(model, rows)))
                .thenApply(result -> new V1Messages.InferAnswer(result.model().name(), result.model().version(),
                        RowEncoding.records(result)));
    }
}
