package io.quiver.manager.experiments;

import io.quiver.common.json.WireErrors;
import io.quiver.manager.experiments.ExperimentRouter.Choice;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Reference document 001's prediction endpoints, served by the experiment named {@code default}:
 * its default variant, its weighted split, or one named variant.
 */
@Path("/api/v1")
public class ApiV1PredictionsResource {
    private static final String ANSWER = "The variant's answer, the variant named in X-Variant and in the body";

    private final ExperimentRouter router;

    ApiV1PredictionsResource(ExperimentRouter router) {
        this.router = router;
    }

    @POST
    @Path("predictions")
    @APIResponse(responseCode = "200", description = ANSWER, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = PredictionRequest.Answer.class)))
    public CompletionStage<Response> predict(@NotNull(message = WireErrors.REQUIRED) PredictionRequest body,
                                             @Context HttpServerRequest request) {
        return router.predict(Experiment.DEFAULT, Choice.DEFAULT, null, body, request);
    }

    @POST
    @Path("ab/predictions")
    @APIResponse(responseCode = "200", description = ANSWER, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = PredictionRequest.Answer.class)))
    public CompletionStage<Response> split(@NotNull(message = WireErrors.REQUIRED) PredictionRequest body,
                                           @Context HttpServerRequest request) {
        return router.predict(Experiment.DEFAULT, Choice.SPLIT, null, body, request);
    }

    @POST
    @Path("models/{variant}/predictions")
    @APIResponse(responseCode = "200", description = ANSWER, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = PredictionRequest.Answer.class)))
    public CompletionStage<Response> variant(@PathParam("variant") String variant,
                                             @NotNull(message = WireErrors.REQUIRED) PredictionRequest body,
                                             @Context HttpServerRequest request) {
        return router.predict(Experiment.DEFAULT, Choice.NAMED, variant, body, request);
    }
}
