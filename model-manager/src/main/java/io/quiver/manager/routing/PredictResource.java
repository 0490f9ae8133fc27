package io.quiver.manager.routing;

import io.quiver.common.error.RequestIds;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionStage;

/** The unified prediction endpoint of reference document 003: routed by model_type, forwarded unchanged. */
@Path("/predict")
public class PredictResource {
    private static final String CAPABILITY = "prediction";

    private final Dispatcher dispatcher;

    PredictResource(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @POST
    public CompletionStage<Response> predict(byte[] body, @Context HttpServerRequest request) {
        String type = ModelTypeReader.modelType(body);
        Outbound outbound = new Outbound(HttpMethod.POST, "/predict", "application/json", body, RequestIds.of(request));
        return dispatcher.dispatch(type, CAPABILITY, outbound).thenApply(Answers::of);
    }
}
