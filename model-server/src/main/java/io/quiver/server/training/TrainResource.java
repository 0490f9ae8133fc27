package io.quiver.server.training;

import io.quiver.common.json.WireErrors;
import io.quiver.common.training.TrainingMessages.Job;
import io.quiver.common.training.TrainingMessages.JobList;
import io.quiver.common.training.TrainingMessages.TrainRequest;
import io.smallrye.common.annotation.Blocking;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * The unified training endpoint of reference document 003, {@code {"model_type", "config"}}, and
 * its jobs (docs/training.md).
 */
@Path("/train")
@Produces(MediaType.APPLICATION_JSON)
public class TrainResource {
    private final TrainingRequests requests;
    private final TrainingJobs jobs;

    TrainResource(TrainingRequests requests, TrainingJobs jobs) {
        this.requests = requests;
        this.jobs = jobs;
    }

    /** 202 with the queued job and its {@code Location}; the data is checked before the job is queued. */
    @POST
    @Blocking
    @APIResponse(responseCode = "202", description = "The job as it was queued",
            headers = @Header(name = "Location", description = "/train/{job_id}"),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Job.class)))
    public Response submit(@Valid @NotNull(message = WireErrors.REQUIRED) TrainRequest body) {
        Job job = jobs.submit(requests.parse(body));
        return Response.accepted(job).location(URI.create("/train/" + job.jobId())).build();
    }

    @GET
    public JobList list() {
        return new JobList(jobs.list());
    }

    @GET
    @Path("{id}")
    public Job job(@PathParam("id") String id) {
        return jobs.view(id);
    }

    @DELETE
    @Path("{id}")
    @Blocking
    public Job cancel(@PathParam("id") String id) {
        return jobs.cancel(id);
    }
}
