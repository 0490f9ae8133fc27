package io.quiver.server.health;

import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** The probes at the paths clients of the reference server use, beside /q/health. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class HealthResource {
    private final SmallRyeHealthReporter reporter;

    /** MicroProfile Health's report, as /q/health writes it; this class only describes it to the OpenAPI document. */
    @Schema(name = "HealthReport")
    public record Report(@Schema(examples = "UP") String status, List<Check> checks) {
    }

    @Schema(name = "HealthCheck")
    public record Check(@Schema(examples = "startup models") String name, @Schema(examples = "UP") String status,
                        @Schema(description = "what the check found; for readiness, the models that failed to load "
                                + "and why") Map<String, Object> data) {
    }

    HealthResource(SmallRyeHealthReporter reporter) {
        this.reporter = reporter;
    }

    @GET
    @Path("health")
    @APIResponse(responseCode = "200", description = "up", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Report.class)))
    @APIResponse(responseCode = "503", description = "down: the checks say why",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Report.class)))
    @Blocking
    public Response live() {
        return render(reporter.getLiveness());
    }

    @GET
    @Path("ready")
    @APIResponse(responseCode = "200", description = "up", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Report.class)))
    @APIResponse(responseCode = "503", description = "down: the checks say why",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Report.class)))
    @Blocking
    public Response ready() {
        return render(reporter.getReadiness());
    }

    static Response render(SmallRyeHealth health) {
        return Response.status(health.isDown() ? 503 : 200).entity(health.getPayload().toString()).build();
    }
}
