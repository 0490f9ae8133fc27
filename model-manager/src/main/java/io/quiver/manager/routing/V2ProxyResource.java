package io.quiver.manager.routing;

import io.quiver.common.error.RequestIds;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionStage;

/**
 * The Open Inference Protocol's model endpoints, proxied to a service hosting the model, so that a
 * V2 client can point at the manager and get its balancing and failover.
 */
@Path("/v2/models/{name}")
public class V2ProxyResource {
    private final Dispatcher dispatcher;

    V2ProxyResource(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @GET
    public CompletionStage<Response> metadata(@PathParam("name") String name, @Context HttpServerRequest request) {
        return forward(name, null, request);
    }

    @GET
    @Path("{rest: .+}")
    public CompletionStage<Response> get(@PathParam("name") String name, @Context HttpServerRequest request) {
        return forward(name, null, request);
    }

    @POST
    @Path("{rest: .+}")
    public CompletionStage<Response> post(@PathParam("name") String name, byte[] body, @Context HttpServerRequest request) {
        return forward(name, body, request);
    }

    private CompletionStage<Response> forward(String name, byte[] body, HttpServerRequest request) {
        String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
        Outbound outbound = new Outbound(HttpMethod.valueOf(request.method().name()), request.uri(),
                body == null ? null : (contentType == null ? "application/json" : contentType), body,
                RequestIds.of(request));
        return dispatcher.dispatch(name, "prediction", outbound).thenApply(Answers::of);
    }
}
