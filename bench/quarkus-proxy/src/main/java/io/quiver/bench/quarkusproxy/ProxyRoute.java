package io.quiver.bench.quarkusproxy;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Forwards every {@code /v2/models/...} request to one address, as the bare Vert.x proxy does, but
 * on a route of Quarkus' router, in the place the manager's forwarding route has (order -800), with
 * a client per event loop as the manager's forwarder has. No tokens, registry, balancing, breaker,
 * retries or timers: what this costs per request beyond the bare proxy is the stack's, and what the
 * manager costs beyond this is its own code's.
 */
@Singleton
public class ProxyRoute {
    private final Vertx vertx;
    private final String host;
    private final int port;
    private final Map<Thread, HttpClient> clients = new ConcurrentHashMap<>();

    ProxyRoute(Vertx vertx, @ConfigProperty(name = "proxy.target-host") String host,
               @ConfigProperty(name = "proxy.target-port") int port) {
        this.vertx = vertx;
        this.host = host;
        this.port = port;
    }

    void install(@Observes Router router) {
        router.route("/v2/models/*").order(-800).handler(ctx -> {
            ctx.request().body()
                    .onSuccess(body -> forward(ctx, body))
                    .onFailure(failure -> ctx.response().setStatusCode(400).end());
            // The router hands requests over paused; a body handler set through body() does not resume it.
            ctx.request().resume();
        });
    }

    private void forward(RoutingContext ctx, Buffer body) {
        HttpServerRequest request = ctx.request();
        RequestOptions options = new RequestOptions().setMethod(request.method()).setHost(host).setPort(port)
                .setURI(request.uri());
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type != null) {
            options.putHeader(HttpHeaders.CONTENT_TYPE, type);
        }
        client().request(options)
                .compose(outbound -> outbound.send(body))
                .compose(answer -> answer.body().onSuccess(content -> {
                    ctx.response().setStatusCode(answer.statusCode());
                    String answerType = answer.getHeader(HttpHeaders.CONTENT_TYPE);
                    if (answerType != null) {
                        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, answerType);
                    }
                    ctx.response().end(content);
                }))
                .onFailure(failure -> ctx.response().setStatusCode(502).end());
    }

    private HttpClient client() {
        return clients.computeIfAbsent(Thread.currentThread(), thread -> vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(true).setMaxPoolSize(256).setTcpNoDelay(true).setTracingPolicy(TracingPolicy.IGNORE)));
    }
}
