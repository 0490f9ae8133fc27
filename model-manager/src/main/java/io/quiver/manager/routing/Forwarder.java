package io.quiver.manager.routing;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.tracing.TracingPolicy;
import jakarta.inject.Singleton;
import io.quiver.common.tracing.Tracing;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends a request to a service over pooled keep-alive connections and hands back its answer. Bodies
 * travel as buffers: the manager never decodes and re-encodes what it forwards. A 502, 503 or 504
 * answer completes as an {@link UpstreamFailure}.
 * <p>
 * Each event loop has its own client, so a request's connection to the service lives on the event
 * loop that took the client's request: the answer comes back on that thread, with no hand-over
 * between threads (a shared pool hands connections across loops, and every hand-over wakes the
 * other loop up).
 * <p>
 * Quarkus' tracing would wrap each request in a client span of its own; the {@link Dispatcher}
 * makes one per attempt instead, which knows the replica, the attempt and the breaker's decision,
 * and this class only passes its context on in {@code traceparent}.
 */
@Singleton
public class Forwarder {
    private static final int MAX_CACHED_ENDPOINTS = 4096;

    private final Vertx vertx;
    private final Tracing tracing;
    private final HttpClient shared;
    private final HttpClient sharedGrpc;
    private final Map<Thread, HttpClient> perEventLoop = new ConcurrentHashMap<>();
    private final Map<Thread, HttpClient> grpcPerEventLoop = new ConcurrentHashMap<>();
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

    Forwarder(Vertx vertx, Tracing tracing) {
        this.vertx = vertx;
        this.tracing = tracing;
        this.shared = vertx.createHttpClient(options());
        this.sharedGrpc = vertx.createHttpClient(grpcOptions());
    }

    private static HttpClientOptions options() {
        return new HttpClientOptions()
                .setKeepAlive(true)
                .setMaxPoolSize(256)
                .setConnectTimeout(2000)
                .setTcpNoDelay(true)
                .setTracingPolicy(TracingPolicy.IGNORE);
    }

    /**
     * gRPC over HTTP/2 without TLS from the first byte (prior knowledge), as gRPC clients speak to a
     * plaintext server; ALPN for an https address. One connection per service and event loop
     * carries every call to it at once.
     */
    private static HttpClientOptions grpcOptions() {
        return new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false)
                .setUseAlpn(true)
                .setKeepAlive(true)
                .setHttp2MaxPoolSize(1)
                .setConnectTimeout(2000)
                .setTcpNoDelay(true);
    }

    public CompletionStage<Upstream> send(String serviceUrl, HttpMethod method, String pathAndQuery, String requestId,
                                          String contentType, Buffer body, long timeoutMillis) {
        return send(serviceUrl, method, pathAndQuery, requestId, contentType, body, null, timeoutMillis, null);
    }

    /**
     * As above, passing on a binary tensor request's {@code Inference-Header-Content-Length} when not
     * null, and continuing {@code trace} (an attempt's span, or null) in the service.
     */
    public CompletionStage<Upstream> send(String serviceUrl, HttpMethod method, String pathAndQuery, String requestId,
                                          String contentType, Buffer body, String inferenceHeaderLength,
                                          long timeoutMillis, io.opentelemetry.context.Context trace) {
        Endpoint endpoint = endpoint(serviceUrl);
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setHost(endpoint.host())
                .setPort(endpoint.port())
                .setSsl(endpoint.ssl())
                .setURI(endpoint.basePath().isEmpty() ? pathAndQuery : endpoint.basePath() + pathAndQuery)
                .setTimeout(timeoutMillis)
                .putHeader("X-Request-Id", requestId);
        if (contentType != null) {
            options.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
        }
        if (inferenceHeaderLength != null) {
            options.putHeader(Upstream.INFERENCE_HEADER_LENGTH, inferenceHeaderLength);
        }
        tracing.inject(trace, options::putHeader);
        return judged(client().request(options)
                .compose(request -> body == null ? request.send() : request.send(body))
                .compose(response -> response.body().map(bytes -> new Upstream(response.statusCode(),
                        response.getHeader(HttpHeaders.CONTENT_TYPE), bytes, response.getHeader("Retry-After"),
                        response.getHeader(Upstream.INFERENCE_HEADER_LENGTH)))));
    }

    /** The answer, or an {@link UpstreamFailure} when its status is one to retry elsewhere. */
    private static CompletionStage<Upstream> judged(io.vertx.core.Future<Upstream> exchange) {
        CompletableFuture<Upstream> answer = new CompletableFuture<>();
        exchange.onSuccess(upstream -> {
            if (UpstreamFailure.retryable(upstream.status())) {
                answer.completeExceptionally(new UpstreamFailure(upstream));
            } else {
                answer.complete(upstream);
            }
        }).onFailure(answer::completeExceptionally);
        return answer;
    }

    /**
     * Forwards a gRPC call's message, framed as it came, to {@code grpcUrl} and hands back the
     * answer with its trailers; the client's deadline goes on as {@code grpc-timeout}, the time this
     * attempt has. A grpc-status that stands for 502, 503 or 504 (UNAVAILABLE, DEADLINE_EXCEEDED)
     * completes as an {@link UpstreamFailure}, as those HTTP statuses do.
     */
    public CompletionStage<Upstream> sendGrpc(String grpcUrl, Outbound call, long timeoutMillis,
                                              io.opentelemetry.context.Context trace) {
        Endpoint endpoint = endpoint(grpcUrl);
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(endpoint.host())
                .setPort(endpoint.port())
                .setSsl(endpoint.ssl())
                .setURI(endpoint.basePath() + call.pathAndQuery())
                .setTimeout(timeoutMillis)
                .putHeader(HttpHeaders.CONTENT_TYPE, call.contentType())
                .putHeader("te", "trailers")
                .putHeader("grpc-timeout", Math.max(1, timeoutMillis) + "m")
                .putHeader("x-request-id", call.requestId());
        if (call.headers() != null) {
            call.headers().forEach(options::putHeader);
        }
        tracing.inject(trace, options::putHeader);
        return judged(client(sharedGrpc, grpcPerEventLoop, true).request(options)
                .compose(request -> request.send(call.content()))
                .compose(response -> response.body().map(bytes -> GrpcAnswers.of(response, bytes))));
    }

    private HttpClient client() {
        return client(shared, perEventLoop, false);
    }

    private HttpClient client(HttpClient fallback, Map<Thread, HttpClient> clients, boolean grpc) {
        Context context = Vertx.currentContext();
        if (context == null || !context.isEventLoopContext()) {
            return fallback;
        }
        return clients.computeIfAbsent(Thread.currentThread(),
                thread -> vertx.createHttpClient(grpc ? grpcOptions() : options()));
    }

    /** Where a service URL points, parsed once rather than on every request. */
    private record Endpoint(String host, int port, boolean ssl, String basePath) {
        static Endpoint of(String serviceUrl) {
            URI uri = URI.create(serviceUrl);
            boolean ssl = "https".equalsIgnoreCase(uri.getScheme());
            int port = uri.getPort() != -1 ? uri.getPort() : ssl ? 443 : 80;
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            return new Endpoint(uri.getHost(), port, ssl, path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
        }
    }

    private Endpoint endpoint(String serviceUrl) {
        Endpoint endpoint = endpoints.get(serviceUrl);
        if (endpoint == null) {
            if (endpoints.size() >= MAX_CACHED_ENDPOINTS) {
                endpoints.clear();
            }
            endpoint = Endpoint.of(serviceUrl);
            endpoints.put(serviceUrl, endpoint);
        }
        return endpoint;
    }
}
