package io.quiver.manager.routing;

import com.google.protobuf.MessageLite;
import io.quiver.common.error.ApiException;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.RequestIds;
import io.quiver.common.grpc.GrpcCodes;
import io.quiver.grpc.inference.ServerLiveResponse;
import io.quiver.grpc.inference.ServerMetadataResponse;
import io.quiver.grpc.inference.ServerReadyResponse;
import io.quiver.manager.config.ManagerConfig;
import io.quiver.manager.registry.ServiceRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.concurrent.CompletionException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * {@code inference.GRPCInferenceService} on the manager's HTTP port, balanced like the V2 REST
 * routes: {@code ModelInfer}, {@code ModelMetadata} and {@code ModelReady} go to a healthy service
 * serving the model named in the message, through the same {@link Dispatcher} (round-robin or
 * least-requests, max_concurrent_requests, retries on another replica within the retry budget,
 * per-replica breakers). The message is forwarded as the bytes it came in: only the model name,
 * its first field, is read; tensors are never decoded. The server-wide calls are answered here, for
 * the manager; the model repository calls are each model-server's own and are refused.
 */
@Singleton
public class GrpcRoutes {
    private static final Logger LOG = Logger.getLogger(GrpcRoutes.class);
    static final String SERVICE = "inference.GRPCInferenceService";
    private static final String CAPABILITY = "prediction";
    /** The per-call metadata passed on to the service: how the message is compressed. */
    private static final String[] PASSED = {"grpc-encoding", "grpc-accept-encoding"};

    private final Dispatcher dispatcher;
    private final ServiceRegistry registry;
    private final long maxMessageBytes;
    private final String version;

    GrpcRoutes(Dispatcher dispatcher, ServiceRegistry registry, ManagerConfig config,
               @ConfigProperty(name = "quarkus.application.version", defaultValue = "0") String version) {
        this.dispatcher = dispatcher;
        this.registry = registry;
        this.maxMessageBytes = config.routing().maxRequestSize().asLongValue();
        this.version = version;
    }

    void install(@Observes Router router) {
        // Matched by prefix and ordered with the other forwarding routes; the method is the one
        // path segment after the service's name.
        String prefix = "/" + SERVICE + "/";
        router.post(prefix + "*").order(ForwardingRoutes.ORDER).handler(ctx -> {
            String path = ctx.normalizedPath();
            String method = path.substring(Math.min(prefix.length(), path.length()));
            if (method.isEmpty() || method.indexOf('/') >= 0
                    || !GrpcAnswers.isGrpc(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
                ctx.next();
                return;
            }
            read(ctx, method);
        });
    }

    /** Reads the call's one message, within the size limit, then answers or forwards it. */
    private void read(RoutingContext ctx, String method) {
        HttpServerRequest request = ctx.request();
        String id = RequestIds.of(request);
        BodyCollector collector = new BodyCollector();
        request.handler(chunk -> {
            if (collector.hasFailed()) {
                return;
            }
            if (collector.length() + chunk.length() > maxMessageBytes + GrpcFrames.PREFIX) {
                collector.failed();
                GrpcAnswers.fail(ctx.response(), GrpcCodes.RESOURCE_EXHAUSTED, "the request message is over the limit of "
                        + maxMessageBytes + " bytes (quiver.manager.routing.max-request-size)", id);
                return;
            }
            collector.add(chunk);
        });
        request.exceptionHandler(failure -> collector.failed());
        request.endHandler(end -> {
            if (!collector.hasFailed()) {
                call(ctx, method, collector.body(), id);
            }
        });
    }

    private void call(RoutingContext ctx, String method, Buffer framed, String id) {
        HttpServerResponse response = ctx.response();
        try {
            switch (method) {
                case "ServerLive" -> own(response, ServerLiveResponse.newBuilder().setLive(true).build(), id);
                case "ServerReady" -> own(response, ServerReadyResponse.newBuilder()
                        .setReady(registry.all().stream().anyMatch(r -> r.record().can(CAPABILITY)
                                && r.health().available())).build(), id);
                case "ServerMetadata" -> own(response, ServerMetadataResponse.newBuilder()
                        .setName("quiver-model-manager").setVersion(version).build(), id);
                case "ModelInfer", "ModelMetadata", "ModelReady" -> forward(ctx, method, framed, id);
                case "RepositoryIndex", "RepositoryModelLoad", "RepositoryModelUnload" ->
                        GrpcAnswers.fail(response, GrpcCodes.UNIMPLEMENTED, method + " is served by each model-server, "
                                + "not the manager: call a model-server, or deploy versions through /deployments", id);
                default -> GrpcAnswers.fail(response, GrpcCodes.UNIMPLEMENTED, "the manager serves no method '" + method
                        + "' of " + SERVICE, id);
            }
        } catch (RuntimeException e) {
            fail(response, e, id);
        }
    }

    private void forward(RoutingContext ctx, String method, Buffer framed, String id) {
        HttpServerRequest request = ctx.request();
        String field = method.equals("ModelInfer") ? "model_name" : "name";
        String model = GrpcFrames.modelName(framed, request.getHeader("grpc-encoding"), maxMessageBytes, field);
        if (model.isEmpty()) {
            throw new BadRequestException(field + " is required");
        }
        MultiMap passed = MultiMap.caseInsensitiveMultiMap();
        for (String name : PASSED) {
            String value = request.getHeader(name);
            if (value != null) {
                passed.set(name, value);
            }
        }
        long timeout = GrpcCodes.timeoutNanos(request.getHeader("grpc-timeout"));
        long deadline = timeout < 0 ? 0 : System.nanoTime() + timeout;
        Outbound call = Outbound.grpc("/" + SERVICE + "/" + method, request.getHeader(HttpHeaders.CONTENT_TYPE), framed,
                id, passed, deadline);
        dispatcher.dispatch(model, CAPABILITY, call).whenComplete((routed, failure) -> {
            if (failure != null) {
                fail(ctx.response(), failure, id);
            } else if (routed.answer().grpc() != null) {
                GrpcAnswers.answer(ctx.response(), routed);
            } else {
                fail(ctx.response(), new IllegalStateException("a gRPC call was answered over HTTP/1.1"), id);
            }
        });
    }

    private static void own(HttpServerResponse response, MessageLite message, String id) {
        response.setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "application/grpc")
                .putHeader("x-request-id", id);
        response.putTrailer(GrpcAnswers.STATUS, "0");
        response.end(GrpcFrames.frame(message.toByteArray()));
    }

    private static void fail(HttpServerResponse response, Throwable failure, String id) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof ApiException api) {
            GrpcAnswers.fail(response, api, id);
        } else {
            LOG.errorf(cause, "gRPC request %s failed", id);
            GrpcAnswers.fail(response, GrpcCodes.INTERNAL, "internal error; see the server log for request " + id, id);
        }
    }
}
