package io.quiver.server.health;

import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The probes at the paths clients of the reference server use, beside /q/health. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class HealthResource {
    private final SmallRyeHealthReporter reporter;

    HealthResource(SmallRyeHealthReporter reporter) {
        this.reporter = reporter;
    }

    @GET
    @Path("health")
    @Blocking
    public Response live() {
        return render(reporter.getLiveness());
    }

    @GET
    @Path("ready")
    @Blocking
    public Response ready() {
        return render(reporter.getReadiness());
    }

    static Response render(SmallRyeHealth health) {
        return Response.status(health.isDown() ? 503 : 200).entity(health.getPayload().toString()).build();
    }
}
