package io.quiver.server.protocol.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.server.config.ServerConfig;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.UnavailableException;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.common.json.JsonBodies;
import io.quiver.server.protocol.RowEncoding;
import io.quiver.server.serving.InferenceService;
import io.quiver.server.serving.ModelLoading;
import io.quiver.server.serving.ModelRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

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

    @GET
    @Path("ping")
    public Response ping() {
        return Response.status(loading.startupDone() ? 200 : 503).entity(Map.of("ready", loading.startupDone())).build();
    }

    @POST
    @Path("invocations")
    public CompletionStage<Map<String, Object>> invocations(byte[] body) {
        JsonNode json = JsonBodies.object(body);
        String[] target = target();
        return inference.infer(target[0], target[1], model -> InferenceRequest.of(MlflowInputs.decode(json, model)))
                .thenApply(result -> Map.of("predictions", RowEncoding.predictions(result)));
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
