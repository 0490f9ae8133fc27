package io.quiver.manager.deployments;

import io.quiver.common.error.ApiException;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.NotFoundException;
import io.quiver.common.error.RequestIds;
import io.quiver.common.error.UnavailableException;
import io.quiver.manager.registry.Replica;
import io.quiver.manager.registry.ServiceRegistry;
import io.quiver.manager.routing.Dispatcher;
import io.quiver.manager.routing.ForwardingRoutes;
import io.quiver.manager.routing.Outbound;
import io.quiver.manager.routing.Routed;
import io.quiver.manager.routing.Upstream;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Reference document 000's {@code GET|POST /{model_name}-{version}/{path}}: the request goes to that
 * deployment's model-server through the dispatcher, so it gets the manager's retries, breaker and
 * metrics like any other. {@code /{model_name}-{version}/} itself describes the model (the Open
 * Inference Protocol's model metadata). No other path of the manager has a hyphen in its first
 * segment, which is how these are told apart.
 */
@Singleton
public class DeploymentRoutes {
    private final Deployments deployments;
    private final ServiceRegistry registry;
    private final Dispatcher dispatcher;

    DeploymentRoutes(Deployments deployments, ServiceRegistry registry, Dispatcher dispatcher) {
        this.deployments = deployments;
        this.registry = registry;
        this.dispatcher = dispatcher;
    }

    void install(@Observes Router router) {
        router.routeWithRegex("/[^/]+-[^/]+(/.*)?").method(HttpMethod.GET).method(HttpMethod.POST)
                .handler(this::forward);
    }

    private void forward(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.method() == HttpMethod.GET) {
            send(ctx, null);
        } else if (ctx.body().available()) {
            Buffer read = ctx.body().buffer();
            send(ctx, read == null ? Buffer.buffer() : read);
        } else {
            if (request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
                ctx.response().writeContinue();
            }
            request.body().onSuccess(body -> send(ctx, body)).onFailure(failure -> ForwardingRoutes.fail(ctx, failure));
            // The router hands requests over paused; a body handler set through body() does not resume it.
            request.resume();
        }
    }

    private void send(RoutingContext ctx, Buffer body) {
        CompletionStage<Routed> routed;
        try {
            routed = route(ctx.request(), body);
        } catch (ApiException e) {
            ForwardingRoutes.fail(ctx, e);
            return;
        }
        routed.whenComplete((answer, failure) -> {
            if (failure != null) {
                ForwardingRoutes.fail(ctx, failure);
            } else {
                ForwardingRoutes.answer(ctx.response(), answer);
            }
        });
    }

    private CompletionStage<Routed> route(HttpServerRequest request, Buffer body) {
        String path = request.path();
        int slash = path.indexOf('/', 1);
        String segment = slash < 0 ? path.substring(1) : path.substring(1, slash);
        String rest = slash < 0 ? "" : path.substring(slash);
        DeploymentName name = DeploymentName.parse(segment);
        Deployment deployment = deployments.find(name).orElseThrow(() -> new NotFoundException("no deployment '"
                + name + "'; POST /deploy/" + name.model() + "/" + name.version() + " deploys it"));
        switch (deployment.state) {
            case RUNNING -> { }
            case STARTING, RESTARTING -> throw new UnavailableException("deployment " + name + " is "
                    + deployment.state.name().toLowerCase(java.util.Locale.ROOT) + "; retry shortly", 1);
            default -> throw new NotFoundException("deployment " + name + " is not running: it "
                    + (deployment.reason == null ? "stopped" : "failed: " + deployment.reason));
        }
        Replica replica;
        try {
            replica = registry.require(deployments.serviceId(name));
        } catch (NotFoundException e) {
            throw new UnavailableException("deployment " + name + " is not registered at the moment", 1);
        }
        String target = rest.isEmpty() || rest.equals("/")
                ? "/v2/models/" + name.model() + "/versions/" + name.version()
                : rest + (request.query() == null ? "" : "?" + request.query());
        if (target.contains("/../") || target.endsWith("/..")) {
            throw new BadRequestException("a deployment path may not climb out of the deployment: " + rest);
        }
        String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
        Outbound outbound = new Outbound(request.method(), target,
                body == null ? null : contentType == null ? "application/json" : contentType, body,
                RequestIds.of(request), true).withInferenceHeaderLength(request.getHeader(Upstream.INFERENCE_HEADER_LENGTH));
        return dispatcher.dispatch(name.model(), List.of(replica), outbound);
    }
}
