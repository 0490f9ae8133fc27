package io.quiver.manager.routing;

import io.quiver.common.error.ApiException;
import io.quiver.common.error.ErrorReplies;
import io.quiver.common.error.RequestIds;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import jakarta.enterprise.event.Observes;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.jboss.logging.Logger;

/**
 * The data path: the unified {@code POST /predict} of reference document 003, routed by
 * model_type, and the Open Inference Protocol's {@code /v2/models/{name}/...}, routed by model
 * name, so that a V2 client can point at the manager and get its balancing and failover.
 * <p>
 * These are plain Vert.x routes on the event loop rather than JAX-RS resources: the body is
 * forwarded as the buffer it arrived in and the service's answer written back as the buffer it
 * came in, with no entity binding, writer lookup or copy on the way, which would cost more than
 * the forwarding itself.
 */
@Singleton
public class ForwardingRoutes {
    private static final Logger LOG = Logger.getLogger(ForwardingRoutes.class);
    private static final String CAPABILITY = "prediction";
    private static final String V2_MODELS = "/v2/models/";
    /**
     * Right after the access check ({@code AccessFilter}, -900): the data path (these routes and
     * {@link GrpcRoutes}) is tried before the control API's routes and the deployments' pattern,
     * which every forwarded request would otherwise be matched against first.
     */
    static final int ORDER = -800;

    private final Dispatcher dispatcher;

    ForwardingRoutes(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    void install(@Observes Router router) {
        router.post("/predict").order(ORDER).handler(ctx -> readBody(ctx, body -> {
            String type = ModelTypeReader.modelType(body);
            return dispatcher.dispatch(type, CAPABILITY, new Outbound(HttpMethod.POST, "/predict",
                    "application/json", body, RequestIds.of(ctx.request()), true));
        }));
        // GET /v2/models/{name}[/...] and POST /v2/models/{name}/...: matched by prefix, the name
        // read here, rather than by a path pattern's regular expression on every request.
        router.route(V2_MODELS + "*").order(ORDER).handler(ctx -> {
            String path = ctx.normalizedPath();
            int nameEnd = path.indexOf('/', V2_MODELS.length());
            HttpMethod method = ctx.request().method();
            if (nameEnd == V2_MODELS.length() || path.length() <= V2_MODELS.length()
                    || !(method == HttpMethod.GET || method == HttpMethod.POST && nameEnd > 0)) {
                ctx.next();
                return;
            }
            String name = decoded(path.substring(V2_MODELS.length(), nameEnd < 0 ? path.length() : nameEnd));
            if (method == HttpMethod.GET) {
                run(ctx, () -> v2(ctx, name, null));
            } else {
                readBody(ctx, body -> v2(ctx, name, body));
            }
        });
    }

    /**
     * A path segment as a path parameter reads it: percent escapes decoded, a '+' left as it is, a
     * segment with a malformed escape as written.
     */
    public static String decoded(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // A malformed escape names no model: the name as written finds none and says so.
            return segment;
        }
    }

    private CompletionStage<Routed> v2(RoutingContext ctx, String name, Buffer body) {
        HttpServerRequest request = ctx.request();
        String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
        return dispatcher.dispatch(name, CAPABILITY, new Outbound(request.method(), request.uri(),
                body == null ? null : contentType == null ? "application/json" : contentType, body,
                RequestIds.of(request), true).withInferenceHeaderLength(request.getHeader(Upstream.INFERENCE_HEADER_LENGTH)));
    }

    private interface Call {
        CompletionStage<Routed> start();
    }

    private interface BodyCall {
        CompletionStage<Routed> start(Buffer body);
    }

    /**
     * Reads the whole body. The {@link io.quiver.common.http.RequestGate} has refused a declared
     * length over the limit and has read a chunked body already, within the limit.
     */
    private void readBody(RoutingContext ctx, BodyCall call) {
        if (ctx.body().available()) {
            Buffer read = ctx.body().buffer();
            run(ctx, () -> call.start(read == null ? Buffer.buffer() : read));
            return;
        }
        HttpServerRequest request = ctx.request();
        BodyCollector collector = new BodyCollector();
        request.handler(collector::add);
        request.exceptionHandler(failure -> collector.failed());
        if (request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
            // curl asks before sending a body over 1 KiB and otherwise waits a second for the answer.
            ctx.response().writeContinue();
        }
        request.endHandler(end -> {
            if (!collector.hasFailed()) {
                run(ctx, () -> call.start(collector.body()));
            }
        });
    }

    private void run(RoutingContext ctx, Call call) {
        CompletionStage<Routed> routed;
        try {
            routed = call.start();
        } catch (RuntimeException e) {
            fail(ctx, e);
            return;
        }
        routed.whenComplete((answer, failure) -> {
            if (failure != null) {
                fail(ctx, failure);
            } else {
                answer(ctx.response(), answer);
            }
        });
    }

    /** Writes a forwarded answer back as it came; for every forwarding route. */
    public static void answer(HttpServerResponse response, Routed routed) {
        Upstream answer = routed.answer();
        response.setStatusCode(answer.status()).putHeader(Answers.SERVED_BY, routed.servedBy());
        if (answer.contentType() != null) {
            response.putHeader(HttpHeaders.CONTENT_TYPE, answer.contentType());
        }
        if (answer.retryAfter() != null) {
            response.putHeader("Retry-After", answer.retryAfter());
        }
        if (answer.inferenceHeaderLength() != null) {
            response.putHeader(Upstream.INFERENCE_HEADER_LENGTH, answer.inferenceHeaderLength());
        }
        response.end(answer.content() == null ? Buffer.buffer() : answer.content());
    }

    /** Writes the JSON error for a forwarding that failed; for every forwarding route. */
    public static void fail(RoutingContext ctx, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        String id = RequestIds.of(ctx.request());
        if (cause instanceof ApiException api) {
            ErrorReplies.send(ctx.response(), api, id);
        } else {
            LOG.errorf(cause, "request %s failed", id);
            ErrorReplies.send(ctx.response(), 500, "internal error; see the server log for request " + id, id);
        }
    }
}
