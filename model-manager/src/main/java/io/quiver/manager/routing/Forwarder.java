package io.quiver.manager.routing;

import io.quiver.manager.resilience.UpstreamFailure;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Sends a request to a service over pooled keep-alive connections and hands back its answer. Bodies
 * travel as bytes: the manager never decodes and re-encodes what it forwards. A 502, 503 or 504
 * answer completes as an {@link UpstreamFailure}.
 */
@ApplicationScoped
public class Forwarder {
    private final HttpClient client;

    Forwarder(Vertx vertx) {
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(true)
                .setMaxPoolSize(512)
                .setConnectTimeout(2000)
                .setTcpNoDelay(true));
    }

    public CompletionStage<Upstream> send(String serviceUrl, HttpMethod method, String pathAndQuery, String requestId,
                                          String contentType, byte[] body, long timeoutMillis) {
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setAbsoluteURI(serviceUrl + pathAndQuery)
                .setTimeout(timeoutMillis)
                .putHeader("X-Request-Id", requestId);
        if (contentType != null) {
            options.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
        }
        CompletableFuture<Upstream> answer = new CompletableFuture<>();
        client.request(options)
                .compose(request -> body == null ? request.send() : request.send(Buffer.buffer(body)))
                .compose(response -> response.body().map(bytes -> new Upstream(response.statusCode(),
                        response.getHeader(HttpHeaders.CONTENT_TYPE), bytes.getBytes(),
                        response.getHeader("Retry-After"))))
                .onSuccess(upstream -> {
                    if (UpstreamFailure.retryable(upstream.status())) {
                        answer.completeExceptionally(new UpstreamFailure(upstream));
                    } else {
                        answer.complete(upstream);
                    }
                })
                .onFailure(answer::completeExceptionally);
        return answer;
    }
}
