package io.quiver.manager.deployments;

import io.quiver.manager.deployments.DeploymentMessages.DeploymentList;
import io.quiver.manager.deployments.DeploymentMessages.DeploymentView;
import io.quiver.manager.deployments.DeploymentMessages.ModelList;
import io.quiver.manager.deployments.DeploymentMessages.VersionList;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Reference document 000's deployment API, at its paths. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class DeploymentResource {
    private final Deployments deployments;

    DeploymentResource(Deployments deployments) {
        this.deployments = deployments;
    }

    @GET
    @Path("get_model_list")
    @Blocking
    public ModelList models() {
        ModelRegistrySource source = deployments.source();
        return new ModelList(source.describe(), source.models());
    }

    @GET
    @Path("get_model_version_list/{model_name}")
    @Blocking
    public VersionList versions(@PathParam("model_name") String model) {
        return new VersionList(model, deployments.source().versions(model));
    }

    /** 201 with the new deployment once it is ready; 200 with the one already running. */
    @POST
    @Path("deploy/{model_name}/{version}")
    @Blocking
    @APIResponse(responseCode = "201", description = "Deployed, and ready",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = DeploymentView.class)))
    @APIResponse(responseCode = "200", description = "The deployment already running",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = DeploymentView.class)))
    public Response deploy(@PathParam("model_name") String model, @PathParam("version") String version) {
        Deployments.Deployed deployed = deployments.deploy(model, version);
        return Response.status(deployed.created() ? 201 : 200).entity(deployed.deployment()).build();
    }

    @GET
    @Path("get_deployed_models")
    public DeploymentList deployed() {
        return new DeploymentList(deployments.list());
    }

    @POST
    @Path("undeploy/{model_name_and_version}")
    @Blocking
    public DeploymentView undeploy(@PathParam("model_name_and_version") String nameAndVersion) {
        return deployments.undeploy(DeploymentName.parse(nameAndVersion));
    }
}
