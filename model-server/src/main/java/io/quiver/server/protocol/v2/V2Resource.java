package io.quiver.server.protocol.v2;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.json.JsonBodies;
import io.quiver.server.serving.InferenceService;
import io.quiver.server.serving.ModelInfo;
import io.quiver.server.serving.ModelLoading;
import io.quiver.server.serving.ModelRegistry;
import io.quiver.server.serving.ModelSlot;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The Open Inference Protocol (KServe V2) REST endpoints. */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
public class V2Resource {
    /** The protocol extensions served, as {@code GET /v2} lists them: one a line. */
    static final List<String> EXTENSIONS = List.of(
            "model_repository",
            "model_configuration",
            "statistics",
            "binary_tensor_data");

    private final ModelRegistry registry;
    private final InferenceService inference;
    private final ModelLoading loading;
    private final String serverVersion;
    private final ObjectMapper mapper;

    V2Resource(ModelRegistry registry, InferenceService inference, ModelLoading loading,
               @ConfigProperty(name = "quarkus.application.version", defaultValue = "0") String serverVersion,
               ObjectMapper mapper) {
        this.mapper = mapper;
        this.registry = registry;
        this.inference = inference;
        this.loading = loading;
        this.serverVersion = serverVersion;
    }

    @GET
    public Map<String, Object> server() {
        return Map.of("name", "quiver", "version", serverVersion, "extensions", EXTENSIONS);
    }

    @GET
    @Path("health/live")
    public Map<String, Object> live() {
        return Map.of("live", true);
    }

    @GET
    @Path("health/ready")
    public Response ready() {
        boolean ready = loading.startupDone();
        return Response.status(ready ? 200 : 503).entity(Map.of("ready", ready)).build();
    }

    @GET
    @Path("models/{name}")
    public Map<String, Object> model(@PathParam("name") String name) {
        return metadata(registry.resolve(name, null));
    }

    @GET
    @Path("models/{name}/versions/{version}")
    public Map<String, Object> modelVersion(@PathParam("name") String name, @PathParam("version") String version) {
        return metadata(registry.resolve(name, version));
    }

    @GET
    @Path("models/{name}/ready")
    public Map<String, Object> modelReady(@PathParam("name") String name) {
        return Map.of("name", registry.resolve(name, null).info().name(), "ready", true);
    }

    @GET
    @Path("models/{name}/versions/{version}/ready")
    public Map<String, Object> modelVersionReady(@PathParam("name") String name, @PathParam("version") String version) {
        ModelInfo info = registry.resolve(name, version).info();
        return Map.of("name", info.name(), "version", info.version(), "ready", true);
    }

    @POST
    @Path("models/{name}/infer")
    @Produces({MediaType.APPLICATION_JSON, MediaType.APPLICATION_OCTET_STREAM})
    public CompletionStage<Response> infer(@PathParam("name") String name,
                                           @HeaderParam(BinaryTensors.HEADER) String jsonLength, byte[] body) {
        return inferVersion(name, null, jsonLength, body);
    }

    @POST
    @Path("models/{name}/versions/{version}/infer")
    @Produces({MediaType.APPLICATION_JSON, MediaType.APPLICATION_OCTET_STREAM})
    public CompletionStage<Response> inferVersion(@PathParam("name") String name, @PathParam("version") String version,
                                                  @HeaderParam(BinaryTensors.HEADER) String jsonLength, byte[] body) {
        BinaryTensors.Request request = BinaryTensors.parse(body, jsonLength);
        JsonNode json = request.json();
        String id = JsonBodies.optionalText(json, "id");
        Set<String> binaryOutputs = BinaryTensors.binaryOutputs(json);
        return inference.infer(name, version, model -> V2Codec.decode(json, request.slices()))
                .thenApply(result -> BinaryTensors.answer(mapper, result, id, binaryOutputs));
    }

    private Map<String, Object> metadata(ModelSlot slot) {
        List<String> versions = registry.slots(slot.info().name()).stream().map(s -> s.info().version()).toList();
        return V2Codec.metadata(slot.info(), versions);
    }
}
