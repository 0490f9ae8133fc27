package io.quiver.bench;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;

/**
 * The least an HTTP proxy on the manager's stack can do: Vert.x, the HTTP server and client the
 * manager runs on, without Quarkus, routing, tokens, breakers, retries or metrics. Each event loop
 * has its own server and its own client of keep-alive connections, as the manager's forwarding
 * has, and the same transport (Netty's native epoll on Linux). Its row in the benchmark says what
 * the JVM and Netty cost per proxied request on this machine, the floor under the manager's rows,
 * as the bare nginx row is for a proxy written in C.
 */
public final class BareProxy extends AbstractVerticle {
    private final String host;
    private final int targetPort;
    private final int port;

    private BareProxy(int port, String host, int targetPort) {
        this.port = port;
        this.host = host;
        this.targetPort = targetPort;
    }

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: BareProxy <port> <target host> <target port>");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        int targetPort = Integer.parseInt(args[2]);
        // Netty's native epoll transport where it loads, as the manager prefers it.
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        System.err.println("BareProxy: native transport " + (vertx.isNativeTransportEnabled() ? "on" : "off"));
        vertx.deployVerticle(() -> new BareProxy(port, args[1], targetPort),
                new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors()))
                .onFailure(failure -> {
                    failure.printStackTrace();
                    System.exit(1);
                });
    }

    @Override
    public void start() {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(true).setMaxPoolSize(256).setTcpNoDelay(true));
        vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true))
                .requestHandler(request -> request.body().onSuccess(body -> forward(client, request, body)))
                .listen();
    }

    private void forward(HttpClient client, HttpServerRequest request, Buffer body) {
        RequestOptions options = new RequestOptions().setMethod(request.method()).setHost(host).setPort(targetPort)
                .setURI(request.uri());
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type != null) {
            options.putHeader(HttpHeaders.CONTENT_TYPE, type);
        }
        client.request(options)
                .compose(outbound -> outbound.send(body))
                .compose(answer -> answer.body().onSuccess(content -> {
                    request.response().setStatusCode(answer.statusCode());
                    String answerType = answer.getHeader(HttpHeaders.CONTENT_TYPE);
                    if (answerType != null) {
                        request.response().putHeader(HttpHeaders.CONTENT_TYPE, answerType);
                    }
                    request.response().end(content);
                }))
                .onFailure(failure -> request.response().setStatusCode(502).end());
    }
}
