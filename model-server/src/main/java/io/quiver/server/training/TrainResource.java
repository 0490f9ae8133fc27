package io.quiver.server.training;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.json.JsonBodies;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Map;

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
    public Response submit(byte[] body) {
        JsonNode json = JsonBodies.object(body);
        Map<String, Object> job = jobs.submit(requests.parse(json));
        return Response.accepted(job).location(URI.create("/train/" + job.get("job_id"))).build();
    }

    @GET
    public Map<String, Object> list() {
        return Map.of("jobs", jobs.list());
    }

    @GET
    @Path("{id}")
    public Map<String, Object> job(@PathParam("id") String id) {
        return jobs.view(id);
    }

    @DELETE
    @Path("{id}")
    @Blocking
    public Map<String, Object> cancel(@PathParam("id") String id) {
        return jobs.cancel(id);
    }
}
