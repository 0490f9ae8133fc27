package io.quiver.server.protocol.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.server.config.ServerConfig;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.UnavailableException;
import io.quiver.common.error.RequestIds;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.payloadlog.Exchange;
import io.quiver.server.protocol.RowEncoding;
import io.quiver.server.serving.InferenceService;
import io.quiver.server.serving.ModelLoading;
import io.quiver.server.serving.ModelRegistry;
import io.quiver.common.json.WireErrors;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** MLflow's scoring server protocol, for the model {@code quiver.invocations-model} names. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class MlflowResource {
    private final InferenceService inference;
    private final ModelRegistry registry;
    private final ModelLoading loading;
    private final ServerConfig config;

    MlflowResource(InferenceService inference, ModelRegistry registry, ModelLoading loading, ServerConfig config) {
        this.inference = inference;
        this.registry = registry;
        this.loading = loading;
        this.config = config;
    }

    @Schema(name = "MlflowPing")
    public record Ping(boolean ready) {
    }

    @GET
    @Path("ping")
    @APIResponse(responseCode = "200", description = "ready to score", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Ping.class)))
    @APIResponse(responseCode = "503", description = "still loading the models found at start", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Ping.class)))
    public Response ping() {
        return Response.status(loading.startupDone() ? 200 : 503).entity(new Ping(loading.startupDone())).build();
    }

    /**
     * MLflow's scoring body: exactly one of its four formats, or reference document 000's
     * {@code data}, and {@code params}, which the ONNX flavour has no use for.
     */
    @Schema(name = "MlflowInvocationsRequest", description = "Exactly one of dataframe_split, dataframe_records, "
            + "instances, inputs and data.")
    public record InvocationsRequest(
            @Schema(description = "a pandas frame in split orientation", examples = "{\"columns\": [\"sqft\", "
                    + "\"rooms\", \"age\"], \"data\": [[1200, 3, 10]]}") JsonNode dataframeSplit,
            @Schema(type = SchemaType.ARRAY, description = "a pandas frame as records, one object a row")
            JsonNode dataframeRecords,
            @Schema(type = SchemaType.ARRAY, description = "rows, as TF serving's row format") JsonNode instances,
            @Schema(description = "rows, or each input's whole batch under its name") JsonNode inputs,
            @Schema(type = SchemaType.ARRAY, description = "reference document 000's body: one row, or a list of rows",
                    examples = "[1200, 3, 10]") JsonNode data,
            @Schema(description = "inference parameters; ignored") JsonNode params) {
    }

    @Schema(name = "MlflowInvocationsAnswer")
    public record InvocationsAnswer(
            @Schema(description = "a value or a record per row") Object predictions) {
    }

    @POST
    @Path("invocations")
    public CompletionStage<InvocationsAnswer> invocations(
            @Valid @NotNull(message = WireErrors.REQUIRED) InvocationsRequest request,
            @Context HttpServerRequest http) {
        String[] target = target();
        Exchange exchange = new Exchange(Exchange.Protocol.MLFLOW, RequestIds.of(http), request);
        return inference.infer(exchange, target[0], target[1], model -> InferenceRequest.of(MlflowInputs.decode(request, model)))
                .thenApply(result -> new InvocationsAnswer(RowEncoding.predictions(result)));
    }

    private String[] target() {
        if (config.invocationsModel().isPresent()) {
            String[] parts = config.invocationsModel().get().split("/", 2);
            return new String[] {parts[0], parts.length > 1 ? parts[1] : null};
        }
        List<String> names = registry.names();
        if (names.size() == 1) {
            return new String[] {names.get(0), null};
        }
        if (names.isEmpty()) {
            throw new UnavailableException("no model is loaded yet", 1);
        }
        throw new BadRequestException("several models are loaded " + names
                + "; set quiver.invocations-model or use /predictions/{name}");
    }
}
