package io.quiver.manager.registry;

import io.quiver.common.json.WireErrors;
import io.smallrye.common.annotation.Blocking;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** The service registry API of reference document 003, with heartbeats for self-registered services. */
@Path("/services")
@Produces(MediaType.APPLICATION_JSON)
public class RegistryResource {
    private final ServiceRegistry registry;

    RegistryResource(ServiceRegistry registry) {
        this.registry = registry;
    }

    /** Every registered service and what the manager knows of it now. */
    public record ServiceList(List<ServiceView> services) {
    }

    @GET
    public ServiceList list() {
        return new ServiceList(registry.all().stream().map(ServiceView::of).toList());
    }

    /** Registers or updates; answers only once the registration is on disk. */
    @POST
    @Path("register")
    @Blocking
    @APIResponse(responseCode = "201", description = "Registered",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ServiceView.class)))
    @APIResponse(responseCode = "200", description = "The registration of a known service, updated",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ServiceView.class)))
    public Response register(@Valid @NotNull(message = WireErrors.REQUIRED) Registration registration) {
        ServiceRecord record = registration.fromOutsideDiscovery().toRecord(Instant.now());
        boolean created = registry.register(record);
        return Response.status(created ? 201 : 200).entity(ServiceView.of(registry.require(record.serviceId()))).build();
    }

    @GET
    @Path("{id}")
    public ServiceView get(@PathParam("id") String id) {
        return ServiceView.of(registry.require(id));
    }

    @GET
    @Path("{id}/health")
    public ServiceView.Health health(@PathParam("id") String id) {
        return ServiceView.health(registry.require(id));
    }

    @PUT
    @Path("{id}/heartbeat")
    @Blocking
    @RequestBody(description = "Optional: without a body the heartbeat only renews the lease")
    public ServiceView.Health heartbeat(@PathParam("id") String id, @Valid Heartbeat reported) {
        if (reported == null) {
            return ServiceView.health(registry.heartbeat(id, null, null));
        }
        return ServiceView.health(registry.heartbeat(id, reported.types(), reported.models()));
    }

    @DELETE
    @Path("{id}")
    @Blocking
    public ServiceView delete(@PathParam("id") String id) {
        return new ServiceView(registry.remove(id), null);
    }

}
