package io.quiver.server.protocol.v2;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.error.RequestIds;
import io.quiver.common.json.JsonBodies;
import io.quiver.server.payloadlog.Exchange;
import io.quiver.server.protocol.RequestBodies;
import io.quiver.server.warmup.RequestPathWarmup;
import io.quiver.server.serving.InferenceResult;
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
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

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
    private final RequestBodies bodies;
    private final RequestPathWarmup warmup;

    V2Resource(ModelRegistry registry, InferenceService inference, ModelLoading loading,
               @ConfigProperty(name = "quarkus.application.version", defaultValue = "0") String serverVersion,
               ObjectMapper mapper, RequestBodies bodies, RequestPathWarmup warmup) {
        this.mapper = mapper;
        this.warmup = warmup;
        this.bodies = bodies;
        this.registry = registry;
        this.inference = inference;
        this.loading = loading;
        this.serverVersion = serverVersion;
    }

    @GET
    public V2Messages.ServerMetadata server() {
        return new V2Messages.ServerMetadata("quiver", serverVersion, EXTENSIONS);
    }

    @GET
    @Path("health/live")
    public V2Messages.Live live() {
        return new V2Messages.Live(true);
    }

    @GET
    @Path("health/ready")
    @APIResponse(responseCode = "200", description = "the models found at start are loaded",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = V2Messages.Ready.class)))
    @APIResponse(responseCode = "503", description = "still loading the models found at start",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = V2Messages.Ready.class)))
    public Response ready() {
        boolean ready = loading.startupDone();
        return Response.status(ready ? 200 : 503).entity(new V2Messages.Ready(ready)).build();
    }

    @GET
    @Path("models/{name}")
    public V2Messages.ModelMetadata model(@PathParam("name") String name) {
        return metadata(registry.resolve(name, null));
    }

    @GET
    @Path("models/{name}/versions/{version}")
    public V2Messages.ModelMetadata modelVersion(@PathParam("name") String name, @PathParam("version") String version) {
        return metadata(registry.resolve(name, version));
    }

    @GET
    @Path("models/{name}/ready")
    public V2Messages.ModelReady modelReady(@PathParam("name") String name) {
        return new V2Messages.ModelReady(registry.resolve(name, null).info().name(), null, true);
    }

    @GET
    @Path("models/{name}/versions/{version}/ready")
    public V2Messages.ModelReady modelVersionReady(@PathParam("name") String name,
                                                   @PathParam("version") String version) {
        ModelInfo info = registry.resolve(name, version).info();
        return new V2Messages.ModelReady(info.name(), info.version(), true);
    }

    @POST
    @Path("models/{name}/infer")
    @Produces({MediaType.APPLICATION_JSON, MediaType.APPLICATION_OCTET_STREAM})
    @RequestBody(required = true, content = {
        @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = V2Messages.InferRequest.class)),
        @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM, schema = @Schema(type = SchemaType.STRING,
                format = "binary", description = "the JSON request (Inference-Header-Content-Length "
                    + "bytes), then the binary inputs' bytes"))})
    @APIResponse(responseCode = "200", description = "the outputs; as application/octet-stream when some are binary",
            content = {@Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = V2Messages.InferResponse.class)),
                @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM, schema = @Schema(type = SchemaType.STRING,
                    format = "binary", description = "the JSON answer (Inference-Header-Content-Length bytes), then "
                        + "the binary outputs' bytes"))})
    public CompletionStage<Response> infer(@PathParam("name") String name,
                                           @HeaderParam(BinaryTensors.HEADER) String jsonLength,
                                           @Context RoutingContext http) {
        return inferVersion(name, null, jsonLength, http);
    }

    @POST
    @Path("models/{name}/versions/{version}/infer")
    @Produces({MediaType.APPLICATION_JSON, MediaType.APPLICATION_OCTET_STREAM})
    @RequestBody(required = true, content = {
        @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = V2Messages.InferRequest.class)),
        @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM, schema = @Schema(type = SchemaType.STRING,
                format = "binary", description = "the JSON request (Inference-Header-Content-Length "
                    + "bytes), then the binary inputs' bytes"))})
    @APIResponse(responseCode = "200", description = "the outputs; as application/octet-stream when some are binary",
            content = {@Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = V2Messages.InferResponse.class)),
                @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM, schema = @Schema(type = SchemaType.STRING,
                    format = "binary", description = "the JSON answer (Inference-Header-Content-Length bytes), then "
                        + "the binary outputs' bytes"))})
    public CompletionStage<Response> inferVersion(@PathParam("name") String name, @PathParam("version") String version,
                                                  @HeaderParam(BinaryTensors.HEADER) String jsonLength,
                                                  @Context RoutingContext http) {
        // The body is read here rather than by the REST layer: see RequestBodies.
        return bodies.read(http, BinaryTensors.jsonLength(jsonLength)).thenCompose(body -> {
            try {
                BinaryTensors.Request request = BinaryTensors.parse(body.bytes(), jsonLength);
                JsonNode json = request.json();
                String id = JsonBodies.optionalText(json, "id");
                Set<String> binaryOutputs = BinaryTensors.binaryOutputs(json);
                // Binary inputs are logged as the JSON part says them: their binary_data_size.
                Exchange exchange = new Exchange(Exchange.Protocol.V2_REST, RequestIds.of(http.request()), json,
                        warmup.sentBy(http.request()));
                CompletionStage<InferenceResult> run = inference.infer(exchange, name, version, model -> V2Codec.decode(json, request.slices()));
                // Binary inputs are read where they lie in the body until the run is over, whatever
                // becomes of the answer; that is also when the body goes back to its pool.
                run.whenComplete((result, failure) -> body.release());
                return run.thenApply(result -> BinaryTensors.answer(mapper, result, id, binaryOutputs));
            } catch (RuntimeException e) {
                body.release();
                throw e;
            }
        });
    }

    private V2Messages.ModelMetadata metadata(ModelSlot slot) {
        List<String> versions = registry.slots(slot.info().name()).stream().map(s -> s.info().version()).toList();
        return V2Codec.metadata(slot.info(), versions);
    }
}
