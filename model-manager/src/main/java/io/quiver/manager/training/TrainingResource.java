package io.quiver.manager.training;

import io.quiver.common.error.RequestIds;
import io.quiver.common.training.TrainingMessages.Job;
import io.quiver.common.training.TrainingMessages.TrainRequest;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * The unified training endpoint of reference document 003, and the status of the jobs it started.
 * Bodies go to the trainer and back as bytes: the model-server that runs the job reads and checks
 * them, so the document shows the model-server's own shapes rather than a second reading here.
 */
@Path("/train")
public class TrainingResource {
    private static final String JOB = "The trainer's answer: the job";
    private final TrainingRouter router;

    TrainingResource(TrainingRouter router) {
        this.router = router;
    }

    @POST
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = TrainRequest.class)))
    @APIResponse(responseCode = "202", description = "The trainer's answer: the job as it was queued",
            headers = @Header(name = "Location", description = "/train/{job_id}, here at the manager"),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Job.class)))
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
    @APIResponse(responseCode = "200", description = JOB,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Job.class)))
    public CompletionStage<Response> status(@PathParam("job") String job, @Context HttpServerRequest request) {
        return router.forJob(job, HttpMethod.GET, RequestIds.of(request)).thenApply(Answers::of);
    }

    @DELETE
    @Path("{job}")
    @APIResponse(responseCode = "200", description = JOB + ", cancelled or asked to stop",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Job.class)))
    public CompletionStage<Response> cancel(@PathParam("job") String job, @Context HttpServerRequest request) {
        return router.forJob(job, HttpMethod.DELETE, RequestIds.of(request)).thenApply(Answers::of);
    }
}
