package io.quiver.manager.training;

import io.quiver.common.error.RequestIds;
import io.quiver.manager.routing.Answers;
import io.quiver.manager.routing.ModelTypeReader;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.concurrent.CompletionStage;

/** The unified training endpoint of reference document 003, and the status of the jobs it started. */
@Path("/train")
public class TrainingResource {
    private final TrainingRouter router;

    TrainingResource(TrainingRouter router) {
        this.router = router;
    }

    @POST
    public CompletionStage<Response> train(byte[] body, @Context HttpServerRequest request) {
        String type = ModelTypeReader.modelType(body);
        return router.submit(type, body, RequestIds.of(request)).thenApply(routed -> {
            Response answer = Answers.of(routed);
            // The job is followed here, through the manager, not at the trainer's own address.
            return router.jobId(routed)
                    .map(job -> Response.fromResponse(answer).location(URI.create("/train/" + job)).build())
                    .orElse(answer);
        });
    }

    @GET
    @Path("{job}")
    public CompletionStage<Response> status(@PathParam("job") String job, @Context HttpServerRequest request) {
        return router.forJob(job, HttpMethod.GET, RequestIds.of(request)).thenApply(Answers::of);
    }

    @DELETE
    @Path("{job}")
    public CompletionStage<Response> cancel(@PathParam("job") String job, @Context HttpServerRequest request) {
        return router.forJob(job, HttpMethod.DELETE, RequestIds.of(request)).thenApply(Answers::of);
    }
}
