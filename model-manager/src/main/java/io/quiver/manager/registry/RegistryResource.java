package io.quiver.manager.registry;

import io.quiver.common.json.JsonBodies;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** The service registry API of reference document 003, with heartbeats for self-registered services. */
@Path("/services")
@Produces(MediaType.APPLICATION_JSON)
public class RegistryResource {
    private final ServiceRegistry registry;

    RegistryResource(ServiceRegistry registry) {
        this.registry = registry;
    }

    @GET
    public Map<String, Object> list() {
        return Map.of("services", registry.all().stream().map(ServiceView::of).toList());
    }

    /** Registers or updates; answers only once the registration is on disk. */
    @POST
    @Path("register")
    @Blocking
    public Response register(byte[] body) {
        ServiceRecord record = RegistrationParser.parse(null, JsonBodies.object(body));
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
    public ServiceView.Health heartbeat(@PathParam("id") String id, byte[] body) {
        if (body == null || body.length == 0) {
            return ServiceView.health(registry.heartbeat(id, null, null));
        }
        RegistrationParser.Reported reported = RegistrationParser.reported(JsonBodies.object(body));
        return ServiceView.health(registry.heartbeat(id, reported.types(), reported.models()));
    }

    @DELETE
    @Path("{id}")
    @Blocking
    public ServiceView delete(@PathParam("id") String id) {
        return new ServiceView(registry.remove(id), null);
    }

}
