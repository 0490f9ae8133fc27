package io.quiver.manager.experiments;

import io.quiver.manager.experiments.ExperimentRouter.Choice;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionStage;

/**
 * Reference document 001's prediction endpoints, served by the experiment named {@code default}:
 * its default variant, its weighted split, or one named variant.
 */
@Path("/api/v1")
public class ApiV1PredictionsResource {
    private final ExperimentRouter router;

    ApiV1PredictionsResource(ExperimentRouter router) {
        this.router = router;
    }

    @POST
    @Path("predictions")
    public CompletionStage<Response> predict(byte[] body, @Context HttpServerRequest request) {
        return router.predict(Experiment.DEFAULT, Choice.DEFAULT, null, body, request);
    }

    @POST
    @Path("ab/predictions")
    public CompletionStage<Response> split(byte[] body, @Context HttpServerRequest request) {
        return router.predict(Experiment.DEFAULT, Choice.SPLIT, null, body, request);
    }

    @POST
    @Path("models/{variant}/predictions")
    public CompletionStage<Response> variant(@PathParam("variant") String variant, byte[] body,
                                             @Context HttpServerRequest request) {
        return router.predict(Experiment.DEFAULT, Choice.NAMED, variant, body, request);
    }
}
