package io.quiver.server.protocol.reference;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.common.error.RequestIds;
import io.quiver.common.json.JsonBodies;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;

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
    public CompletionStage<MmsMessages.PredictionsAnswer> predict(
            @PathParam("name") String name, @QueryParam("version") String version,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(
                    type = SchemaType.OBJECT, additionalProperties = Schema.True.class,
                    description = "Columns by feature name, each a pandas column ({\"0\": value, \"1\": value}) "
                            + "or an array with one value per row",
                    examples = "{\"sqft\": {\"0\": 1200}, \"rooms\": {\"0\": 3}, \"age\": {\"0\": 10}}")))
            byte[] body, @Context HttpServerRequest http) {
        // The columns are the client's feature names, so the body is a map read here rather than a record.
        JsonNode columns = JsonBodies.object(body);
        List<JsonNode> rows = ColumnRows.rows(columns);
        Exchange exchange = new Exchange(Exchange.Protocol.PREDICTIONS, RequestIds.of(http), columns);
        return inference.infer(exchange, name, version, model -> InferenceRequest.of(RowsDecoder.decode(model, rows)))
                .thenApply(result -> new MmsMessages.PredictionsAnswer(result.model().name(), result.model().version(),
                        RowEncoding.predictions(result)));
    }
}
